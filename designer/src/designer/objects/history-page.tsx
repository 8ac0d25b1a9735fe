import { useQuery } from '@tanstack/react-query';
import { ArrowLeft, History, RotateCcw } from 'lucide-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useApi } from '../../api/api-context';
import { useSession } from '../../session/session-context';
import { Badge, Button, EmptyState, ErrorState, LoadingState, Page, PageHeader, useToast } from '../../ui';
import { type HistoryEntry, fetchMetaHistory, historySteps } from '../common/meta-write-api';
import { PublishDialog } from '../common/publish-dialog';
import { sectionLabel, summaryLines } from '../common/publish-problems';
import './objects.css';

const PAGE = 50;

/** `/designer/history`: every published version, newest first, each revertible (as a new version). */
export function HistoryPage() {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const session = useSession();
  const toast = useToast();
  const [before, setBefore] = useState<number | undefined>(undefined);
  const [revertTo, setRevertTo] = useState<number | null>(null);
  const history = useQuery({
    queryKey: ['meta', 'history', session.tenant, before ?? null],
    queryFn: ({ signal }) => fetchMetaHistory(api, { limit: PAGE, ...(before ? { before } : {}), signal }),
  });
  const items = history.data ?? [];
  const newest = before === undefined ? items[0]?.version : undefined;
  const time = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeStyle: 'short' });

  return (
    <Page>
      <Link className="f-od-back" to="/designer/objects">
        <ArrowLeft size={16} aria-hidden="true" /> {t('objectDesigner.backToObjects')}
      </Link>
      <PageHeader
        icon={<History size={22} aria-hidden="true" />}
        title={t('objectDesigner.historyTitle')}
        subtitle={t('objectDesigner.historySubtitle')}
      />
      {history.isPending ? (
        <LoadingState label={t('common.loading')} />
      ) : history.isError ? (
        <ErrorState
          title={t('objectDesigner.loadFailed')}
          body={history.error.message}
          action={<Button onClick={() => history.refetch()}>{t('common.retry')}</Button>}
        />
      ) : items.length === 0 ? (
        <EmptyState title={t('objectDesigner.noHistory')} />
      ) : (
        <>
          <ol className="f-od-history">
            {items.map((h) => (
              <HistoryItem
                key={h.version}
                entry={h}
                current={h.version === newest}
                time={time}
                onRevert={() => setRevertTo(h.version)}
              />
            ))}
          </ol>
          <div className="f-od-inline">
            {before !== undefined && <Button onClick={() => setBefore(undefined)}>{t('objectDesigner.newest')}</Button>}
            {items.length === PAGE && (
              <Button onClick={() => setBefore(items[items.length - 1]?.version)}>{t('objectDesigner.older')}</Button>
            )}
          </div>
        </>
      )}
      <PublishDialog
        open={revertTo !== null}
        onOpenChange={(o) => !o && setRevertTo(null)}
        document={{}}
        {...(revertTo !== null ? { revertTo } : {})}
        onPublished={(version) => {
          toast({ title: t('objectDesigner.reverted', { from: revertTo, version }), tone: 'success' });
          setBefore(undefined);
        }}
      />
    </Page>
  );
}

function HistoryItem({
  entry,
  current,
  time,
  onRevert,
}: {
  entry: HistoryEntry;
  current: boolean;
  time: Intl.DateTimeFormat;
  onRevert: () => void;
}) {
  const { t } = useTranslation();
  const lines = summaryLines(entry.summary);
  const steps = historySteps(entry);
  const at = new Date(entry.at);
  const source = entry.source ?? 'api';
  return (
    <li className="f-od-history__item" aria-label={t('objectDesigner.versionN', { version: entry.version })}>
      <div className="f-od-history__rail" aria-hidden="true" />
      <div className="f-od-history__body">
        <div className="f-od-history__head">
          <strong>{t('objectDesigner.versionN', { version: entry.version })}</strong>
          {current && <Badge tone="success">{t('objectDesigner.current')}</Badge>}
          {source.startsWith('revert:') && (
            <Badge tone="warning">{t('objectDesigner.revertOf', { version: source.slice('revert:'.length) })}</Badge>
          )}
          {source.startsWith('template:') && <Badge tone="primary">{source.slice('template:'.length)}</Badge>}
          {steps.some((s) => s.destructive) && <Badge tone="warning">{t('objectDesigner.publishDestructive')}</Badge>}
          <span className="f-od-history__meta">
            {entry.author?.name ?? t('objectDesigner.system')} ·{' '}
            <time dateTime={entry.at}>{Number.isNaN(at.getTime()) ? entry.at : time.format(at)}</time> ·{' '}
            {t('objectDesigner.stepCount', { count: steps.length })}
          </span>
          {!current && (
            <Button size="sm" icon={<RotateCcw size={14} aria-hidden="true" />} onClick={onRevert}>
              {t('objectDesigner.revert')}
            </Button>
          )}
        </div>
        {lines.length > 0 && (
          <ul className="f-publish__summary">
            {lines.slice(0, 12).map((l) => (
              <li key={`${l.section}:${l.change}:${l.name}`}>
                <Badge>{t(`objectDesigner.change_${l.change}` as const)}</Badge>
                <span className="f-publish__section">{sectionLabel(t, l.section)}</span>
                <code>{l.name}</code>
              </li>
            ))}
            {lines.length > 12 && (
              <li className="f-od-muted">{t('objectDesigner.moreChanges', { count: lines.length - 12 })}</li>
            )}
          </ul>
        )}
      </div>
    </li>
  );
}
