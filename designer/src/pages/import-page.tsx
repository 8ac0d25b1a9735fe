import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { CheckCircle2, FileUp } from 'lucide-react';
import { isApiError } from '../api/api-error';
import { fieldLabel, objectLabel } from '../i18n/pick-label';
import { useLocale } from '../i18n/use-locale';
import type { ObjectSchema } from '../meta/meta-types';
import {
  guessMapping,
  importableFields,
  mappedCsv,
  type ParsedCsv,
  parseCsv,
  rowProblems,
} from '../records/import-mapping';
import type { ImportReport } from '../records/records-api';
import { isEndpointMissing, recordKeys, useRecordsApi } from '../records/use-records-api';
import { useSession } from '../session/session-context';
import { Button, Card, Page, PageHeader } from '../ui';
import { ObjectMetaGate } from './object-meta-gate';
import './import-page.css';

type Step = 'upload' | 'map' | 'check' | 'done';
const STEPS: Step[] = ['upload', 'map', 'check', 'done'];

/** `/o/:object/import`: upload a CSV, map its columns, dry-run, then import. */
export function ImportPage() {
  const { object = '' } = useParams();
  return (
    <ObjectMetaGate object={object}>
      {(_meta, schema) => <ImportWizard key={object} object={object} schema={schema} />}
    </ObjectMetaGate>
  );
}

