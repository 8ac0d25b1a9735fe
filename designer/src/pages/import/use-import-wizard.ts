import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/api-error';
import type { ObjectSchema } from '../../meta/meta-types';
import { guessMapping, mappedCsv, type ParsedCsv, parseCsv } from '../../records/import-mapping';
import type { ImportReport } from '../../records/records-api';
import { isEndpointMissing, recordKeys, useRecordsApi } from '../../records/use-records-api';
import { useSession } from '../../session/session-context';

export type Step = 'upload' | 'map' | 'check' | 'done';
export const STEPS: Step[] = ['upload', 'map', 'check', 'done'];

/**
 * The import wizard's state and commands: read the CSV and guess the mapping, dry-run it, import
 * (all rows, or the good ones), start over. Problems are one sentence for the user.
 */
export function useImportWizard(object: string, schema: ObjectSchema, locale: string) {
  const { t } = useTranslation();
  const records = useRecordsApi();
  const session = useSession();
  const queryClient = useQueryClient();
  const [step, setStep] = useState<Step>('upload');
  const [fileName, setFileName] = useState('');
  const [parsed, setParsed] = useState<ParsedCsv | null>(null);
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [dry, setDry] = useState<ImportReport | null>(null);
  const [result, setResult] = useState<ImportReport | null>(null);

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

  return {
    step,
    setStep,
    fileName,
    parsed,
    mapping,
    setMapping,
    problem,
    busy,
    dry,
    result,
    rowsCount: parsed?.rows.length ?? 0,
    onFile,
    check,
    commit,
    restart,
  };
}

export type ImportWizardState = ReturnType<typeof useImportWizard>;
