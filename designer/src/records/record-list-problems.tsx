import { TriangleAlert } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { Button } from '../ui';
import type { useListState } from './use-list-state';

/** What of the address could not be used (an unknown field, a bad sort), and a way back to the view. */
export function RecordListProblems({ ls }: { ls: ReturnType<typeof useListState> }) {
  const { t } = useTranslation();
  if (!ls.problems.length) return null;
  return (
    <div className="f-list__problems" role="alert">
      <TriangleAlert size={18} aria-hidden="true" />
      <div>
        <strong>{t('listUrl.title')}</strong>
        <ul>
          {ls.problems.map((p) => (
            <li key={`${p.kind}:${p.value}`}>{t(`listUrl.${p.kind}`, { value: p.value })}</li>
          ))}
        </ul>
      </div>
      <Button size="sm" onClick={ls.clearProblems}>
        {t('listUrl.reset')}
      </Button>
    </div>
  );
}
