import { useTranslation } from 'react-i18next';
import { ExportFormatsMenu, useFileDownload } from './export-menu';
import { useRecordsApi } from './use-records-api';

/**
 * Downloads one record's line items (a quote's lines) as CSV or XLSX, as people read them: column
 * labels in their language and product names (GET /api/records/:object/:id/lines/:field/export).
 */
export function LineItemsExport({ object, id, field }: { object: string; id: string; field: string }) {
  const { t } = useTranslation();
  const records = useRecordsApi();
  const { busy, download } = useFileDownload(
    (format) => records.exportLines(object, id, field, format),
    (format) => `${object}-${field}.${format}`,
  );
  return (
    <ExportFormatsMenu label={t('webApp.linesExport')} busy={busy} onDownload={download} size="sm" variant="ghost" />
  );
}
