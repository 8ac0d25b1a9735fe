import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useApi } from '../api/api-context';
import { isApiError } from '../api/api-error';
import { useAppMeta } from '../meta/use-app-meta';
import { useSession } from '../session/session-context';
import { labelFieldOf } from './field-kind';
import { lookupSource } from './widgets/lookup-source';

/** The server's word on a looked-up record (history `labels`): its label, or that it is hidden. */
export type LookupLabel = { object: string; label: string } | { object: string; hidden: true };

interface LookupValueProps {
  /** The lookup's target object (`x-ref`), `user` for people. */
  target: string;
  /** An id, or the target record as `expand` returns it. */
  value: unknown;
  /** What the server already said about this id, if anything. */
  known?: LookupLabel | undefined;
  /** The value came from `expand`: a bare id means the reader may not see the record. */
  expanded?: boolean;
}

function HiddenRecord() {
  const { t } = useTranslation();
  return (
    <span className="f-lookup-value f-lookup-value--hidden" title={t('lookup.hiddenHint')}>
      {t('lookup.hidden')}
    </span>
  );
}

function Named({ target, id, label }: { target: string; id: string; label: string }) {
  // People have no record page; records link to theirs.
  if (target === 'user') return <span className="f-lookup-value">{label}</span>;
  return (
    <Link className="f-lookup-value" to={`/o/${encodeURIComponent(target)}/${encodeURIComponent(id)}`}>
      {label}
    </Link>
  );
}

/**
 * A lookup value as people read it: the record's label linking to it when the reader may see it,
 * "Hidden record" (no link, no label) when not. Without a label from the server the record is read
 * through the API, so the reader's own permissions decide, as everywhere else.
 */
export function LookupValue({ target, value, known, expanded }: LookupValueProps) {
  const meta = useAppMeta();
  const api = useApi();
  const { tenant } = useSession();
  const { t } = useTranslation();
  const id =
    typeof value === 'string'
      ? value
      : value && typeof value === 'object' && typeof (value as { id?: unknown }).id === 'string'
        ? (value as { id: string }).id
        : '';
  const targetSchema = meta.data?.objects[target];
  const labelField = target === 'user' ? undefined : labelFieldOf(targetSchema);
  const needsFetch = !!id && typeof value === 'string' && !known && !expanded;
  const resolved = useQuery({
    queryKey: ['lookup', tenant, target, 'one', id],
    queryFn: ({ signal }) => lookupSource(api, target, labelField).one(id, signal),
    enabled: needsFetch && (target === 'user' || !!targetSchema),
    staleTime: 60_000,
    retry: (n, e) =>
      !(isApiError(e, 'NOT_FOUND') || isApiError(e, 'BAD_REQUEST') || isApiError(e, 'FORBIDDEN')) && n < 2,
  });
  if (!id) return null;
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    const named = target === 'user' ? (v.name ?? v.email) : labelField ? v[labelField] : undefined;
    return typeof named === 'string' && named ? <Named target={target} id={id} label={named} /> : <HiddenRecord />;
  }
  if (known) return 'hidden' in known ? <HiddenRecord /> : <Named target={target} id={id} label={known.label} />;
  if (expanded || (target !== 'user' && !targetSchema)) return <HiddenRecord />;
  if (resolved.isPending) return <span className="f-lookup-value">…</span>;
  // A record the reader may not see answers 404; one whose label field is hidden comes back unnamed.
  if (resolved.isError || !resolved.data || resolved.data.label === id) return <HiddenRecord />;
  return <Named target={target} id={id} label={resolved.data.label || t('list.untitled')} />;
}
