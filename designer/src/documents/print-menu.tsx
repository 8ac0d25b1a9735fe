import { useQuery } from '@tanstack/react-query';
import { FileText, Mail, Printer } from 'lucide-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../api/api-context';
import type { ObjectSchema } from '../meta/meta-types';
import { labelFieldOf } from '../records/field-kind';
import type { RecordRow } from '../records/records-api';
import { useSession } from '../session/session-context';
import { Button, Menu, MenuItem, MenuSeparator, useToast } from '../ui';
import { deliverFile, documentsApi, type PrintTemplate } from './documents-api';
import { emailFieldsOf, MailMergeDialog } from './mail-merge-dialog';

/** A file name people recognise: the template's label and the record's, without path characters. */
export function documentFileName(template: string, record: string, ext: string): string {
  const clean = `${template} ${record}`
    .replace(/[\\/:*?"<>|\u0000-\u001f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return `${clean.slice(0, 100) || 'document'}.${ext}`;
}

/**
 * The record's Print menu, shown when its object has templates: each print template as a PDF,
 * each Word template as a .docx, and "Send by e-mail" (a mail merge of this one record).
 */
export function PrintMenu({
  object,
  schema,
  record,
  lang,
}: {
  object: string;
  schema: ObjectSchema;
  record: RecordRow;
  lang: string;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const session = useSession();
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  const [mailing, setMailing] = useState(false);
  const templates = useQuery({
    queryKey: ['print-templates', session.tenant, object],
    queryFn: () => documentsApi(api).list(object),
  });
  const items = templates.data ?? [];
  if (items.length === 0) return null;
  const labelField = labelFieldOf(schema);
  const recordLabel = String((labelField && record[labelField]) ?? record.id);
  const open = async (tpl: PrintTemplate) => {
    setBusy(true);
    try {
      const docs = documentsApi(api);
      if (tpl.kind === 'html')
        deliverFile(await docs.printPdf(object, record.id, tpl.name), documentFileName(tpl.label, recordLabel, 'pdf'));
      else
        deliverFile(await docs.wordFile(object, record.id, tpl.name), documentFileName(tpl.label, recordLabel, 'docx'));
    } catch (e) {
      toast({
        tone: 'error',
        title: t('documents.printFailed', { message: e instanceof Error ? e.message : String(e) }),
      });
    } finally {
      setBusy(false);
    }
  };
  const html = items.filter((x) => x.kind === 'html');
  const word = items.filter((x) => x.kind === 'docx');
  return (
    <>
      <Menu
        label={t('documents.printMenu')}
        trigger={
          <Button icon={<Printer size={16} aria-hidden="true" />} loading={busy}>
            {t('documents.printMenu')}
          </Button>
        }
      >
        {html.map((x) => (
          <MenuItem key={x.name} icon={<Printer size={16} aria-hidden="true" />} onSelect={() => void open(x)}>
            {t('documents.printAs', { label: x.label })}
          </MenuItem>
        ))}
        {word.map((x) => (
          <MenuItem key={x.name} icon={<FileText size={16} aria-hidden="true" />} onSelect={() => void open(x)}>
            {t('documents.wordAs', { label: x.label })}
          </MenuItem>
        ))}
        {emailFieldsOf(schema).length > 0 && (
          <>
            <MenuSeparator />
            <MenuItem icon={<Mail size={16} aria-hidden="true" />} onSelect={() => setMailing(true)}>
              {t('documents.sendByEmail')}
            </MenuItem>
          </>
        )}
      </Menu>
      {mailing && (
        <MailMergeDialog
          open={mailing}
          onClose={() => setMailing(false)}
          object={object}
          schema={schema}
          filter={{ id: { eq: record.id } }}
          lang={lang}
        />
      )}
    </>
  );
}
