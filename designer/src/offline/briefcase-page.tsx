import { CloudOff, RefreshCw, Wifi } from 'lucide-react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useApi } from '../api/api-context';
import { isApiError } from '../api/api-error';
import { objectLabel } from '../i18n/pick-label';
import { useAppMeta } from '../meta/use-app-meta';
import { useSession } from '../session/session-context';
import { Badge, Button, Card, EmptyState, LoadingState, Page, PageHeader, useToast } from '../ui';
import { BRIEFCASE_LIMITS, briefcaseObjects, discardItem, refreshBriefcase, syncOutbox } from './briefcase';
import { displayValue, recordName, refusalLines } from './briefcase-labels';
import { useBriefcase, useOnline } from './use-briefcase';
import './briefcase.css';

const REFRESH_AFTER_MS = 15 * 60_000;

/**
 * The briefcase (docs/mobile.md): network status, what waits to be sent and when the last sync
 * was, "sync now", what needs the rep (conflicts, refused changes), and the records on the phone.
 */
export function BriefcasePage() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const api = useApi();
  const session = useSession();
  const meta = useAppMeta().data;
  const view = useBriefcase();
  const online = useOnline();
  const toast = useToast();
  const [busy, setBusy] = useState<'sync' | 'refresh' | null>(null);
  // Opened online with a briefcase never filled, or filled a while ago: fill it in the background.
  const stale =
    online && !!view && !!meta && (!view.lastRefresh || Date.now() - Date.parse(view.lastRefresh) > REFRESH_AFTER_MS);
  useEffect(() => {
    if (!stale || !meta) return;
    setBusy('refresh');
    refreshBriefcase(api, session, meta)
      .catch(() => undefined)
      .finally(() => setBusy(null));
  }, [stale, api, session, meta]);

  if (!view || meta === undefined) return <LoadingState label={t('briefcase.title')} />;
  if (!meta) return <EmptyState title={t('briefcase.empty')} />;

  const waiting = view.outbox.filter((i) => i.status === 'pending');
  const attention = view.outbox.filter((i) => i.status !== 'pending');
  const queuedKeys = new Set(view.outbox.map((i) => `${i.object}/${i.id}`));
  const troubled = new Set(attention.map((i) => `${i.object}/${i.id}`));
  const when = (iso: string | undefined) =>
    iso ? new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso)) : '';

  async function run(kind: 'sync' | 'refresh') {
    setBusy(kind);
    try {
      const r = await syncOutbox(api);
      if (r.offline) toast({ title: t('briefcase.syncStopped'), tone: 'info' });
      else {
        if (kind === 'refresh' || r.sent) await refreshBriefcase(api, session, meta!);
        toast({
          title: t('briefcase.synced', { sent: r.sent, conflicts: r.conflicts, refused: r.refused }),
          tone: 'success',
        });
      }
    } catch (e) {
      toast({ title: isApiError(e) ? e.message : String(e), tone: 'error' });
    } finally {
      setBusy(null);
    }
  }

  const objects = briefcaseObjects(meta);
  const reference = view.records.filter((r) => r.reference);
  const name = (object: string, id: string) => {
    const r = view.records.find((x) => x.object === object && x.id === id);
    return r
      ? recordName(meta, object, r.local, objectLabel(object, meta.objects[object], lang))
      : objectLabel(object, meta.objects[object], lang);
  };

  return (
    <Page>
      <PageHeader title={t('briefcase.title')} subtitle={t('briefcase.subtitle', { count: view.records.length })} />
      <Card className="f-briefcase__status">
        <div className="f-briefcase__status-row" data-testid="briefcase-status">
          <Badge tone={online ? 'success' : 'warning'}>
            {online ? <Wifi size={14} aria-hidden="true" /> : <CloudOff size={14} aria-hidden="true" />}{' '}
            {online ? t('briefcase.online') : t('briefcase.offline')}
          </Badge>
          <span data-testid="briefcase-waiting">
            {waiting.length ? t('briefcase.waiting', { count: waiting.length }) : t('briefcase.nothingWaiting')}
          </span>
          <span className="f-briefcase__muted">
            {view.lastSync ? t('briefcase.lastSync', { when: when(view.lastSync) }) : t('briefcase.neverSynced')}
          </span>
        </div>
        <div className="f-briefcase__actions">
          <Button
            variant="primary"
            disabled={!online || busy !== null}
            loading={busy === 'sync'}
            onClick={() => run('sync')}
          >
            {t('briefcase.syncNow')}
          </Button>
          <Button
            icon={<RefreshCw size={16} aria-hidden="true" />}
            disabled={!online || busy !== null}
            loading={busy === 'refresh'}
            onClick={() => run('refresh')}
          >
            {t('briefcase.refresh')}
          </Button>
        </div>
        <p className="f-briefcase__muted">{t('briefcase.limits', BRIEFCASE_LIMITS)}</p>
      </Card>

      {attention.length > 0 && (
        <Card title={t('briefcase.attention')} className="f-briefcase__attention">
          <ul className="f-briefcase__list">
            {attention.map((item) => (
              <li key={item.seq} className="f-briefcase__problem" data-testid="briefcase-problem">
                {item.status === 'conflict' ? (
                  <>
                    <strong>{t('briefcase.conflictTitle', { record: name(item.object, item.id) })}</strong>
                    <Link className="f-btn f-btn--primary f-btn--md" to={`/briefcase/conflict/${item.seq}`}>
                      {t('briefcase.resolve')}
                    </Link>
                  </>
                ) : (
                  <>
                    <strong>{t('briefcase.refusedTitle', { record: name(item.object, item.id) })}</strong>
                    {refusalLines(meta, item, lang, t).map((line) => (
                      <p key={line} className="f-briefcase__reason">
                        {line}
                      </p>
                    ))}
                    <div className="f-briefcase__actions">
                      <Link className="f-btn f-btn--secondary f-btn--md" to={`/briefcase/${item.object}/${item.id}`}>
                        {t('briefcase.fix')}
                      </Link>
                      <Button variant="ghost" onClick={() => discardItem(item.seq!)}>
                        {t('briefcase.discard')}
                      </Button>
                    </div>
                  </>
                )}
              </li>
            ))}
          </ul>
        </Card>
      )}

      {view.records.length === 0 && <EmptyState title={t('briefcase.empty')} />}
      {objects.map((object) => {
        const schema = meta.objects[object];
        const rows = view.records.filter((r) => r.object === object && !r.reference);
        if (!rows.length) return null;
        const label = objectLabel(object, schema, lang);
        const shown = Object.keys(schema?.properties ?? {})
          .filter((f) => f !== schema?.['x-label-field'] && Array.isArray(schema?.properties?.[f]?.enum))
          .slice(0, 1);
        return (
          <Card
            key={object}
            title={`${label} (${rows.length})`}
            actions={
              <Link className="f-btn f-btn--secondary f-btn--md" to={`/briefcase/${object}/new`}>
                {t('briefcase.newRecord')}
              </Link>
            }
          >
            <ul className="f-briefcase__list" aria-label={label}>
              {rows.map((r) => (
                <li key={r.key}>
                  <Link className="f-briefcase__card" to={`/briefcase/${object}/${r.id}`}>
                    <span className="f-briefcase__card-name">{recordName(meta, object, r.local, label)}</span>
                    {shown.map((f) => (
                      <span key={f} className="f-briefcase__muted">
                        {displayValue(meta, object, f, r.local[f], view.records, lang, t)}
                      </span>
                    ))}
                    {troubled.has(r.key) ? (
                      <Badge tone="warning">{t('briefcase.attention')}</Badge>
                    ) : (
                      (r.pending || queuedKeys.has(r.key)) && <Badge tone="warning">{t('briefcase.pending')}</Badge>
                    )}
                  </Link>
                </li>
              ))}
            </ul>
          </Card>
        );
      })}
      {reference.length > 0 && (
        <Card title={t('briefcase.reference')}>
          <ul className="f-briefcase__list">
            {[...new Set(reference.map((r) => r.object))].sort().map((object) => {
              const label = objectLabel(object, meta.objects[object], lang);
              const names = reference
                .filter((r) => r.object === object)
                .map((r) => recordName(meta, object, r.local, label))
                .sort((a, b) => a.localeCompare(b, lang));
              return (
                <li key={object}>
                  <details className="f-briefcase__reference">
                    <summary>{`${label} (${names.length})`}</summary>
                    <p className="f-briefcase__muted">{names.join(lang.startsWith('zh') ? '、' : ', ')}</p>
                  </details>
                </li>
              );
            })}
          </ul>
        </Card>
      )}
    </Page>
  );
}
