import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CheckCircle2, Circle, Clock, Send, Undo2, XCircle } from 'lucide-react';
import { isApiError } from '../api/api-error';
import { ApprovalBadge } from '../records/approval-badge';
import { isEndpointMissing, recordKeys } from '../records/use-records-api';
import { useSession } from '../session/session-context';
import { Button, Dialog, EmptyState, ErrorState, LoadingState, useToast } from '../ui';
import { type ApprovalInstance, idOf, instancesOf, nameOf, submitOptionOf } from './approvals-api';
import { inboxKey, useApprovalsApi } from './use-approvals';
import './approval-panel.css';

function StepIcon({ status }: { status?: string | undefined }) {
  if (status === 'approved') return <CheckCircle2 size={16} aria-hidden="true" className="f-steps__ok" />;
  if (status === 'rejected') return <XCircle size={16} aria-hidden="true" className="f-steps__no" />;
  if (status === 'pending' || status === 'active')
    return <Clock size={16} aria-hidden="true" className="f-steps__wait" />;
  return <Circle size={16} aria-hidden="true" />;
}

const KNOWN_EVENTS = new Set([
  'submitted',
  'approved',
  'rejected',
  'delegated',
  'escalated',
  'recalled',
  'completed',
  'unlocked',
]);

/** Why an escalation went where it did, when the people it named were nobody. */
function fallbackNote(
  data: Record<string, unknown> | null | undefined,
): { key: 'fallbackRole' | 'fallbackAdmins'; role?: string } | undefined {
  if (data?.fallback === 'role' && typeof data.role === 'string')
    return { key: 'fallbackRole', role: typeof data.roleLabel === 'string' ? data.roleLabel : data.role };
  if (data?.fallback === 'admins') return { key: 'fallbackAdmins' };
  return undefined;
}

