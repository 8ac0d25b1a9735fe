import { useTranslation } from 'react-i18next';
import { Button, Dialog } from '../../ui';
import type { RecordEditorState } from './use-record-editor';

/** The questions a record page asks: reload after a version conflict, delete for sure, and why unlock. */
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
      <Dialog
        open={editor.lock.unlocking}
        onOpenChange={editor.lock.setUnlocking}
        title={t('record.unlock')}
        closeLabel={t('common.close')}
        footer={
          <>
            <Button onClick={() => editor.lock.setUnlocking(false)}>{t('common.cancel')}</Button>
            <Button
              variant="primary"
              disabled={!editor.lock.unlockReason.trim()}
              onClick={() => void editor.lock.unlock()}
            >
              {t('record.unlock')}
            </Button>
          </>
        }
      >
        <label className="f-field">
          <span className="f-field__label">{t('record.unlockReason')}</span>
          <textarea
            className="f-textarea"
            rows={3}
            value={editor.lock.unlockReason}
            onChange={(e) => editor.lock.setUnlockReason(e.target.value)}
          />
        </label>
      </Dialog>
    </>
  );
}
