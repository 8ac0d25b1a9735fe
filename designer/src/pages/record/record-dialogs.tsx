import { useTranslation } from 'react-i18next';
import { Button, Dialog } from '../../ui';
import type { RecordEditorState } from './use-record-editor';

/** The two questions a record page asks: reload after a version conflict, and delete for sure. */
export function RecordDialogs({ editor }: { editor: RecordEditorState }) {
  const { t } = useTranslation();
  return (
    <>
      <Dialog
        open={editor.conflict}
        onOpenChange={editor.setConflict}
        title={t('record.conflictTitle')}
        description={t('record.conflictBody')}
        closeLabel={t('common.close')}
        footer={
          <>
            <Button onClick={() => editor.setConflict(false)}>{t('record.keepEditing')}</Button>
            <Button variant="primary" onClick={() => void editor.reload()}>
              {t('record.reload')}
            </Button>
          </>
        }
      />
      <Dialog
        open={editor.confirmDelete}
        onOpenChange={editor.setConfirmDelete}
        title={t('record.deleteConfirmTitle', { label: editor.label })}
        description={t('record.deleteConfirmBody')}
        closeLabel={t('common.close')}
        footer={
          <>
            <Button onClick={() => editor.setConfirmDelete(false)}>{t('common.cancel')}</Button>
            <Button variant="danger" onClick={() => void editor.remove()}>
              {t('record.delete')}
            </Button>
          </>
        }
      />
    </>
  );
}
