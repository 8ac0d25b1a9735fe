import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Check, CheckCircle2, Forward, Inbox, X } from 'lucide-react';
import { useApi } from '../api/api-context';
import { isApiError } from '../api/api-error';
import { type InboxItem, idOf, nameOf } from '../approvals/approvals-api';
import { inboxKey, useApprovalsApi, useInbox } from '../approvals/use-approvals';
import { fieldLabel, itemLabel, objectLabel } from '../i18n/pick-label';
import { useLocale } from '../i18n/use-locale';
import { useAppMeta } from '../meta/use-app-meta';
import { labelFieldOf } from '../records/field-kind';
import { formatValue } from '../records/format-value';
import { LookupValue } from '../records/lookup-value';
import { isEndpointMissing, recordKeys } from '../records/use-records-api';
import { useSession } from '../session/session-context';
import { Button, Card, Dialog, EmptyState, ErrorState, LoadingState, Page, PageHeader, useToast } from '../ui';
import './approvals-page.css';

type Decision = { kind: 'approve' | 'reject' | 'delegate'; item: InboxItem };

interface UserRow {
  id: string;
  name?: string;
  email?: string;
}

/** `/approvals`: the current user's approval tasks, decided in place. */
export function ApprovalsPage() {
  const { t } = useTranslation();
  const { locale } = useLocale();
  const inbox = useInbox();
  const meta = useAppMeta();
  const [decision, setDecision] = useState<Decision | null>(null);
  const when = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });

  let body: React.ReactNode;
  if (inbox.isPending) body = <LoadingState label={t('common.loading')} />;
  else if (inbox.isError)
    body = isEndpointMissing(inbox.error) ? (
      <EmptyState
        icon={<Inbox size={22} aria-hidden="true" />}
        headingLevel={2}
        title={t('approvals.unavailableTitle')}
        body={t('approvals.unavailableBody')}
      />
    ) : (
      <ErrorState
        headingLevel={2}
        title={t('errors.title')}
        body={inbox.error.message}
        action={<Button onClick={() => void inbox.refetch()}>{t('common.retry')}</Button>}
      />
    );
  else if (inbox.data.items.length === 0)
    body = (
      <EmptyState
        icon={<CheckCircle2 size={22} aria-hidden="true" />}
        headingLevel={2}
        title={t('approvals.emptyTitle')}
        body={t('approvals.emptyBody')}
      />
    );
  else
    body = (
      <ul className="f-inbox">
        {inbox.data.items.map((item) => {
          const schema = meta.data?.objects[item.object];
          const recordId = idOf(item.record);
          const labelField = labelFieldOf(schema);
          const fromFields = labelField ? item.fields?.[labelField] : undefined;
          const recordName =
            item.recordLabel ??
            (typeof fromFields === 'string' && fromFields ? fromFields : nameOf(item.record, recordId));
          return (
            <li key={item.task}>
              <Card as="article" className="f-inbox__item">
                <div className="f-inbox__main">
                  <p className="f-inbox__object">{objectLabel(item.object, schema, locale)}</p>
                  <h2 className="f-inbox__title">
                    <Link to={`/o/${item.object}/${recordId}`}>{recordName}</Link>
                  </h2>
                  <p className="f-inbox__meta">
                    {t('approvals.step', {
                      step: itemLabel({ label: item.stepLabel ?? nameOf(item.step), 'x-i18n': item.stepI18n }, locale),
                    })}{' '}
                    ·{' '}
                    {t('approvals.submittedBy', {
                      name: nameOf(item.submittedBy, t('record.someone')),
                      when: Number.isNaN(Date.parse(item.submittedAt))
                        ? item.submittedAt
                        : when.format(new Date(item.submittedAt)),
                    })}
                  </p>
                  {/* What the decision is about: the fields the workflow's step names (amount, discount, total). */}
                  {schema && (item.show ?? []).some((f) => item.fields && f in item.fields) && (
                    <dl className="f-inbox__fields">
                      {(item.show ?? [])
                        .filter((f) => item.fields && f in item.fields)
                        .map((f) => {
                          const field = schema.properties?.[f];
                          const ref = f === 'owner' ? 'user' : field?.['x-ref'];
                          const value = item.fields?.[f];
                          return (
                            <div key={f} className="f-inbox__field">
                              <dt>{fieldLabel(schema, f, locale)}</dt>
                              <dd>
                                {typeof ref === 'string' && typeof value === 'string' ? (
                                  <LookupValue target={ref} value={value} />
                                ) : (
                                  formatValue(field, value, locale) || '—'
                                )}
                              </dd>
                            </div>
                          );
                        })}
                    </dl>
                  )}
                  {item.comment && <q className="f-inbox__comment">{item.comment}</q>}
                </div>
                <div className="f-inbox__actions">
                  <Button
                    variant="primary"
                    icon={<Check size={16} aria-hidden="true" />}
                    onClick={() => setDecision({ kind: 'approve', item })}
                    aria-label={`${t('approvals.approve')}: ${recordName}`}
                  >
                    {t('approvals.approve')}
                  </Button>
                  <Button
                    variant="danger"
                    icon={<X size={16} aria-hidden="true" />}
                    onClick={() => setDecision({ kind: 'reject', item })}
                    aria-label={`${t('approvals.reject')}: ${recordName}`}
                  >
                    {t('approvals.reject')}
                  </Button>
                  <Button
                    variant="ghost"
                    icon={<Forward size={16} aria-hidden="true" />}
                    onClick={() => setDecision({ kind: 'delegate', item })}
                    aria-label={`${t('approvals.delegate')}: ${recordName}`}
                  >
                    {t('approvals.delegate')}
                  </Button>
                </div>
              </Card>
            </li>
          );
        })}
      </ul>
    );

  return (
    <Page>
      <PageHeader
        title={t('approvals.title')}
        subtitle={t('approvals.subtitle')}
        icon={<Inbox size={22} aria-hidden="true" />}
      />
      {body}
      {decision && <DecisionDialog decision={decision} onDone={() => setDecision(null)} />}
    </Page>
  );
}

