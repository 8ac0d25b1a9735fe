import { FlaskConical } from 'lucide-react';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/api-context';
import { isApiError } from '../../api/api-error';
import { fieldLabel } from '../../i18n/pick-label';
import type { ObjectSchema } from '../../meta/meta-types';
import { type FormDoc, buildRecordForm } from '../../records/form-schema';
import { RecordFormView } from '../../records/record-form';
import { Button } from '../../ui';
import { handlesOf, typeLabel, useNodeCatalog } from './node-catalog';
import type { Outcome, WorkflowDefinition } from './workflow-model';
import { type SimulationResult, simulateWorkflow } from './workflows-api';

/**
 * A sample record (the object's own form) walked through the draft on the server: the path lights
 * up on the canvas. Approval steps approve unless the admin flips them to reject here.
 */
export function SimulationPanel({
  name,
  def,
  object,
  form,
  onResult,
  result,
}: {
  name: string;
  def: WorkflowDefinition;
  object: ObjectSchema | undefined;
  form: FormDoc | undefined;
  result: SimulationResult | null;
  onResult: (r: SimulationResult | null, error?: string) => void;
}) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const [data, setData] = useState<Record<string, unknown>>({});
  const [decisions, setDecisions] = useState<Record<string, Outcome>>({});
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const recordForm = useMemo(
    () => (object ? buildRecordForm(object, form, i18n.language) : undefined),
    [object, form, i18n.language],
  );
  const catalog = useNodeCatalog();
  // Steps a person decides: those whose type leaves by an outcome (approved / rejected).
  const approvals = def.nodes.filter((n) => handlesOf(catalog, n.type).some((h) => h.edgeData?.outcome));
  const resultRef = useRef<HTMLDivElement>(null);
  // The answer lands below a long form: bring it into view.
  useEffect(() => {
    if (result) resultRef.current?.scrollIntoView({ block: 'nearest' });
  }, [result]);

  async function run() {
    setRunning(true);
    setError(null);
    try {
      onResult(await simulateWorkflow(api, name, { record: data, definition: def, decisions }));
    } catch (e) {
      const message = isApiError(e, 'VALIDATION_FAILED')
        ? t('workflowDesigner.simulateInvalid')
        : e instanceof Error
          ? e.message
          : String(e);
      setError(message);
      onResult(null, message);
    } finally {
      setRunning(false);
    }
  }

  // People read steps by name: an unnamed step is called by its type (as on its card), never its id.
  const label = (id: string) => {
    const n = def.nodes.find((x) => x.id === id);
    return n ? n.data.label || typeLabel(catalog, n.type, i18n.language) : id;
  };
  return (
    <div className="f-wf-props f-wf-sim">
      <h2 className="f-wf-props__title">{t('workflowDesigner.simulateTitle')}</h2>
      <p className="f-field__hint">{t('workflowDesigner.simulateHint')}</p>
      {recordForm ? (
        <RecordFormView form={recordForm} data={data} onChange={setData} onSubmit={run} extraErrors={undefined}>
          <span />
        </RecordFormView>
      ) : (
        <p className="f-field__hint">{t('workflowDesigner.noObject')}</p>
      )}
      {approvals.length > 0 && (
        <fieldset className="f-wf-fieldset">
          <legend>{t('workflowDesigner.decisions')}</legend>
          {approvals.map((n) => (
            <label key={n.id} className="f-wf-decision">
              <span>{label(n.id)}</span>
              <select
                className="f-input__control f-wf-select"
                value={decisions[n.id] ?? 'approved'}
                onChange={(e) => setDecisions({ ...decisions, [n.id]: e.target.value as Outcome })}
              >
                <option value="approved">{t('workflowDesigner.outcome_approved')}</option>
                <option value="rejected">{t('workflowDesigner.outcome_rejected')}</option>
              </select>
            </label>
          ))}
        </fieldset>
      )}
      <Button variant="primary" icon={<FlaskConical size={15} aria-hidden="true" />} loading={running} onClick={run}>
        {t('workflowDesigner.simulateRun')}
      </Button>
      {error && (
        <p className="f-wf-sim__error" role="alert">
          {error}
        </p>
      )}
      {result && (
        <div className="f-wf-sim__result" aria-live="polite" ref={resultRef}>
          <p>{result.triggered ? t('workflowDesigner.simTriggered') : t('workflowDesigner.simNotTriggered')}</p>
          {object && Object.keys(result.computed ?? {}).length > 0 && (
            <p className="f-wf-sim__computed" data-testid="sim-computed">
              {t('workflowDesigner.simComputed', {
                values: Object.entries(result.computed ?? {})
                  .map(([f, v]) => `${fieldLabel(object, f, i18n.language)} = ${v ?? '—'}`)
                  .join(', '),
              })}
            </p>
          )}
          <ol className="f-wf-sim__path">
            {result.steps.map((s, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a path may visit a step twice.
              <li key={i}>
                {label(s.node)}
                {s.decision && ` (${t(`workflowDesigner.outcome_${s.decision}` as const)})`}
              </li>
            ))}
          </ol>
          <p className="f-wf-sim__outcome">
            {result.outcome
              ? t('workflowDesigner.simOutcome', { outcome: t(`workflowDesigner.outcome_${result.outcome}` as const) })
              : t('workflowDesigner.simNoEnd')}
          </p>
        </div>
      )}
    </div>
  );
}
