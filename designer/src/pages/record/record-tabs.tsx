import { Tabs } from 'radix-ui';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApprovalPanel } from '../../approvals/approval-panel';
import type { AppMeta, ObjectSchema } from '../../meta/meta-types';
import { ActivityTimeline } from '../../records/activity-timeline';
import { CaseReplyBox } from '../../records/case-reply-box';
import { HistoryTimeline } from '../../records/history-timeline';
import type { RecordRow } from '../../records/records-api';
import { RelatedLists } from '../../records/related-lists';

interface TabsProps {
  meta: AppMeta;
  object: string;
  schema: ObjectSchema;
  record: RecordRow;
  lang: string;
  title: string;
  tab: string;
  onTab: (tab: string) => void;
  details: ReactNode;
}

/** An existing record's tabs: details, related lists, timeline, approvals, history. */
export function RecordTabs({ meta, object, schema, record, lang, title, tab, onTab, details }: TabsProps) {
  const { t } = useTranslation();
  const trigger = (value: string, label: string) => (
    <Tabs.Trigger value={value} className="f-tabs__tab">
      {label}
    </Tabs.Trigger>
  );
  return (
    <Tabs.Root value={tab} onValueChange={onTab} className="f-tabs">
      <Tabs.List className="f-tabs__list" aria-label={title}>
        {trigger('details', t('record.details'))}
        {trigger('related', t('record.related'))}
        {trigger('timeline', t('timeline.tab'))}
        {trigger('approvals', t('record.approvals'))}
        {trigger('history', t('record.history'))}
      </Tabs.List>
      <Tabs.Content value="details" className="f-tabs__panel">
        {details}
      </Tabs.Content>
      <Tabs.Content value="timeline" className="f-tabs__panel">
        <CaseReplyBox object={object} id={record.id} />
        <ActivityTimeline meta={meta} object={object} id={record.id} schema={schema} lang={lang} />
      </Tabs.Content>
      <Tabs.Content value="related" className="f-tabs__panel">
        <RelatedLists meta={meta} object={object} id={record.id} lang={lang} />
      </Tabs.Content>
      <Tabs.Content value="approvals" className="f-tabs__panel">
        <ApprovalPanel object={object} id={record.id} status={record.approval_status} lang={lang} />
      </Tabs.Content>
      <Tabs.Content value="history" className="f-tabs__panel">
        <HistoryTimeline object={object} id={record.id} schema={schema} lang={lang} />
      </Tabs.Content>
    </Tabs.Root>
  );
}
