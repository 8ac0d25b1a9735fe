import { Lock, Pencil } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { RecordFormView } from '../../records/record-form';
import { RecordReadView } from '../../records/record-read-view';
import { Button } from '../../ui';
import type { EditorInput, RecordEditorState } from './use-record-editor';

/** The details tab: the approval lock's banner, then the read view or the form. */
export function RecordDetails({ input, editor }: { input: EditorInput; editor: RecordEditorState }) {
  const { t } = useTranslation();
  const { meta, object, schema, record } = input;
  const { locked, url } = editor;
  return (
    <>
      {locked && (
        <div className="f-record__banner" role="status">
          <Lock size={16} aria-hidden="true" />
          <div>
            <strong>{t(editor.lock.approvedLock ? 'record.approvedLockTitle' : 'record.lockedTitle')}</strong>
            <p>{t(editor.lock.approvedLock ? 'record.approvedLockBody' : 'record.lockedBody')}</p>
          </div>
          {editor.lock.canUnlock && (
            <Button size="sm" onClick={() => editor.lock.setUnlocking(true)}>
              {t('record.unlock')}
            </Button>
          )}
        </div>
      )}
      {record && !url.editing ? (
        <>
          <div className="f-readview__toolbar">
            <Button
              icon={<Pencil size={16} aria-hidden="true" />}
              onClick={() => url.setEditing(true)}
              disabled={locked}
            >
              {t('readView.edit')}
            </Button>
          </div>
          <RecordReadView
            meta={meta}
            object={object}
            schema={schema}
            form={editor.form}
            formDoc={editor.formDoc}
            record={record}
            locked={locked}
            lang={editor.locale}
            onLocked={editor.lock.onLocked}
            onConflict={() => editor.setConflict(true)}
          />
        </>
      ) : (
        <>
          {record && (
            <div className="f-readview__toolbar">
              <Button variant="ghost" onClick={() => url.setEditing(false)}>
                {t('readView.backToView')}
              </Button>
            </div>
          )}
          <RecordFormView
            form={editor.form}
            data={editor.data}
            onChange={editor.onChange}
            onSubmit={(d) => void editor.save(d)}
            extraErrors={editor.extraErrors}
            disabled={locked}
            isNew={!record}
          >
            <div className="f-record__actions">
              <Link className="f-btn f-btn--secondary f-btn--md" to={`/o/${object}`}>
                <span className="f-btn__label">{t('record.cancel')}</span>
              </Link>
              <Button type="submit" variant="primary" loading={editor.saving} disabled={locked}>
                {record ? t('record.save') : t('record.create')}
              </Button>
            </div>
          </RecordFormView>
        </>
      )}
    </>
  );
}
