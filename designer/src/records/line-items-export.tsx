import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Download, FileSpreadsheet, FileText } from 'lucide-react';
import { Button, Menu, MenuItem, useToast } from '../ui';
import { fileNameOf } from './export-menu';
import { useRecordsApi } from './use-records-api';

/**
 * Downloads one record's line items (a quote's lines) as CSV or XLSX, as people read them: column
 * labels in their language and product names (GET /api/records/:object/:id/lines/:field/export).
 */
export function LineItemsExport({ object, id, field }: { object: string; id: string; field: string }) {
  const { t } = useTranslation();
  const records = useRecordsApi();
  const toast = useToast();
  const [busy, setBusy] = useState(false);

  const download = async (format: 'csv' | 'xlsx') => {
    setBusy(true);
    try {
      const res = await records.exportLines(object, id, field, format);
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = fileNameOf(res, `${object}-${field}.${format}`);
      document.body.append(a);
      a.click();
      a.remove();
      // Revoke after the click has been handled; the download holds its own reference.
      setTimeout(() => URL.revokeObjectURL(url), 0);
    } catch (e) {
      toast({ tone: 'error', title: t('list.exportFailed', { message: (e as Error).message }) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Menu
      label={t('webApp.linesExport')}
      trigger={
        <Button size="sm" variant="ghost" loading={busy} icon={<Download size={16} aria-hidden="true" />}>
          {t('webApp.linesExport')}
        </Button>
      }
    >
      <MenuItem icon={<FileText size={16} aria-hidden="true" />} onSelect={() => void download('csv')}>
        {t('list.exportCsv')}
      </MenuItem>
      <MenuItem icon={<FileSpreadsheet size={16} aria-hidden="true" />} onSelect={() => void download('xlsx')}>
        {t('list.exportXlsx')}
      </MenuItem>
    </Menu>
  );
}
