import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { buildRecordForm } from '../../records/form-schema';
import { RecordFormView } from '../../records/record-form';
import { Button } from '../../ui';
import type { EditorDraft } from './object-draft';

/**
 * The end-user form exactly as it will be generated (same builder, widgets and layout template),
 * validating sample input as it is typed. Nothing is saved.
 */
export function FormPreview({ draft }: { draft: EditorDraft }) {
  const { t, i18n } = useTranslation();
  const form = useMemo(
    () => buildRecordForm(draft.object, draft.form ?? undefined, i18n.language),
    [draft, i18n.language],
  );
  const [data, setData] = useState<Record<string, unknown>>({});
  const [valid, setValid] = useState(false);
  return (
    <div className="f-od-preview">
      {/* A schema change can make sample data invalid for rjsf; remounting on change keeps it calm. */}
      <RecordFormView
        key={JSON.stringify(form.schema)}
        form={form}
        data={data}
        onChange={(d) => {
          setData(d);
          setValid(false);
        }}
        onSubmit={() => setValid(true)}
        extraErrors={undefined}
        liveValidate
      >
        <div className="f-od-inline f-od-preview__actions">
          <Button type="submit" size="sm">
            {t('objectDesigner.previewCheck')}
          </Button>
          <Button
            size="sm"
            variant="ghost"
            onClick={() => {
              setData({});
              setValid(false);
            }}
          >
            {t('objectDesigner.previewClear')}
          </Button>
          {valid && (
            <span className="f-od-ok" role="status">
              {t('objectDesigner.previewValid')}
            </span>
          )}
        </div>
      </RecordFormView>
    </div>
  );
}
