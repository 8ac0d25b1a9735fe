import { useQueryClient } from '@tanstack/react-query';
import { useSession } from '../../session/session-context';
import { metaDocumentKey } from '../objects/use-meta-document';
import { AlertTriangle, CheckCircle2, ChevronRight, Database } from 'lucide-react';
import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/api-context';
import { issueText } from '../../i18n/error-text';
import { Badge, Button, Dialog, Spinner } from '../../ui';
import {
  type FullMetaDocument,
  type MetaDocument,
  type MetaPlan,
  type PublishSource,
  applyPublish,
  planPublish,
} from './meta-write-api';
import { planChangeLines } from './plan-change-text';
import {
  type PublishFailure,
  type PublishProblem,
  describePublishError,
  localizedProblem,
  sectionLabel,
  summaryLines,
} from './publish-problems';
import './publish-dialog.css';

export interface PublishDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** The (partial) document to publish; ignored when `revertTo` is given. */
  document: Partial<MetaDocument>;
  /** Publish a revert to this earlier version instead (its own plan is shown first). */
  revertTo?: number;
  onPublished: (version: number) => void;
  title?: string;
  /**
   * A refused plan or apply, before the dialog shows it: answer true when the screen shows the
   * problem itself (a script's compile errors at their line), and the dialog closes.
   */
  onFailed?: (error: unknown) => boolean;
}

type State =
  | { phase: 'planning' }
  | { phase: 'planned'; plan: MetaPlan }
  | { phase: 'applying'; plan: MetaPlan }
  | { phase: 'failed'; failure: PublishFailure; plan?: MetaPlan };

/**
 * Every designer change goes through here: the server plans the change (nothing happens yet), the
 * admin reads the steps — destructive ones must be acknowledged — and only then is it applied,
 * against the very version the plan was made for.
 */
