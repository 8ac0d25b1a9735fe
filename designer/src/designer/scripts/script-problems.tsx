import { useTranslation } from 'react-i18next';
import type { SourceProblem } from './script-diagnostics';

/** Why a save failed: the message, and each problem with its place, a button that shows it in the code. */
export function ScriptProblems({
  error,
  problems,
  onReveal,
}: {
  error: string | null;
  problems: SourceProblem[];
  onReveal: (problem: SourceProblem) => void;
}) {
  const { t } = useTranslation();
  if (!error) return null;
  return (
    <div className="f-scripts__problems" role="alert" data-testid="script-problems">
      <strong>{error}</strong>
      {problems.length > 0 && (
        <ul>
          {problems.map((p, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: one answer's problems, in order
            <li key={i}>
              <button type="button" className="f-scripts__problem" onClick={() => onReveal(p)}>
                {t('scriptEditor.at', { line: p.line, column: p.column })}
              </button>{' '}
              {p.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
