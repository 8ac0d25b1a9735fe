import { useMutation } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Play } from 'lucide-react';
import { useApi } from '../../api/api-context';
import { Button, Card } from '../../ui';
import { parseSample } from './sample-json';
import type { SourceProblem } from './script-diagnostics';
import { sourceProblemsOf } from './script-diagnostics';
import { type ScriptDefinition, testScript } from './scripts-api';

interface ScriptTestPanelProps {
  name: string;
  script: ScriptDefinition;
  initialRecord: string;
  /** Problems of a failed run, to be shown in the editor at their line. */
  onProblems: (problems: SourceProblem[]) => void;
}

/** Runs the code in the editor on a sample record and shows errors, changes, logs and time. */
export function ScriptTestPanel({ name, script, initialRecord, onProblems }: ScriptTestPanelProps) {
  const { t } = useTranslation();
  const client = useApi();
  const id = useId();
  const [record, setRecord] = useState(initialRecord);
  const [old, setOld] = useState('');
  const [params, setParams] = useState('');
  const [inputError, setInputError] = useState<string | null>(null);
  const run = useMutation({
    mutationFn: (input: Parameters<typeof testScript>[2]) => testScript(client, name, input),
    onSuccess: () => onProblems([]),
    onError: (e) => onProblems(sourceProblemsOf(e)),
  });

  const submit = () => {
    const parsed = [
      [t('scriptEditor.sampleRecord'), parseSample(record)],
      [t('scriptEditor.oldRecord'), parseSample(old)],
      [t('scriptEditor.params'), parseSample(params)],
    ] as const;
    for (const [what, p] of parsed) {
      if (!p.ok) {
        // The last result belongs to another sample: showing it under this error would mislead.
        run.reset();
        setInputError(t('scriptEditor.invalidJson', { what, message: p.message }));
        return;
      }
    }
    setInputError(null);
    const [r, o, p] = parsed.map(([, v]) => (v.ok ? v.value : null));
    run.mutate({ script, record: r ?? {}, old: o ?? null, ...(p ? { params: p } : {}) });
  };

  const failure = run.error;
  const failedAt = sourceProblemsOf(failure)[0];
  const data = run.data;
  return (
    <Card title={t('scriptEditor.testTitle')} className="f-script-test">
      <p className="f-perm-hint">{t('scriptEditor.testHint')}</p>
      <div className="f-script-test__inputs">
        <label htmlFor={`${id}-r`}>
          <span className="f-field__label">{t('scriptEditor.sampleRecord')}</span>
          <textarea
            id={`${id}-r`}
            className="f-script-json"
            value={record}
            rows={8}
            spellCheck={false}
            onChange={(e) => setRecord(e.target.value)}
          />
        </label>
        <label htmlFor={`${id}-o`}>
          <span className="f-field__label">{t('scriptEditor.oldRecord')}</span>
          <textarea
            id={`${id}-o`}
            className="f-script-json"
            value={old}
            rows={8}
            spellCheck={false}
            onChange={(e) => setOld(e.target.value)}
          />
        </label>
        {script.event === 'action' && (
          <label htmlFor={`${id}-p`}>
            <span className="f-field__label">{t('scriptEditor.params')}</span>
            <textarea
              id={`${id}-p`}
              className="f-script-json"
              value={params}
              rows={8}
              spellCheck={false}
              onChange={(e) => setParams(e.target.value)}
            />
          </label>
        )}
      </div>
      <div className="f-script-test__actions">
        <Button variant="primary" icon={<Play size={16} aria-hidden="true" />} loading={run.isPending} onClick={submit}>
          {t('scriptEditor.run')}
        </Button>
      </div>
      {inputError && (
        <p className="f-field__error" role="alert">
          {inputError}
        </p>
      )}
      {failure && (
        <div className="f-script-result f-script-result--failed" role="alert" data-testid="script-test-failure">
          {failedAt && <strong>{t('scriptEditor.failedAt', { line: failedAt.line, column: failedAt.column })}</strong>}
          <p>{failure.message}</p>
        </div>
      )}
      {data && (
        <dl className="f-script-result" aria-live="polite" data-testid="script-test-result">
          <div>
            <dt>{t('scriptEditor.resultErrors')}</dt>
            <dd>
              {Object.keys(data.errors).length === 0 ? (
                t('scriptEditor.none')
              ) : (
                <ul className="f-script-result__errors">
                  {Object.entries(data.errors).map(([field, message]) => (
                    <li key={field}>
                      <code>{field}</code> {message}
                    </li>
                  ))}
                </ul>
              )}
            </dd>
          </div>
          <div>
            <dt>{t('scriptEditor.resultChanges')}</dt>
            <dd>
              {Object.keys(data.changes).length === 0 ? (
                t('scriptEditor.none')
              ) : (
                <pre className="f-script-result__pre">{JSON.stringify(data.changes, null, 2)}</pre>
              )}
            </dd>
          </div>
          {data.result !== undefined && (
            <div>
              <dt>{t('scriptEditor.resultValue')}</dt>
              <dd>
                <pre className="f-script-result__pre">{JSON.stringify(data.result, null, 2)}</pre>
              </dd>
            </div>
          )}
          <div>
            <dt>{t('scriptEditor.resultLogs')}</dt>
            <dd>
              {data.logs.length === 0 ? (
                t('scriptEditor.none')
              ) : (
                <pre className="f-script-result__pre">{data.logs.join('\n')}</pre>
              )}
            </dd>
          </div>
          <div>
            <dt>{t('scriptEditor.resultTimeLabel')}</dt>
            <dd>{t('scriptEditor.resultTime', { ms: data.ms.toFixed(1) })}</dd>
          </div>
        </dl>
      )}
    </Card>
  );
}