export function PublishDialog({
  open,
  onOpenChange,
  document,
  revertTo,
  onPublished,
  title,
  onFailed,
}: PublishDialogProps) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const queryClient = useQueryClient();
  const [state, setState] = useState<State>({ phase: 'planning' });
  const [ack, setAck] = useState(false);
  const [attempt, setAttempt] = useState(0);
  // Set when the admin chose to review the change against a version newer than the one edited.
  const [overNewer, setOverNewer] = useState(false);
  const ackId = useId();
  // The version the editor loaded (`document.version`): a change published since then by someone
  // else is reported instead of being overwritten silently.
  const baseVersion = revertTo === undefined ? document.version : undefined;
  const source = (): PublishSource => {
    if (revertTo !== undefined) return { revertTo };
    const { version: _v, ...rest } = document;
    return { document: rest };
  };

  useEffect(() => {
    if (open) setOverNewer(false);
  }, [open]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new plan per opening (or retry), with the document as it is then.
  useEffect(() => {
    if (!open) return;
    let live = true;
    setState({ phase: 'planning' });
    setAck(false);
    planPublish(api, source()).then(
      (plan) => {
        if (!live) return;
        if (baseVersion !== undefined && !overNewer && plan.version !== baseVersion)
          setState({
            phase: 'failed',
            failure: { kind: 'stale', message: '', problems: [], currentVersion: plan.version },
          });
        else setState({ phase: 'planned', plan });
      },
      (e) => {
        if (!live) return;
        if (onFailed?.(e)) onOpenChange(false);
        else setState({ phase: 'failed', failure: describePublishError(e) });
      },
    );
    return () => {
      live = false;
    };
  }, [open, attempt, revertTo, api, overNewer]);

  const plan = state.phase === 'planned' || state.phase === 'applying' ? state.plan : undefined;
  const blocked = (plan?.conflicts.length ?? 0) > 0;
  const canPublish = !!plan && plan.changed && !blocked && (!plan.destructive || ack) && state.phase === 'planned';

  async function publish() {
    if (!plan) return;
    setState({ phase: 'applying', plan });
    try {
      const expectedVersion = baseVersion !== undefined && !overNewer ? baseVersion : plan.version;
      const res = await applyPublish(api, source(), { allowDestructive: ack, expectedVersion });
      await queryClient.invalidateQueries({ queryKey: ['meta'] });
      onPublished(res.version);
      onOpenChange(false);
    } catch (e) {
      if (onFailed?.(e)) {
        setState({ phase: 'planned', plan });
        onOpenChange(false);
      } else setState({ phase: 'failed', failure: describePublishError(e), plan });
    }
  }

  // The server's business changes when it says them; the bare summary (names) from older servers.
  const sentences = planChangeLines(t, i18n.language, plan?.changes);
  const lines = sentences.length ? [] : summaryLines(plan?.summary);
  return (
    <Dialog
      open={open}
      onOpenChange={(o) => state.phase !== 'applying' && onOpenChange(o)}
      title={
        title ??
        (revertTo !== undefined
          ? t('objectDesigner.revertTitle', { version: revertTo })
          : t('objectDesigner.publishTitle'))
      }
      closeLabel={t('common.close')}
      width={640}
      footer={
        <>
          <Button onClick={() => onOpenChange(false)} disabled={state.phase === 'applying'}>
            {t('common.cancel')}
          </Button>
          {state.phase === 'failed' &&
            (state.failure.kind === 'stale' ? (
              <Button
                onClick={() => {
                  setOverNewer(true);
                  setAttempt((n) => n + 1);
                }}
              >
                {t('objectDesigner.publishOverNewer')}
              </Button>
            ) : (
              <Button onClick={() => setAttempt((n) => n + 1)}>{t('objectDesigner.publishReplan')}</Button>
            ))}
          <Button
            variant={plan?.destructive ? 'danger' : 'primary'}
            onClick={publish}
            disabled={!canPublish}
            loading={state.phase === 'applying'}
          >
            {revertTo !== undefined ? t('objectDesigner.revertConfirm') : t('objectDesigner.publishConfirm')}
          </Button>
        </>
      }
    >
      <div className="f-publish" aria-live="polite">
        {state.phase === 'planning' && (
          <p className="f-publish__status">
            <Spinner size={16} /> {t('objectDesigner.publishPlanning')}
          </p>
        )}
        {state.phase === 'failed' && <FailureView failure={state.failure} />}
        {plan && !plan.changed && (
          <p className="f-publish__status">
            <CheckCircle2 size={16} aria-hidden="true" /> {t('objectDesigner.publishNothing')}
          </p>
        )}
        {plan?.changed && (
          <>
            {sentences.length > 0 && (
              <section aria-label={t('objectDesigner.publishSummary')}>
                <h3 className="f-publish__heading">{t('objectDesigner.publishSummary')}</h3>
                <ul className="f-publish__summary f-publish__changes">
                  {sentences.map((l) => (
                    <li key={l.key}>{l.text}</li>
                  ))}
                </ul>
              </section>
            )}
            {lines.length > 0 && (
              <section aria-label={t('objectDesigner.publishSummary')}>
                <h3 className="f-publish__heading">{t('objectDesigner.publishSummary')}</h3>
                <ul className="f-publish__summary">
                  {lines.map((l) => (
                    <li key={`${l.section}:${l.change}:${l.name}`}>
                      <Badge>{t(`objectDesigner.change_${l.change}` as const)}</Badge>
                      <span className="f-publish__section">{sectionLabel(t, l.section)}</span>
                      {labelIn(document, l.section, l.name) ? (
                        <span>“{labelIn(document, l.section, l.name)}”</span>
                      ) : (
                        <code>{l.name}</code>
                      )}
                    </li>
                  ))}
                </ul>
              </section>
            )}
            <section aria-label={t('objectDesigner.publishSteps')}>
              <h3 className="f-publish__heading">
                {t('objectDesigner.publishSteps')} <span className="f-publish__count">{plan.steps.length}</span>
              </h3>
              {plan.steps.length === 0 ? (
                <p className="f-publish__muted">{t('objectDesigner.publishNoSteps')}</p>
              ) : (
                <ol className="f-publish__steps">
                  {plan.steps.map((s, i) => (
                    <li
                      // biome-ignore lint/suspicious/noArrayIndexKey: steps are an ordered list without ids.
                      key={i}
                      className={s.destructive ? 'f-publish__step f-publish__step--destructive' : 'f-publish__step'}
                    >
                      <details>
                        <summary>
                          <ChevronRight size={14} aria-hidden="true" className="f-publish__chevron" />
                          {s.destructive ? (
                            <AlertTriangle size={14} aria-hidden="true" />
                          ) : (
                            <Database size={14} aria-hidden="true" />
                          )}
                          <span className="f-publish__step-text">{s.description ?? s.kind}</span>
                          {s.destructive && <Badge>{t('objectDesigner.publishDestructive')}</Badge>}
                        </summary>
                        {s.sql && <pre className="f-publish__sql">{s.sql}</pre>}
                      </details>
                    </li>
                  ))}
                </ol>
              )}
            </section>
            {blocked && (
              <div className="f-publish__alert" role="alert">
                <p>{t('objectDesigner.publishConflicts')}</p>
                <ul>
                  {plan.conflicts.map((c, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: conflicts have no ids.
                    <li key={i}>
                      {c.message} {c.path && <code>{c.path}</code>}
                    </li>
                  ))}
                </ul>
              </div>
            )}
            {plan.destructive && !blocked && (
              <label className="f-publish__ack" htmlFor={ackId}>
                <input id={ackId} type="checkbox" checked={ack} onChange={(e) => setAck(e.target.checked)} />
                <span>{t('objectDesigner.publishAck')}</span>
              </label>
            )}
          </>
        )}
      </div>
    </Dialog>
  );
}