function ImportWizard({ object, schema }: { object: string; schema: ObjectSchema }) {
  const { t } = useTranslation();
  const { locale } = useLocale();
  const records = useRecordsApi();
  const session = useSession();
  const queryClient = useQueryClient();
  const label = objectLabel(object, schema, locale);
  const [step, setStep] = useState<Step>('upload');
  const [fileName, setFileName] = useState('');
  const [parsed, setParsed] = useState<ParsedCsv | null>(null);
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [dry, setDry] = useState<ImportReport | null>(null);
  const [result, setResult] = useState<ImportReport | null>(null);
  const fields = importableFields(schema);

  const onFile = async (file: File | undefined) => {
    setProblem(undefined);
    if (!file) return;
    try {
      const p = parseCsv(await file.text());
      if (p.rows.length === 0 || p.columns.length === 0) return setProblem(t('imports.noRows'));
      setFileName(file.name);
      setParsed(p);
      setMapping(guessMapping(p.columns, schema, [locale, 'en', 'zh-CN']));
      setStep('map');
    } catch (e) {
      setProblem(t('imports.parseFailed', { message: (e as Error).message }));
    }
  };

  const failMessage = (e: unknown) => {
    if (isEndpointMissing(e)) return t('imports.unavailable');
    if (isApiError(e, 'TOO_LARGE')) return t('imports.tooLarge');
    return t('imports.failed', { message: (e as Error).message });
  };

  const check = async () => {
    if (!parsed) return;
    if (!Object.values(mapping).some(Boolean)) return setProblem(t('imports.nothingMapped'));
    setProblem(undefined);
    setBusy(true);
    try {
      setDry(await records.importCsv(object, mappedCsv(parsed, mapping), { dryRun: true, partial: true }));
      setStep('check');
    } catch (e) {
      setProblem(failMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const commit = async (partial: boolean) => {
    if (!parsed) return;
    setBusy(true);
    setProblem(undefined);
    try {
      setResult(await records.importCsv(object, mappedCsv(parsed, mapping), { partial }));
      await queryClient.invalidateQueries({ queryKey: recordKeys.object(session.tenant, object) });
      setStep('done');
    } catch (e) {
      setProblem(failMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const restart = () => {
    setStep('upload');
    setParsed(null);
    setDry(null);
    setResult(null);
    setProblem(undefined);
  };

  const rowsCount = parsed?.rows.length ?? 0;
  const failed = dry?.failed ?? [];
  return (
    <Page>
      <nav className="f-record__crumbs" aria-label={label}>
        <Link to={`/o/${object}`}>{label}</Link>
      </nav>
      <PageHeader title={t('imports.title', { label })} icon={<FileUp size={22} aria-hidden="true" />} />
      <ol className="f-wizard__steps">
        {STEPS.map((s, i) => (
          <li
            key={s}
            className={s === step ? 'f-wizard__step f-wizard__step--current' : 'f-wizard__step'}
            aria-current={s === step ? 'step' : undefined}
          >
            <span className="f-wizard__no">{i + 1}</span>
            {t(`imports.step${i + 1}` as 'imports.step1')}
          </li>
        ))}
      </ol>
      <Card>
        {step === 'upload' && (
          <div className="f-wizard__upload">
            <label className="f-field">
              <span className="f-field__label">{t('imports.chooseFile')}</span>
              <input
                type="file"
                accept=".csv,text/csv"
                className="f-file"
                onChange={(e) => void onFile(e.target.files?.[0])}
              />
              <span className="f-field__hint">{t('imports.fileHint')}</span>
            </label>
          </div>
        )}
        {step === 'map' && parsed && (
          <>
            <p>{t('imports.rows', { count: rowsCount, file: fileName })}</p>
            <table className="f-table f-wizard__map">
              <thead>
                <tr>
                  <th scope="col">{t('imports.column')}</th>
                  <th scope="col">{t('imports.sample')}</th>
                  <th scope="col">{t('imports.target')}</th>
                </tr>
              </thead>
              <tbody>
                {parsed.columns.map((c) => (
                  <tr key={c}>
                    <th scope="row">{c}</th>
                    <td className="f-wizard__sample">{parsed.rows[0]?.[c] ?? ''}</td>
                    <td>
                      <select
                        className="f-select"
                        aria-label={`${t('imports.target')}: ${c}`}
                        value={mapping[c] ?? ''}
                        onChange={(e) => setMapping((m) => ({ ...m, [c]: e.target.value }))}
                      >
                        <option value="">{t('imports.skip')}</option>
                        {fields.map((f) => (
                          <option key={f} value={f}>
                            {fieldLabel(schema, f, locale)}
                          </option>
                        ))}
                      </select>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div className="f-wizard__actions">
              <Button onClick={restart}>{t('imports.back')}</Button>
              <Button variant="primary" loading={busy} onClick={() => void check()}>
                {busy ? t('imports.checking') : t('imports.dryRun')}
              </Button>
            </div>
          </>
        )}
        {step === 'check' && dry && (
          <>
            {failed.length === 0 ? (
              <p className="f-wizard__ok" role="status">
                <CheckCircle2 size={18} aria-hidden="true" /> {t('imports.dryRunOk', { count: rowsCount })}
              </p>
            ) : (
              <>
                <p role="status">{t('imports.dryRunErrors', { failed: failed.length })}</p>
                <table className="f-table">
                  <thead>
                    <tr>
                      <th scope="col">{t('imports.row')}</th>
                      <th scope="col">{t('imports.problems')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {failed.slice(0, 200).map((f) => (
                      <tr key={f.row}>
                        <td>{f.row}</td>
                        <td>
                          {rowProblems(f.errors).map((p) => (
                            <div key={p}>{p}</div>
                          ))}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </>
            )}
            <div className="f-wizard__actions">
              <Button onClick={() => setStep('map')}>{t('imports.back')}</Button>
              {failed.length === 0 ? (
                <Button variant="primary" loading={busy} onClick={() => void commit(false)}>
                  {busy ? t('imports.importing') : t('imports.commit', { count: rowsCount })}
                </Button>
              ) : (
                failed.length < rowsCount && (
                  <Button variant="primary" loading={busy} onClick={() => void commit(true)}>
                    {busy ? t('imports.importing') : t('imports.commitGood')}
                  </Button>
                )
              )}
            </div>
          </>
        )}
        {step === 'done' && result && (
          <>
            <p className="f-wizard__ok" role="status">
              <CheckCircle2 size={18} aria-hidden="true" />{' '}
              {t('imports.done', { inserted: result.inserted, updated: result.updated })}
            </p>
            {result.failed.length > 0 && <p>{t('imports.doneFailed', { count: result.failed.length })}</p>}
            <div className="f-wizard__actions">
              <Button onClick={restart}>{t('imports.again')}</Button>
              <Link className="f-btn f-btn--primary f-btn--md" to={`/o/${object}`}>
                <span className="f-btn__label">{t('imports.viewRecords')}</span>
              </Link>
            </div>
          </>
        )}
        {problem && (
          <p className="f-field__error" role="alert">
            {problem}
          </p>
        )}
      </Card>
    </Page>
  );
}