function Steps({
  instance,
  lang,
  onRecall,
}: {
  instance: ApprovalInstance;
  lang: string;
  /** Offered to the submitter (and admins) while the request is pending. */
  onRecall?: (() => void) | undefined;
}) {
  const { t } = useTranslation();
  const when = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
  const at = (v: string | undefined) => (v && !Number.isNaN(Date.parse(v)) ? when.format(new Date(v)) : '');
  const eventText = (action: string, who: string) =>
    KNOWN_EVENTS.has(action) ? t(`events.${action as 'submitted'}`, { who }) : t('events.other', { who, action });
  // The trail shows what people did; the engine's own events (a branch taken) are not news to them.
  const events = [...(instance.history ?? [])]
    .filter((e) => KNOWN_EVENTS.has(e.action))
    .sort((a, b) => String(a.at).localeCompare(String(b.at)));
  return (
    <section className="f-approval" aria-label={instance.workflow ?? t('record.approvals')}>
      <header className="f-approval__head">
        <ApprovalBadge status={instance.status} />
        {instance.status === 'pending' && instance.step && (
          <span className="f-approval__meta">{t('record.step', { name: instance.stepLabel ?? instance.step })}</span>
        )}
        {onRecall && (
          <Button size="sm" variant="ghost" icon={<Undo2 size={16} aria-hidden="true" />} onClick={onRecall}>
            {t('webApp.recall')}
          </Button>
        )}
      </header>
      <ol className="f-steps">
        {events.map((e, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: events are listed in time order and never reordered
          <li key={i} className="f-steps__item">
            <StepIcon status={e.action} />
            <div>
              <div className="f-steps__label">{eventText(e.action, nameOf(e.user, t('record.someone')))}</div>
              {e.stepLabel && e.action !== 'submitted' && <p className="f-steps__step">{e.stepLabel}</p>}
              {e.action === 'escalated' && fallbackNote(e.data) && (
                <p className="f-steps__step">
                  {t(`events.${fallbackNote(e.data)!.key}` as const, { role: fallbackNote(e.data)!.role })}
                </p>
              )}
              <p className="f-steps__decision">{at(e.at)}</p>
              {e.comment && <q className="f-steps__comment">{e.comment}</q>}
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}

/** A record's approvals: its status, a submit button, and every instance's steps and decisions. */
export function ApprovalPanel({
  object,
  id,
  status,
  lang,
}: {
  object: string;
  id: string;
  status: string | undefined;
  lang: string;
}) {
  const { t } = useTranslation();
  const approvals = useApprovalsApi();
  const session = useSession();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [recalling, setRecalling] = useState<ApprovalInstance | undefined>();
  const key = [...recordKeys.one(session.tenant, object, id), 'approvals'];
  const list = useQuery({ queryKey: key, queryFn: ({ signal }) => approvals.forRecord(object, id, signal) });

  const submit = async () => {
    setBusy(true);
    try {
      await approvals.submit(object, id, comment.trim() || undefined);
      toast({ tone: 'success', title: t('record.submitted') });
      setOpen(false);
      setComment('');
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: recordKeys.one(session.tenant, object, id) }),
        queryClient.invalidateQueries({ queryKey: inboxKey(session.tenant, session.user.id) }),
      ]);
    } catch (e) {
      const message =
        isApiError(e, 'BAD_REQUEST') || isApiError(e, 'VALIDATION_FAILED')
          ? t('record.noWorkflow')
          : (e as Error).message;
      toast({ tone: 'error', title: message });
    } finally {
      setBusy(false);
    }
  };

  const recall = async () => {
    if (!recalling) return;
    setBusy(true);
    try {
      await approvals.recall(recalling.id, comment.trim() || undefined);
      toast({ tone: 'success', title: t('webApp.recalled') });
      setRecalling(undefined);
      setComment('');
    } catch (e) {
      toast({ tone: 'error', title: t('webApp.recallFailed', { message: (e as Error).message }) });
    } finally {
      setBusy(false);
      // Decided meanwhile or recalled: either way the record and the list have moved on.
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: recordKeys.one(session.tenant, object, id) }),
        queryClient.invalidateQueries({ queryKey: inboxKey(session.tenant, session.user.id) }),
      ]);
    }
  };
  const canRecall = (inst: ApprovalInstance) =>
    inst.status === 'pending' && (session.isAdmin || idOf(inst.submittedBy) === session.user.id);

  // The server says whether a submit would start a workflow (an active one whose trigger holds for
  // this record, and the user may update it): the button is offered only then, never to fail after
  // the click. Approved records are done; pending ones are already in flight.
  const available = submitOptionOf(list.data)?.available === true;
  const canSubmit = available && status !== 'pending' && status !== 'approved';
  let body: React.ReactNode;
  if (list.isPending) body = <LoadingState compact label={t('common.loading')} />;
  else if (list.isError)
    body = isEndpointMissing(list.error) ? (
      <EmptyState compact title={t('record.approvalsUnavailable')} />
    ) : (
      <ErrorState compact title={t('errors.title')} body={list.error.message} />
    );
  else {
    const items = instancesOf(list.data);
    body =
      items.length === 0 ? (
        <EmptyState compact title={t('record.approvalsEmpty')} />
      ) : (
        items.map((inst) => (
          <Steps
            key={inst.id}
            instance={inst}
            lang={lang}
            onRecall={canRecall(inst) ? () => setRecalling(inst) : undefined}
          />
        ))
      );
  }
  return (
    <div className="f-approvals-panel">
      <div className="f-approvals-panel__bar">
        <ApprovalBadge status={status ?? 'none'} />
        {canSubmit && (
          <Button variant="primary" icon={<Send size={16} aria-hidden="true" />} onClick={() => setOpen(true)}>
            {t('record.submit')}
          </Button>
        )}
        {list.isSuccess && !available && status !== 'pending' && (
          <span className="f-approvals-panel__note">{t('record.noWorkflow')}</span>
        )}
      </div>
      {body}
      <Dialog
        open={open}
        onOpenChange={setOpen}
        title={t('record.submit')}
        closeLabel={t('common.close')}
        footer={
          <>
            <Button onClick={() => setOpen(false)}>{t('common.cancel')}</Button>
            <Button variant="primary" loading={busy} onClick={() => void submit()}>
              {t('record.submit')}
            </Button>
          </>
        }
      >
        <label className="f-field">
          <span className="f-field__label">{t('record.submitComment')}</span>
          <textarea className="f-textarea" rows={3} value={comment} onChange={(e) => setComment(e.target.value)} />
        </label>
      </Dialog>
      <Dialog
        open={recalling !== undefined}
        onOpenChange={(o) => !o && setRecalling(undefined)}
        title={t('webApp.recallTitle')}
        description={t('webApp.recallBody')}
        closeLabel={t('common.close')}
        footer={
          <>
            <Button onClick={() => setRecalling(undefined)}>{t('common.cancel')}</Button>
            <Button variant="danger" loading={busy} onClick={() => void recall()}>
              {t('webApp.recall')}
            </Button>
          </>
        }
      >
        <label className="f-field">
          <span className="f-field__label">{t('webApp.recallComment')}</span>
          <textarea className="f-textarea" rows={3} value={comment} onChange={(e) => setComment(e.target.value)} />
        </label>
      </Dialog>
    </div>
  );
}
