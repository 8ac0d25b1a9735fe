import { useTranslation } from 'react-i18next';

/** Step 1: choose the CSV file. */
export function UploadStep({ onFile }: { onFile: (file: File | undefined) => void }) {
  const { t } = useTranslation();
  return (
    <div className="f-wizard__upload">
      <label className="f-field">
        <span className="f-field__label">{t('imports.chooseFile')}</span>
        <input type="file" accept=".csv,text/csv" className="f-file" onChange={(e) => onFile(e.target.files?.[0])} />
        <span className="f-field__hint">{t('imports.fileHint')}</span>
      </label>
    </div>
  );
}
