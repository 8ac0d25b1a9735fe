import { useTranslation } from 'react-i18next';
import { STEPS, type Step } from './use-import-wizard';

/** The wizard's four steps, the current one marked. */
export function ImportSteps({ step }: { step: Step }) {
  const { t } = useTranslation();
  return (
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
  );
}
