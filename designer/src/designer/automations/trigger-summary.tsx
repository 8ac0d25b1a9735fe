import type { SegmentDefinition } from '@forma/metadata';
import { useTranslation } from 'react-i18next';
import { enumLabel, fieldLabel } from '../../i18n/pick-label';
import type { ObjectSchema } from '../../meta/meta-types';
import { segmentLabel } from '../segments/segment-model';
import type { Rule } from './automation-model';

/** A rule's trigger in words: "When Stage changes to Won", "3 days before Due date", … */
export function TriggerSummary({
  rule,
  schema,
  segments,
}: {
  rule: Rule;
  schema: ObjectSchema | undefined;
  /** The tenant's segments, to name the one a segment trigger follows. */
  segments?: Record<string, SegmentDefinition | null | undefined> | undefined;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const tr = rule.trigger;
  if ((tr.on === 'segment_entered' || tr.on === 'segment_left') && tr.segment) {
    const def = segments?.[tr.segment];
    const segment = def ? segmentLabel(def, lang) : tr.segment;
    return (
      <>
        {tr.on === 'segment_entered'
          ? t('automations.summarySegmentEntered', { segment })
          : t('automations.summarySegmentLeft', { segment })}
      </>
    );
  }
  if (tr.on === 'update' && tr.fields?.length === 1 && tr.changedTo !== undefined) {
    const field = tr.fields[0] as string;
    const f = schema?.properties?.[field];
    return (
      <>
        {t('automations.summaryChangedTo', {
          field: fieldLabel(schema, field, lang),
          value: f?.enum ? enumLabel(f, String(tr.changedTo), lang) : String(tr.changedTo),
        })}
      </>
    );
  }
  if (tr.on === 'update' && tr.fields?.length)
    return (
      <>{t('automations.summaryChanged', { fields: tr.fields.map((f) => fieldLabel(schema, f, lang)).join(', ') })}</>
    );
  if (tr.on === 'schedule' && tr.date) {
    const field = fieldLabel(schema, tr.date.field, lang);
    const days = Math.abs(tr.date.days);
    return (
      <>
        {tr.date.days === 0
          ? t('automations.summaryOnDate', { field })
          : tr.date.days > 0
            ? t('automations.summaryBefore', { count: days, field })
            : t('automations.summaryAfter', { count: days, field })}
      </>
    );
  }
  if (tr.on === 'approval' && tr.outcome) return <>{t(`automations.summaryApproval_${tr.outcome}`)}</>;
  return <>{t(`automations.on_${tr.on}`)}</>;
}
