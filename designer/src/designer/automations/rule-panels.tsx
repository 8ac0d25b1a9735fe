import { useQuery } from '@tanstack/react-query';
import { CheckCircle2, FlaskConical, MinusCircle, XCircle } from 'lucide-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useApi } from '../../api/api-context';
import { fieldLabel, objectLabel } from '../../i18n/pick-label';
import type { ObjectSchema } from '../../meta/meta-types';
import { labelFieldOf } from '../../records/field-kind';
import { Badge, Button, Card, EmptyState, ErrorState, LoadingState } from '../../ui';
import { SelectField } from '../objects/controls';
import { actionName } from './automations-page';
import { type DryRunResult, fetchRuns, searchRecords } from './automations-api';

function Verdict({ value, label }: { value: boolean | null; label: string }) {
  const { t } = useTranslation();
  const Icon = value === null ? MinusCircle : value ? CheckCircle2 : XCircle;
  const text =
    value === null ? t('automations.notSet') : value ? t('automations.matched') : t('automations.notMatched');
  return (
    <li className={`f-auto-verdict f-auto-verdict--${value === null ? 'none' : value ? 'yes' : 'no'}`}>
      <Icon size={16} aria-hidden="true" />
      <span>{label}:</span> <strong>{text}</strong>
    </li>
  );
}

/** Test run: pick a record, see what the draft would do on it; nothing is saved (a rolled-back run). */
export function TestRunPanel({
  object,
  schema,
  onRun,
}: {
  object: string;
  schema: ObjectSchema | undefined;
  onRun: (record: string) => Promise<DryRunResult | undefined>;
}) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const [record, setRecord] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<DryRunResult | undefined>();
  const labelField = labelFieldOf(schema) ?? 'id';
  const records = useQuery({
    queryKey: ['automation-test-records', object],
    queryFn: ({ signal }) => searchRecords(api, object, labelField, '', signal),
  });
  const objects = { [object]: schema };
  const describe = (a: DryRunResult['actions'][number]) => {
    if (a.notRun) return t('automations.notRunInTest');
    if (a.type === 'notify')
      return t('automations.wouldNotify', {
        people: (a.people ?? []).map((p) => p.name).join(', ') || t('automations.nobody'),
        title: a.title ?? '',
      });
    if ((a.type === 'set' || a.type === 'create') && a.values) {
      const target = a.type === 'create' ? (a.object ?? object) : object;
      const values = Object.entries(a.values)
        .map(
          ([f, v]) =>
            `${fieldLabel(target === object ? schema : undefined, f, i18n.language)} = ${v === null ? '—' : String(v)}`,
        )
        .join(', ');
      return a.type === 'create'
        ? t('automations.wouldCreate', { object: objectLabel(target, objects[target], i18n.language), values })
        : t('automations.wouldSet', { values });
    }
    return t('automations.wouldRunAction');
  };
  return (
    <Card title={t('automations.testTitle')} className="f-auto-panel">
      <p className="f-item-editor__muted">{t('automations.testHint')}</p>
      <SelectField
        label={t('automations.testRecord')}
        value={record}
        options={[
          { value: '', label: records.isPending ? t('common.loading') : t('conditions.choose') },
          ...(records.data ?? []).map((r) => ({ value: r.id, label: r.label })),
        ]}
        onChange={setRecord}
      />
      <Button
        icon={<FlaskConical size={16} aria-hidden="true" />}
        disabled={!record}
        loading={busy}
        onClick={async () => {
          setBusy(true);
          try {
            setResult(await onRun(record));
          } finally {
            setBusy(false);
          }
        }}
      >
        {t('automations.runTest')}
      </Button>
      {result && (
        <section className="f-auto-result" aria-label={t('automations.testResult')} aria-live="polite">
          <h3>{t('automations.testOn', { record: result.record.label })}</h3>
          <ul className="f-auto-verdicts">
            <Verdict value={result.when} label={t('automations.conditionsTab')} />
            <Verdict value={result.condition} label={t('automations.advancedTab')} />
          </ul>
          <p className={result.wouldRun ? 'f-auto-would f-auto-would--yes' : 'f-auto-would'}>
            {result.wouldRun ? t('automations.wouldRun') : t('automations.wouldNotRun')}
          </p>
          <ol className="f-auto-result__actions">
            {result.actions.map((a, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: actions are ordered and have no ids.
              <li key={i}>
                <strong>{actionName(t, a.type)}</strong>: {describe(a)}
              </li>
            ))}
          </ol>
          {result.error && (
            <p className="f-field__error" role="alert">
              {t('automations.testFailed', { error: result.error })}
            </p>
          )}
        </section>
      )}
    </Card>
  );
}

/** The rule's last runs: when, on which record, what started it, how it ended. */
export function RunLogPanel({ name, object, published }: { name: string; object: string; published: boolean }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const runs = useQuery({
    queryKey: ['automation-runs', name],
    queryFn: ({ signal }) => fetchRuns(api, name, signal),
    enabled: published,
  });
  const fmt = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeStyle: 'short' });
  return (
    <Card
      title={t('automations.runLog')}
      className="f-auto-panel"
      actions={
        published ? (
          <Button size="sm" variant="ghost" onClick={() => runs.refetch()} loading={runs.isFetching}>
            {t('automations.refresh')}
          </Button>
        ) : undefined
      }
    >
      {!published ? (
        <p className="f-item-editor__muted">{t('automations.runLogUnpublished')}</p>
      ) : runs.isPending ? (
        <LoadingState compact label={t('common.loading')} />
      ) : runs.isError ? (
        <ErrorState compact title={t('automations.runLogFailed')} body={runs.error.message} />
      ) : !runs.data.length ? (
        <EmptyState compact title={t('automations.noRuns')} body={t('automations.noRunsBody')} />
      ) : (
        <table className="f-auto-runs">
          <caption className="f-sr-only">{t('automations.runLog')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('automations.runAt')}</th>
              <th scope="col">{t('automations.runRecord')}</th>
              <th scope="col">{t('automations.runOutcome')}</th>
            </tr>
          </thead>
          <tbody>
            {runs.data.map((r) => (
              <tr key={r.id}>
                <td>{fmt.format(new Date(r.at))}</td>
                <td>
                  {r.recordLabel ? (
                    <Link to={`/o/${r.object ?? object}/${r.record}`}>{r.recordLabel}</Link>
                  ) : (
                    <span className="f-item-editor__muted">{t('automations.deletedRecord')}</span>
                  )}
                  {r.trigger && (
                    <span className="f-item-editor__muted">
                      {' '}
                      · {t(`automations.ran_${r.trigger}` as 'automations.ran_create', { defaultValue: r.trigger })}
                    </span>
                  )}
                </td>
                <td>
                  <Badge>
                    {t(`automations.outcome_${r.outcome}` as 'automations.outcome_failed', { defaultValue: r.outcome })}
                  </Badge>
                  {r.error && <p className="f-auto-run-error">{r.error}</p>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}
