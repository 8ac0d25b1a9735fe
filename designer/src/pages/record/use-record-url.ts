import { useSearchParams } from 'react-router';

const TABS = ['details', 'related', 'timeline', 'approvals', 'history'];

/**
 * What of the record page lives in the address, so a save or reload that remounts the editor keeps
 * it: the open tab, and `?edit=1` (an existing record opens in its read view; this is the full form).
 */
export function useRecordUrl(isNew: boolean) {
  const [params, setParams] = useSearchParams();
  const tab = TABS.includes(params.get('tab') ?? '') ? (params.get('tab') as string) : 'details';
  const editing = isNew || params.get('edit') === '1';
  const setEditing = (on: boolean) =>
    setParams(
      (p) => {
        const next = new URLSearchParams(p);
        if (on) next.set('edit', '1');
        else next.delete('edit');
        return next;
      },
      { replace: true },
    );
  const setTab = (v: string) =>
    setParams((p) => new URLSearchParams({ ...Object.fromEntries(p), tab: v }), { replace: true });
  return { params, tab, setTab, editing, setEditing };
}
