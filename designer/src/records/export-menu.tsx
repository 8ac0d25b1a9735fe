import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Download, FileSpreadsheet, FileText } from 'lucide-react';
import { Button, Menu, MenuItem, useToast } from '../ui';
import type { ApiFilter } from './filter-model';
import { useRecordsApi } from './use-records-api';

export function fileNameOf(res: Response, fallback: string): string {
  const cd = res.headers.get('content-disposition') ?? '';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(cd);
  if (star?.[1]) return decodeURIComponent(star[1]);
  const plain = /filename="?([^";]+)"?/i.exec(cd);
  return plain?.[1] ?? fallback;
}

export type ExportFormat = 'csv' | 'xlsx';

/**
 * Hands a file the server makes to the browser as a download, under the server's file name (else
 * `fallback`); `busy` while it comes, a toast when it fails.
 */
export function useFileDownload(
  fetchFile: (format: ExportFormat) => Promise<Response>,
  fallback: (format: ExportFormat) => string,
) {
  const { t } = useTranslation();
  const toast = useToast();
  const [busy, setBusy] = useState(false);

  const download = async (format: ExportFormat) => {
    setBusy(true);
    try {
      const res = await fetchFile(format);
      const blob = await res.blob();
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = fileNameOf(res, fallback(format));
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

  return { busy, download };
}

/** Downloads what the list shows as CSV or Excel: the export menu, and the phone's "more" menu. */
export function useExportDownload(object: string, filter: ApiFilter | undefined, sort: string[]) {
  const records = useRecordsApi();
  return useFileDownload(
    (format) => records.exportFile(object, format, { filter, sort: sort.join(',') }),
    (format) => `${object}.${format}`,
  );
}

/** A download button whose menu offers CSV and Excel. */
export function ExportFormatsMenu({
  label,
  busy,
  onDownload,
  size,
  variant,
}: {
  label: string;
  busy: boolean;
  onDownload: (format: ExportFormat) => Promise<void>;
  size: 'sm' | 'md';
  variant?: 'ghost';
}) {
  const { t } = useTranslation();
  return (
    <Menu
      label={label}
      trigger={
        <Button size={size} variant={variant} loading={busy} icon={<Download size={16} aria-hidden="true" />}>
          {label}
        </Button>
      }
    >
      <MenuItem icon={<FileText size={16} aria-hidden="true" />} onSelect={() => void onDownload('csv')}>
        {t('list.exportCsv')}
      </MenuItem>
      <MenuItem icon={<FileSpreadsheet size={16} aria-hidden="true" />} onSelect={() => void onDownload('xlsx')}>
        {t('list.exportXlsx')}
      </MenuItem>
    </Menu>
  );
}

/** Downloads what the list shows (same filter and sort), only the fields the user may read. */
export function ExportMenu({
  object,
  filter,
  sort,
  label,
  size,
}: {
  object: string;
  filter: ApiFilter | undefined;
  sort: string[];
  /** The button's text (default "Export"): "Export selection" on a selection. */
  label?: string;
  size?: 'sm' | 'md';
}) {
  const { t } = useTranslation();
  const { busy, download } = useExportDownload(object, filter, sort);

  return <ExportFormatsMenu label={label ?? t('list.export')} busy={busy} onDownload={download} size={size ?? 'md'} />;
}
