import { useTranslation } from 'react-i18next';
import { labelFieldOf } from '../../records/field-kind';
import { usePhone } from '../../shell/use-phone';
import { Page } from '../../ui';
import { RecordActionBar } from './record-action-bar';
import { RecordDetails } from './record-details';
import { RecordDialogs } from './record-dialogs';
import { RecordHeader } from './record-header';
import { RecordTabs } from './record-tabs';
import { type EditorInput, useRecordEditor } from './use-record-editor';

/** A new record's form, or an existing record's page: header, tabs (details first), dialogs. */
export function RecordEditor(input: EditorInput) {
  const { t } = useTranslation();
  const editor = useRecordEditor(input);
  const phone = usePhone();
  const { record, schema } = input;
  const labelField = labelFieldOf(schema);
  const title = record
    ? String((labelField && record[labelField]) || t('list.untitled'))
    : t('record.newTitle', { label: editor.label });
  const details = <RecordDetails input={input} editor={editor} />;
  return (
    <Page>
      <RecordHeader input={input} editor={editor} title={title} />
      {record ? (
        <RecordTabs
          meta={input.meta}
          object={input.object}
          schema={schema}
          record={record}
          lang={editor.locale}
          title={title}
          tab={editor.url.tab}
          onTab={editor.url.setTab}
          details={details}
        />
      ) : (
        <div className="f-tabs__panel">{details}</div>
      )}
      {phone && record && !editor.url.editing && (
        <RecordActionBar meta={input.meta} object={input.object} schema={schema} record={record} lang={editor.locale} />
      )}
      {editor.guard.dialog}
      <RecordDialogs editor={editor} />
    </Page>
  );
}