/** The label the published document gives an item (people read "Deal won → notify manager", not its name). */
function labelIn(document: Partial<MetaDocument>, section: string, name: string): string | undefined {
  const item = (document as Record<string, Record<string, unknown> | undefined>)[section]?.[name];
  const label = item && typeof item === 'object' ? (item as { label?: unknown }).label : undefined;
  return typeof label === 'string' && label ? label : undefined;
}

function FailureView({ failure }: { failure: PublishFailure }) {
  const { t, i18n } = useTranslation();
  // Coded problems (workflow graph and metadata issues) in the admin's language; the rest as the server said them.
  const queryClient = useQueryClient();
  const session = useSession();
  const published = queryClient.getQueryData<FullMetaDocument>(metaDocumentKey(session.tenant));
  const problemText = (p: PublishProblem) =>
    issueText(t, (k) => i18n.exists(k), localizedProblem(p, published, i18n.language));
  // Coded problems say all the server's message does, in the admin's language.
  const saidByProblems = failure.problems.length > 0 && failure.problems.every((p) => p.code);
  const lead =
    failure.kind === 'invalid'
      ? t('objectDesigner.publishInvalid')
      : failure.kind === 'stale'
        ? t('objectDesigner.publishStale')
        : failure.kind === 'conflict'
          ? t('objectDesigner.publishRefused')
          : t('objectDesigner.publishFailed');
  return (
    <div className="f-publish__alert" role="alert">
      <p>
        <strong>{lead}</strong> {/* The server's message repeats its issues; the list below says it better. */}
        {failure.kind !== 'stale' &&
          !(failure.kind === 'invalid' && failure.problems.length > 0) &&
          !saidByProblems &&
          failure.message}
      </p>
      {failure.problems.length > 0 && (
        <ul>
          {failure.problems.map((p, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: problems may repeat a path.
            <li key={i}>
              {p.path && <code>{p.path}</code>} {problemText(p)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
