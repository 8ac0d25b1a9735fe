import { FileUp } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { objectLabel } from '../../i18n/pick-label';
import { useLocale } from '../../i18n/use-locale';
import type { ObjectSchema } from '../../meta/meta-types';
import { Card, Page, PageHeader } from '../../ui';
import { CheckStep } from './check-step';
import { DoneStep } from './done-step';
import { ImportSteps } from './import-steps';
import { MapStep } from './map-step';
import { UploadStep } from './upload-step';
import { useImportWizard } from './use-import-wizard';

/** Upload a CSV, map its columns, dry-run, then import: one step on screen at a time. */
export function ImportWizard({ object, schema }: { object: string; schema: ObjectSchema }) {
  const { t } = useTranslation();
  const { locale } = useLocale();
  const wizard = useImportWizard(object, schema, locale);
  const { step, parsed, dry, result, problem } = wizard;
  const label = objectLabel(object, schema, locale);
  return (
    <Page>
      <nav className="f-record__crumbs" aria-label={label}>
        <Link to={`/o/${object}`}>{label}</Link>
      </nav>
      <PageHeader title={t('imports.title', { label })} icon={<FileUp size={22} aria-hidden="true" />} />
      <ImportSteps step={step} />
      <Card>
        {step === 'upload' && <UploadStep onFile={(f) => void wizard.onFile(f)} />}
        {step === 'map' && parsed && <MapStep wizard={wizard} parsed={parsed} schema={schema} locale={locale} />}
        {step === 'check' && dry && <CheckStep wizard={wizard} dry={dry} />}
        {step === 'done' && result && <DoneStep object={object} result={result} onRestart={wizard.restart} />}
        {problem && (
          <p className="f-field__error" role="alert">
            {problem}
          </p>
        )}
      </Card>
    </Page>
  );
}
