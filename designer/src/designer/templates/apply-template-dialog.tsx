import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { AlertTriangle, CheckCircle2, Database } from 'lucide-react';
import { useApi } from '../../api/api-context';
import { Badge, Button, Dialog, Spinner } from '../../ui';
import { describePublishError } from '../common';
import { templatePlanGroups } from './template-plan-groups';
import { applyTemplate, planTemplate, type TemplateApplyResult, type TemplateInfo } from './templates-api';
import '../common/publish-dialog.css';

interface ApplyTemplateDialogProps {
  template: TemplateInfo | null;
  onOpenChange: (open: boolean) => void;
  onApplied: (result: TemplateApplyResult, template: TemplateInfo) => void;
}

/** Shows what applying a template would change (the server's plan) before anything is applied. */
export function ApplyTemplateDialog({ template, onOpenChange, onApplied }: ApplyTemplateDialogProps) {
  const { t, i18n } = useTranslation();
  const client = useApi();
  const queryClient = useQueryClient();
  const sampleId = useId();
  const ackId = useId();
  const [sampleData, setSampleData] = useState(false);
  const [ack, setAck] = useState(false);
  const open = template !== null;
  const plan = useQuery({
    queryKey: ['designer', 'template-plan', template?.name],
    queryFn: () => planTemplate(client, template?.name ?? ''),
    enabled: open,
    // A plan is only true for the metadata of the moment it was made.
    gcTime: 0,
    staleTime: 0,
  });
  const apply = useMutation({
    mutationFn: () => applyTemplate(client, template?.name ?? '', { sampleData, allowDestructive: ack }),
    onSuccess: async (result) => {
      await queryClient.invalidateQueries({ queryKey: ['meta'] });
      if (template) onApplied(result, template);
      onOpenChange(false);
    },
  });
  const { reset } = apply;
  useEffect(() => {
    if (!open) return;
    setSampleData(false);
    setAck(false);
    reset();
  }, [open, reset]);

  const p = plan.data;
  const groups = templatePlanGroups(t, i18n.language, p?.changes);
  const counts = template?.sampleCounts;
  const blocked = (p?.conflicts.length ?? 0) > 0;
  const canApply = !!p && !blocked && (!p.destructive || ack) && (p.changed || sampleData);
  const failure = plan.error ?? apply.error;
  return (
    <Dialog
      open={open}
      onOpenChange={(o) => !apply.isPending && onOpenChange(o)}
      title={t('templateGallery.applyTitle', { label: template?.label ?? '' })}
      description={t('templateGallery.applyBody')}
      closeLabel={t('common.close')}
      width={640}
      footer={
        <>
          <Button onClick={() => onOpenChange(false)} disabled={apply.isPending}>
            {t('common.cancel')}
          </Button>
          <Button
            variant={p?.destructive ? 'danger' : 'primary'}
            disabled={!canApply}
            loading={apply.isPending}
            onClick={() => apply.mutate()}
          >
            {t('templateGallery.confirmApply')}
          </Button>
        </>
      }
    >
      <div className="f-publish" aria-live="polite">
        {plan.isPending && (
          <p className="f-publish__status">
            <Spinner size={16} /> {t('templateGallery.planning')}
          </p>
        )}
        {p && template?.hasSampleData && (
          // First: whether to bring the sample data changes what the admin gets more than any line below.
          <label className="f-publish__ack f-tpl-sample" htmlFor={sampleId}>
            <input
              id={sampleId}
              type="checkbox"
              checked={sampleData}
              onChange={(e) => setSampleData(e.target.checked)}
            />
            <span>
              {t('templateGallery.withSampleData')}
              {counts && (
                <span className="f-tpl-sample__counts">
                  {' '}
                  {t('templateGallery.sampleCounts', {
                    users: t('templateGallery.sampleUsersCount', { count: counts.users }),
                    records: t('templateGallery.sampleRecordsCount', { count: counts.records }),
                  })}
                </span>
              )}
            </span>
          </label>
        )}
        {failure && (
          <div className="f-publish__alert" role="alert">
            <p>
              <strong>{describePublishError(failure).message}</strong>
            </p>
            {describePublishError(failure).problems.length > 0 && (
              <ul>
                {describePublishError(failure).problems.map((pr, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: problems may repeat a path
                  <li key={i}>
                    {pr.path && <code>{pr.path}</code>} {pr.message}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
        {p && !p.changed && (
          <p className="f-publish__status">
            <CheckCircle2 size={16} aria-hidden="true" /> {t('templateGallery.unchanged')}
          </p>
        )}
        {p?.changed && (
          <>
            {groups.length > 0 && (
              <div className="f-tpl-plan" data-testid="template-plan-summary">
                {groups.map((g) => (
                  <section key={g.key} className="f-tpl-plan__group" aria-label={g.heading}>
                    <h3 className="f-publish__heading">{g.heading}</h3>
                    <ul className="f-publish__summary f-publish__changes">
                      {g.lines.map((l) => (
                        <li key={l.key}>{l.text}</li>
                      ))}
                    </ul>
                  </section>
                ))}
              </div>
            )}
            <details className="f-tpl-plan__steps">
              <summary className="f-publish__heading">{t('templateGallery.steps', { count: p.steps.length })}</summary>
              <ol className="f-publish__steps">
                {p.steps.map((s, i) => (
                  <li
                    // biome-ignore lint/suspicious/noArrayIndexKey: steps are an ordered list without ids
                    key={i}
                    className={s.destructive ? 'f-publish__step f-publish__step--destructive' : 'f-publish__step'}
                  >
                    <details>
                      <summary>
                        {s.destructive ? (
                          <AlertTriangle size={14} aria-hidden="true" />
                        ) : (
                          <Database size={14} aria-hidden="true" />
                        )}
                        <span className="f-publish__step-text">{s.description ?? s.kind}</span>
                        {s.destructive && <Badge>{t('templateGallery.destructive')}</Badge>}
                      </summary>
                      {s.sql && <pre className="f-publish__sql">{s.sql}</pre>}
                    </details>
                  </li>
                ))}
              </ol>
            </details>
            {blocked && (
              <div className="f-publish__alert" role="alert">
                <ul>
                  {p.conflicts.map((c, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: conflicts have no ids
                    <li key={i}>
                      {c.message} {c.path && <code>{c.path}</code>}
                    </li>
                  ))}
                </ul>
              </div>
            )}
            {p.destructive && !blocked && (
              <label className="f-publish__ack" htmlFor={ackId}>
                <input id={ackId} type="checkbox" checked={ack} onChange={(e) => setAck(e.target.checked)} />
                <span>{t('templateGallery.allowDestructive')}</span>
              </label>
            )}
          </>
        )}
      </div>
    </Dialog>
  );
}
