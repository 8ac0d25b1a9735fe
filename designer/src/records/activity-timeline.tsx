import { useInfiniteQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { CheckCircle2, Clock, FileText, Mail, MessageSquare, Paperclip, PencilLine } from 'lucide-react';
import { useApi } from '../api/api-context';
import { fieldLabel, objectLabel } from '../i18n/pick-label';
import type { AppMeta, ObjectSchema } from '../meta/meta-types';
import { useSession } from '../session/session-context';
import { Button, EmptyState, ErrorState, LoadingState } from '../ui';
import { labelFieldOf } from './field-kind';
import { formatValue } from './format-value';
import { recordKeys } from './use-records-api';
import './activity-timeline.css';

/** One entry of `GET /api/records/:object/:id/timeline` (docs/records.md, "Timeline"). */
export interface TimelineEntry {
  key: string;
  kind: 'change' | 'approval' | 'activity' | 'email' | 'file';
  at: string;
  user: { id: string; name: string | null } | null;
  action?: string;
  changes?: Record<string, [unknown, unknown]>;
  cause?: { kind: string; text: string } | null;
  approval?: { workflow: string; step: string | null; comment: string | null; outcome?: string };
  activity?: { object: string; record: Record<string, unknown> };
  email?: { subject: string; sent: boolean };
  file?: { id: string; name: string; size: number; contentType: string };
}

interface TimelinePage {
  items: TimelineEntry[];
  next: string | null;
  names: Record<string, string>;
}

const PAGE = 20;

const ICONS: Record<TimelineEntry['kind'], ReactNode> = {
  change: <PencilLine size={14} aria-hidden="true" />,
  approval: <CheckCircle2 size={14} aria-hidden="true" />,
  activity: <MessageSquare size={14} aria-hidden="true" />,
  email: <Mail size={14} aria-hidden="true" />,
  file: <Paperclip size={14} aria-hidden="true" />,
};

type ChangeVerb = 'create' | 'update' | 'delete' | 'restore';
type ApprovalVerb =
  | 'submitted'
  | 'approved'
  | 'rejected'
  | 'delegated'
  | 'escalated'
  | 'auto_decided'
  | 'recalled'
  | 'override'
  | 'completed'
  | 'failed'
  | 'other';

/** Approval event names the app has words for; others read as a generic "approval". */
const APPROVAL_VERBS = new Set([
  'submitted',
  'approved',
  'rejected',
  'delegated',
  'escalated',
  'auto_decided',
  'recalled',
  'override',
  'completed',
  'failed',
]);

/**
 * The record's activity timeline, newest first: changes (with lookup values by name), approval
 * events (by step name), activities logged against it, e-mails sent about it and files attached.
 */
export function ActivityTimeline({
  meta,
  object,
  id,
  schema,
  lang,
}: {
  meta: AppMeta;
  object: string;
  id: string;
  schema: ObjectSchema;
  lang: string;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const { tenant } = useSession();
  const timeline = useInfiniteQuery({
    queryKey: [...recordKeys.one(tenant, object, id), 'timeline'],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      api.get<TimelinePage>(`/api/records/${encodeURIComponent(object)}/${encodeURIComponent(id)}/timeline`, {
        query: { limit: PAGE, before: pageParam },
        signal,
      }),
    getNextPageParam: (last) => last.next ?? undefined,
  });
  if (timeline.isPending) return <LoadingState compact label={t('common.loading')} />;
  if (timeline.isError) return <ErrorState compact title={t('errors.title')} body={timeline.error.message} />;
  const pages = timeline.data.pages;
  const names = Object.assign({}, ...pages.map((p) => p.names)) as Record<string, string>;
  const items = pages.flatMap((p) => p.items);
  if (items.length === 0)
    return <EmptyState compact icon={<Clock size={18} aria-hidden="true" />} title={t('timeline.empty')} />;
  const when = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
  const someone = t('record.someone');
  const shown = (field: string, v: unknown): string => {
    if (v === null || v === undefined || v === '') return '';
    const f = schema.properties?.[field];
    // A lookup's value is a record id: its name when the reader may read the record, else "a record".
    if (f?.['x-ref'] && typeof v === 'string') return names[v] ?? t('timeline.hiddenRecord');
    return formatValue(f, v, lang, { yes: t('timeline.yes'), no: t('timeline.no') });
  };
  const body = (e: TimelineEntry): ReactNode => {
    const who = <strong>{e.user?.name ?? someone}</strong>;
    switch (e.kind) {
      case 'change':
        return (
          <>
            <p className="f-tl__head">
              {who}{' '}
              {t(
                `timeline.change_${(['create', 'delete', 'restore'].includes(e.action ?? '') ? e.action : 'update') as ChangeVerb}`,
              )}
              {e.cause?.text && <span className="f-tl__cause"> · {e.cause.text}</span>}
            </p>
            {e.changes && Object.keys(e.changes).length > 0 && e.action !== 'create' && (
              <dl className="f-tl__changes">
                {Object.entries(e.changes).map(([field, [before, after]]) => (
                  <div key={field}>
                    <dt>{fieldLabel(schema, field, lang)}</dt>
                    <dd>
                      {shown(field, before) && (
                        <>
                          <del>{shown(field, before)}</del> →{' '}
                        </>
                      )}
                      <ins>{shown(field, after) || '—'}</ins>
                    </dd>
                  </div>
                ))}
              </dl>
            )}
          </>
        );
      case 'approval': {
        const a = e.approval;
        const verb = (APPROVAL_VERBS.has(e.action ?? '') ? e.action : 'other') as ApprovalVerb;
        const outcome = a?.outcome === 'approved' || a?.outcome === 'rejected' ? a.outcome : undefined;
        return (
          <>
            <p className="f-tl__head">
              {e.action === 'completed' || e.action === 'failed' ? null : who}{' '}
              {t(`timeline.approval_${verb}`, { outcome: outcome ? t(`timeline.outcome_${outcome}`) : '' })}
              {a?.step && <span className="f-tl__step">{a.step}</span>}
            </p>
            {a?.comment && <blockquote className="f-tl__comment">{a.comment}</blockquote>}
          </>
        );
      }
      case 'activity': {
        const act = e.activity;
        if (!act) return null;
        const aSchema = meta.objects[act.object];
        const labelField = labelFieldOf(aSchema) ?? 'id';
        const extra = ['type', 'status', 'due_on']
          .filter((f) => aSchema?.properties?.[f] && act.record[f] !== null && act.record[f] !== undefined)
          .map((f) => formatValue(aSchema?.properties?.[f], act.record[f], lang));
        const notes = typeof act.record.notes === 'string' ? act.record.notes : '';
        return (
          <>
            <p className="f-tl__head">
              {who} {t('timeline.logged', { object: objectLabel(act.object, aSchema, lang) })}{' '}
              <Link to={`/o/${act.object}/${String(act.record.id)}`}>
                {String(act.record[labelField] ?? '') || t('list.untitled')}
              </Link>
              {extra.length > 0 && <span className="f-tl__meta">{extra.join(' · ')}</span>}
            </p>
            {notes && <p className="f-tl__notes">{notes}</p>}
          </>
        );
      }
      case 'email':
        return (
          <p className="f-tl__head">
            {who} {t(e.email?.sent ? 'timeline.emailSent' : 'timeline.emailQueued')}{' '}
            <span className="f-tl__subject">{e.email?.subject}</span>
          </p>
        );
      case 'file':
        return (
          <p className="f-tl__head">
            {who} {t('timeline.attached')}{' '}
            <span className="f-tl__file">
              <FileText size={14} aria-hidden="true" /> {e.file?.name}
            </span>
          </p>
        );
    }
  };
  return (
    <div className="f-tl">
      <ol className="f-tl__list" aria-label={t('timeline.title')}>
        {items.map((e) => (
          <li key={e.key} className={`f-tl__item f-tl__item--${e.kind}`}>
            <span className="f-tl__icon">{ICONS[e.kind]}</span>
            <div className="f-tl__body">
              {body(e)}
              <time className="f-tl__time" dateTime={e.at}>
                {when.format(new Date(e.at))}
              </time>
            </div>
          </li>
        ))}
      </ol>
      {timeline.hasNextPage && (
        <Button onClick={() => void timeline.fetchNextPage()} loading={timeline.isFetchingNextPage}>
          {t('timeline.older')}
        </Button>
      )}
    </div>
  );
}