function DecisionDialog({ decision, onDone }: { decision: Decision; onDone: () => void }) {
  const { t } = useTranslation();
  const approvals = useApprovalsApi();
  const api = useApi();
  const session = useSession();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [comment, setComment] = useState('');
  const [to, setTo] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const { kind, item } = decision;
  const users = useQuery({
    queryKey: ['users', session.tenant],
    queryFn: ({ signal }) => api.get<UserRow[] | { items: UserRow[] }>('/api/users', { signal }),
    enabled: kind === 'delegate',
  });
  const colleagues = (Array.isArray(users.data) ? users.data : (users.data?.items ?? [])).filter(
    (u) => u.id !== session.user.id,
  );

  const run = async () => {
    if (kind === 'reject' && !comment.trim()) return setError(t('approvals.commentRequired'));
    if (kind === 'delegate' && !to) return setError(t('approvals.delegateChoose'));
    setBusy(true);
    try {
      if (kind === 'approve') await approvals.approve(item.task, comment.trim() || undefined);
      else if (kind === 'reject') await approvals.reject(item.task, comment.trim());
      else await approvals.delegate(item.task, to);
      toast({
        tone: 'success',
        title: t(`approvals.${kind === 'approve' ? 'approved' : kind === 'reject' ? 'rejected' : 'delegated'}`),
      });
      onDone();
    } catch (e) {
      if (isApiError(e, 'CONFLICT') || isApiError(e, 'NOT_FOUND')) {
        toast({ tone: 'info', title: t('approvals.alreadyDecided') });
        onDone();
      } else setError((e as Error).message);
    } finally {
      setBusy(false);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: inboxKey(session.tenant, session.user.id) }),
        queryClient.invalidateQueries({ queryKey: recordKeys.object(session.tenant, item.object) }),
      ]);
    }
  };

  const title = t(
    kind === 'approve'
      ? 'approvals.approveTitle'
      : kind === 'reject'
        ? 'approvals.rejectTitle'
        : 'approvals.delegateTitle',
  );
  return (
    <Dialog
      open
      onOpenChange={(o) => !o && onDone()}
      title={title}
      closeLabel={t('common.close')}
      footer={
        <>
          <Button onClick={onDone}>{t('common.cancel')}</Button>
          <Button variant={kind === 'reject' ? 'danger' : 'primary'} loading={busy} onClick={() => void run()}>
            {t(`approvals.${kind}`)}
          </Button>
        </>
      }
    >
      <form
        className="f-decision"
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        {kind === 'delegate' ? (
          <label className="f-field">
            <span className="f-field__label">{t('approvals.delegateTo')}</span>
            <select
              className="f-select"
              value={to}
              onChange={(e) => setTo(e.target.value)}
              aria-invalid={error ? true : undefined}
            >
              <option value="">{t('approvals.delegateChoose')}</option>
              {colleagues.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name ? (u.email ? `${u.name} (${u.email})` : u.name) : (u.email ?? u.id)}
                </option>
              ))}
            </select>
            {users.isSuccess && colleagues.length === 0 && (
              <span className="f-field__hint">{t('approvals.noUsers')}</span>
            )}
          </label>
        ) : (
          <label className="f-field">
            <span className="f-field__label">
              {t('approvals.comment')}
              {kind === 'reject' && <span className="f-field__required"> *</span>}
            </span>
            <textarea
              className="f-textarea"
              rows={3}
              value={comment}
              onChange={(e) => setComment(e.target.value)}
              aria-invalid={error ? true : undefined}
              required={kind === 'reject'}
            />
          </label>
        )}
        {error && (
          <p className="f-field__error" role="alert">
            {error}
          </p>
        )}
      </form>
    </Dialog>
  );
}
