import { Trash2 } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { objectIcon } from '../../meta/nav-items';
import { PrintMenu } from '../../documents/print-menu';
import { ApprovalBadge } from '../../records/approval-badge';
import { RecordActionButtons } from '../../records/record-action-buttons';
import { actionsOf } from '../../records/record-actions';
import { NavIcon } from '../../shell/nav-icon';
import { Button, PageHeader } from '../../ui';
import type { EditorInput, RecordEditorState } from './use-record-editor';

/** The crumb back to the list, the title with when it was created and changed, and the record's buttons. */
export function RecordHeader({
  input,
  editor,
  title,
}: {
  input: EditorInput;
  editor: RecordEditorState;
  title: string;
}) {
  const { t } = useTranslation();
  const { meta, object, schema, record } = input;
  const when = new Intl.DateTimeFormat(editor.locale, { dateStyle: 'medium', timeStyle: 'short' });
  return (
    <>
      <nav className="f-record__crumbs" aria-label={editor.label}>
        <Link to={`/o/${object}`}>{editor.label}</Link>
      </nav>
      <PageHeader
        title={title}
        icon={<NavIcon name={objectIcon(object, schema)} size={22} />}
        subtitle={
          record?.created_at
            ? t('record.systemInfo', {
                created: when.format(new Date(record.created_at)),
                updated: when.format(new Date(record.updated_at ?? record.created_at)),
              })
            : undefined
        }
        actions={
          record && (
            <>
              <ApprovalBadge status={record.approval_status ?? 'none'} />
              <PrintMenu object={object} schema={schema} record={record} lang={editor.locale} />
              <RecordActionButtons
                meta={meta}
                object={object}
                record={record}
                actions={actionsOf(meta, object)}
                disabled={editor.locked}
              />
              <Button
                variant="ghost"
                icon={<Trash2 size={16} aria-hidden="true" />}
                onClick={() => editor.setConfirmDelete(true)}
                disabled={editor.locked}
              >
                {t('record.delete')}
              </Button>
            </>
          )
        }
      />
    </>
  );
}
