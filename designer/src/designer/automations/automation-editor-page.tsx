import { ArrowDown, ArrowUp, Trash2, Zap } from 'lucide-react';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams, useSearchParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api/api-context';
import { ApiError } from '../../api/api-error';
import { ConditionBuilder } from '../../conditions/condition-builder';
import type { ConditionGroup } from '../../conditions/condition-model';
import { enumLabel, fieldLabel, itemLabel, objectLabel } from '../../i18n/pick-label';
import { issueText } from '../../i18n/error-text';
import { scriptLabel } from '../scripts/script-label';
import type { ObjectSchema } from '../../meta/meta-types';
import { Card, IconButton, Page, TextField, useToast } from '../../ui';
import { type FullMetaDocument, errorsUnder, useItemDraft, useItemPublish } from '../common';
import { ItemEditorHeader } from '../common/item-editor-header';
import { MetaDocumentGate } from '../common/meta-document-gate';
import { CheckField, SelectField, TextAreaField } from '../objects/controls';
import { ActionForm, AddActionMenu, FieldError } from './action-editors';
import {
  type Rule,
  type RuleAction,
  SCHEDULES,
  conditionsOf,
  dateFields,
  localProblems,
  newRule,
  ruleToSave,
} from './automation-model';
import { type AutomationRule, dryRun, fetchActionTypes } from './automations-api';
import { actionName } from './automations-page';
import { RunLogPanel, TestRunPanel } from './rule-panels';
import { segmentLabel } from '../segments/segment-model';
import './automations.css';

const TRIGGERS = ['create', 'update', 'schedule', 'approval', 'segment_entered', 'segment_left'] as const;

const NEW_ACTION: Record<string, RuleAction> = {
  notify: { type: 'notify', to: ['owner'], title: '' },
  email: { type: 'email', to: ['owner'], subject: '', template: '' },
  set: { type: 'set', values: {} },
  create: { type: 'create', object: '', values: {} },
  script: { type: 'script', script: '' },
  document: { type: 'document', template: '' },
};

/** `/designer/automations/:name`: one rule (a new one with `?object=&label=`). */
export function AutomationEditorPage() {
  const { name = '' } = useParams();
  const { t } = useTranslation();
  return (
    <MetaDocumentGate loadFailed={t('automations.loadFailed')}>
      {(doc) => <RuleEditor key={`${name}:${doc.version}`} name={name} doc={doc} />}
    </MetaDocumentGate>
  );
}

function RuleEditor({ name, doc }: { name: string; doc: FullMetaDocument }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const toast = useToast();
  const [params] = useSearchParams();
  const lang = i18n.language;
  const stored = doc.automations?.[name] as unknown as Rule | undefined;
  const initial = useMemo<Rule>(
    () => stored ?? newRule(params.get('object') ?? Object.keys(doc.objects)[0] ?? '', params.get('label') ?? ''),
    [stored, params, doc.objects],
  );
  const item = useItemDraft<Rule>(initial, !!stored);
  const { draft: rule, replace: update } = item;
  const schema = (doc.objects[rule.object] ?? undefined) as ObjectSchema | undefined;
  const [conditions, setConditions] = useState(() => conditionsOf(initial, schema ?? {}));
  const [tab, setTab] = useState<'builder' | 'advanced'>(initial.condition && !initial.when ? 'advanced' : 'builder');
  const types = useQuery({
    queryKey: ['automation-action-types'],
    queryFn: ({ signal }) => fetchActionTypes(api, signal),
  });

  const setTrigger = (trigger: Rule['trigger']) => update({ ...rule, trigger });
  const saved = ruleToSave(rule, schema ?? {}, conditions);
  const local = localProblems(rule);
  const localText: Record<string, string> = Object.fromEntries(
    Object.entries(local).map(([p, code]) => [p, t(`automations.problem_${code}`)]),
  );
  if (saved.rawInvalid) localText['/when'] = t('automations.problem_json');
  const flow = useItemPublish(item, {
    section: 'automations',
    texts: 'automations',
    name,
    version: doc.version,
    definition: saved.rule,
    label: rule.label,
    localText,
    builderProblems: saved.builderProblems,
    // Coded refusals in the admin's language, at their part of the rule.
    say: (p) => issueText(t, (k) => i18n.exists(k), p),
    after: { deleted: `/designer/automations?object=${rule.object}` },
  });
  const { shown, check } = flow;
  const fieldOptions = Object.keys(schema?.properties ?? {}).map((f) => ({
    value: f,
    label: fieldLabel(schema, f, lang),
  }));

  const tr = rule.trigger;
  const watched = tr.fields?.[0] ?? '';
  const watchedField = schema?.properties?.[watched];
  const roles = Object.entries(doc.roles ?? {})
    .filter(([, r]) => !!r)
    .map(([n, r]) => ({ value: n, label: itemLabel(r ?? undefined, lang, n) }));
  const scripts = Object.entries(doc.scripts ?? {})
    .filter(
      ([, s]) => s && (s as { event?: string }).event === 'action' && (s as { object?: string }).object === rule.object,
    )
    .map(([n, s]) => ({ value: n, label: scriptLabel(s as Record<string, unknown>, lang, n) }));
  const segments = Object.entries(doc.segments ?? {})
    .filter(([, s]) => s?.object === rule.object)
    .map(([n, s]) => ({ value: n, label: s ? segmentLabel(s, lang) : n }))
    .sort((a, b) => a.label.localeCompare(b.label));
  const actionTypes = (types.data ?? []).map((k) => ({ type: k.type, label: actionName(t, k.type) }));
  const schedule = tr.every ?? '';
  const scheduleChoice = (SCHEDULES as readonly string[]).includes(schedule) ? schedule : 'custom';

  return (
    <Page wide>
      {flow.guard}
      <ItemEditorHeader
        {...flow.header}
        back={`/designer/automations?object=${rule.object}`}
        icon={<Zap size={22} aria-hidden="true" />}
        title={rule.label || t('automations.untitled')}
        subtitle={t('automations.editorSubtitle', { object: objectLabel(rule.object, schema, lang) })}
      />
      <div className="f-item-editor__layout f-auto-layout">
        <div className="f-item-editor__main">
          <Card title={t('automations.basics')}>
            <div className="f-item-editor__form">
              <TextField
                label={t('automations.label')}
                value={rule.label}
                onChange={(e) => update({ ...rule, label: e.target.value })}
                error={errorsUnder(shown, '/label')}
                required
              />
              <TextAreaField
                label={t('automations.description')}
                value={rule.description ?? ''}
                rows={2}
                onChange={(v) => {
                  const { description: _d, ...rest } = rule;
                  update(v ? { ...rest, description: v } : rest);
                }}
              />
              <CheckField
                label={t('automations.enabledLabel')}
                checked={rule.enabled !== false}
                onChange={(on) => {
                  const { enabled: _e, ...rest } = rule;
                  update(on ? rest : { ...rest, enabled: false });
                }}
              />
            </div>
          </Card>

          <Card title={t('automations.trigger')}>
            <div className="f-item-editor__form">
              <SelectField
                label={t('automations.when')}
                value={tr.on}
                options={TRIGGERS.map((on) => ({
                  value: on,
                  label: t(`automations.on_${on}`),
                }))}
                onChange={(on) =>
                  setTrigger(
                    on === 'schedule'
                      ? { on: 'schedule', every: SCHEDULES[0] }
                      : on === 'segment_entered' || on === 'segment_left'
                        ? // Keeps the segment when switching between entered and left.
                          { on, ...(tr.segment ? { segment: tr.segment } : {}) }
                        : { on: on as 'create' | 'update' | 'approval' },
                  )
                }
              />
              {(tr.on === 'segment_entered' || tr.on === 'segment_left') && (
                <div>
                  <SelectField
                    label={t('automations.segment')}
                    value={tr.segment ?? ''}
                    options={[
                      { value: '', label: t('automations.chooseSegment') },
                      ...segments,
                      // A segment of another object (or gone) stays shown by its name, and the check says why.
                      ...(tr.segment && !segments.some((s) => s.value === tr.segment)
                        ? [{ value: tr.segment, label: tr.segment }]
                        : []),
                    ]}
                    hint={segments.length ? undefined : t('automations.noSegments')}
                    onChange={(segment) => setTrigger(segment ? { on: tr.on, segment } : { on: tr.on })}
                  />
                  <FieldError message={errorsUnder(shown, '/trigger/segment')} />
                </div>
              )}
              {tr.on === 'update' && (
                <div className="f-item-editor__inline">
                  <SelectField
                    label={t('automations.watchField')}
                    value={watched}
                    options={[{ value: '', label: t('automations.anyField') }, ...fieldOptions]}
                    onChange={(f) => setTrigger(f ? { on: 'update', fields: [f] } : { on: 'update' })}
                  />
                  {watched && (
                    <div>
                      {watchedField?.enum ? (
                        <SelectField
                          label={t('automations.changedTo')}
                          value={tr.changedTo === undefined ? '' : String(tr.changedTo)}
                          options={[
                            { value: '', label: t('automations.anyValue') },
                            ...(watchedField.enum as string[]).map((v) => ({
                              value: v,
                              label: enumLabel(watchedField, v, lang),
                            })),
                          ]}
                          onChange={(v) => {
                            const { changedTo: _c, ...rest } = tr;
                            setTrigger(v ? { ...rest, changedTo: v } : rest);
                          }}
                        />
                      ) : (
                        <TextField
                          label={t('automations.changedTo')}
                          value={tr.changedTo === undefined ? '' : String(tr.changedTo)}
                          placeholder={t('automations.anyValue')}
                          onChange={(e) => {
                            const { changedTo: _c, ...rest } = tr;
                            setTrigger(e.target.value ? { ...rest, changedTo: e.target.value } : rest);
                          }}
                        />
                      )}
                      <FieldError message={errorsUnder(shown, '/trigger/changedTo')} />
                    </div>
                  )}
                </div>
              )}
              {tr.on === 'approval' && (
                <SelectField
                  label={t('automations.outcome')}
                  value={tr.outcome ?? ''}
                  options={[
                    { value: '', label: t('automations.eitherOutcome') },
                    { value: 'approved', label: t('automations.outcomeApproved') },
                    { value: 'rejected', label: t('automations.outcomeRejected') },
                  ]}
                  onChange={(v) =>
                    setTrigger(v ? { on: 'approval', outcome: v as 'approved' | 'rejected' } : { on: 'approval' })
                  }
                />
              )}
              {tr.on === 'schedule' && (
                <>
                  <div className="f-item-editor__inline">
                    <SelectField
                      label={t('automations.runs')}
                      value={scheduleChoice}
                      options={[
                        ...SCHEDULES.map((s, i) => ({
                          value: s,
                          label: t(`automations.schedule_${i}` as 'automations.schedule_0'),
                        })),
                        { value: 'custom', label: t('automations.scheduleCustom') },
                      ]}
                      onChange={(v) => setTrigger({ ...tr, every: v === 'custom' ? '' : v })}
                    />
                    {scheduleChoice === 'custom' && (
                      <TextField
                        label={t('automations.cron')}
                        value={schedule}
                        hint={t('automations.cronHint')}
                        onChange={(e) => setTrigger({ ...tr, every: e.target.value })}
                        error={errorsUnder(shown, '/trigger/every')}
                      />
                    )}
                  </div>
                  <CheckField
                    label={t('automations.useDate')}
                    checked={!!tr.date}
                    disabled={!dateFields(schema).length}
                    hint={dateFields(schema).length ? undefined : t('automations.noDateFields')}
                    onChange={(on) => {
                      const { date: _d, ...rest } = tr;
                      setTrigger(on ? { ...rest, date: { field: dateFields(schema)[0] ?? '', days: 3 } } : rest);
                    }}
                  />
                  {tr.date && (
                    <div className="f-item-editor__inline f-auto-inline--three">
                      <TextField
                        label={t('automations.days')}
                        type="number"
                        min={0}
                        value={String(Math.abs(tr.date.days))}
                        onChange={(e) => {
                          const n = Math.abs(Math.trunc(Number(e.target.value) || 0));
                          setTrigger({
                            ...tr,
                            date: { field: tr.date?.field ?? '', days: (tr.date?.days ?? 1) < 0 ? -n : n },
                          });
                        }}
                      />
                      <SelectField
                        label={t('automations.beforeAfter')}
                        value={tr.date.days < 0 ? 'after' : 'before'}
                        options={[
                          { value: 'before', label: t('automations.daysBefore') },
                          { value: 'after', label: t('automations.daysAfter') },
                        ]}
                        onChange={(v) =>
                          setTrigger({
                            ...tr,
                            date: {
                              field: tr.date?.field ?? '',
                              days: (v === 'after' ? -1 : 1) * Math.abs(tr.date?.days ?? 0),
                            },
                          })
                        }
                      />
                      <div>
                        <SelectField
                          label={t('automations.dateField')}
                          value={tr.date.field}
                          options={dateFields(schema).map((f) => ({ value: f, label: fieldLabel(schema, f, lang) }))}
                          onChange={(f) => setTrigger({ ...tr, date: { field: f, days: tr.date?.days ?? 0 } })}
                        />
                        <FieldError message={errorsUnder(shown, '/trigger/date')} />
                      </div>
                    </div>
                  )}
                </>
              )}
              <FieldError message={shown['/trigger'] ?? shown['/trigger/on'] ?? shown['/trigger/fields']} />
            </div>
          </Card>

          <Card title={t('automations.conditions')}>
            <div className="f-auto-tabs" role="tablist" aria-label={t('automations.conditions')}>
              {(['builder', 'advanced'] as const).map((k) => (
                <button
                  key={k}
                  type="button"
                  role="tab"
                  aria-selected={tab === k}
                  className={tab === k ? 'f-auto-tab f-auto-tab--on' : 'f-auto-tab'}
                  onClick={() => setTab(k)}
                >
                  {k === 'builder' ? t('automations.conditionsTab') : t('automations.advancedTab')}
                </button>
              ))}
            </div>
            {tab === 'builder' ? (
              <div role="tabpanel">
                <p className="f-item-editor__muted">{t('automations.conditionsHint')}</p>
                {conditions.raw === null ? (
                  <ConditionBuilder
                    label={t('automations.conditions')}
                    schema={schema ?? {}}
                    value={conditions.group}
                    onChange={(group: ConditionGroup) => {
                      setConditions({ group, raw: null });
                      item.touch();
                    }}
                    problems={flow.shownBuilderProblems}
                  />
                ) : (
                  <TextAreaField
                    label={t('automations.rawFilter')}
                    mono
                    rows={6}
                    value={conditions.raw}
                    onChange={(raw) => {
                      setConditions({ group: conditions.group, raw });
                      item.touch();
                    }}
                    hint={t('automations.rawFilterHint')}
                  />
                )}
                <FieldError message={errorsUnder(shown, '/when')} />
              </div>
            ) : (
              <div role="tabpanel">
                <TextAreaField
                  label={t('automations.expression')}
                  mono
                  rows={4}
                  value={rule.condition ?? ''}
                  placeholder="record.amount > 100000 && old?.stage !== 'won'"
                  hint={t('automations.expressionHint')}
                  onChange={(v) => {
                    const { condition: _c, ...rest } = rule;
                    update(v ? { ...rest, condition: v } : rest);
                  }}
                  error={errorsUnder(shown, '/condition')}
                />
              </div>
            )}
          </Card>

          <Card title={t('automations.actions')}>
            <ol className="f-auto-actions">
              {rule.actions.map((a, i) => {
                const path = `/actions/${i}`;
                const info = types.data?.find((k) => k.type === a.type);
                const move = (to: number) => {
                  const next = [...rule.actions];
                  const [item] = next.splice(i, 1);
                  next.splice(to, 0, item as RuleAction);
                  update({ ...rule, actions: next });
                };
                return (
                  // biome-ignore lint/suspicious/noArrayIndexKey: actions are an ordered list without ids.
                  <li key={i} className="f-auto-action">
                    <header className="f-auto-action__head">
                      <h3>
                        {i + 1}. {actionName(t, a.type)}
                      </h3>
                      <IconButton
                        label={t('automations.moveUp')}
                        icon={<ArrowUp size={16} aria-hidden="true" />}
                        disabled={i === 0}
                        onClick={() => move(i - 1)}
                      />
                      <IconButton
                        label={t('automations.moveDown')}
                        icon={<ArrowDown size={16} aria-hidden="true" />}
                        disabled={i === rule.actions.length - 1}
                        onClick={() => move(i + 1)}
                      />
                      <IconButton
                        label={t('automations.removeAction')}
                        icon={<Trash2 size={16} aria-hidden="true" />}
                        onClick={() => update({ ...rule, actions: rule.actions.filter((_x, j) => j !== i) })}
                      />
                    </header>
                    <ActionForm
                      action={a}
                      onChange={(next) =>
                        update({ ...rule, actions: rule.actions.map((x, j) => (j === i ? next : x)) })
                      }
                      ctx={{
                        schema,
                        objects: doc.objects as Record<string, ObjectSchema | null>,
                        roles,
                        scripts,
                        config: info?.schema,
                        errors: shown,
                        path,
                      }}
                    />
                    <FieldError message={shown[`${path}/type`] ?? shown[path]} />
                  </li>
                );
              })}
            </ol>
            {!rule.actions.length && <p className="f-item-editor__muted">{t('automations.noActions')}</p>}
            <FieldError message={shown['/actions']} />
            <h3 className="f-auto-subhead">{t('automations.addAction')}</h3>
            <AddActionMenu
              types={actionTypes}
              onAdd={(type) =>
                update({ ...rule, actions: [...rule.actions, structuredClone(NEW_ACTION[type] ?? { type })] })
              }
            />
          </Card>
        </div>
        <aside className="f-item-editor__side f-auto-side">
          <TestRunPanel
            object={rule.object}
            schema={schema}
            onRun={async (record) => {
              if (!(await check())) return undefined;
              try {
                return await dryRun(api, name, saved.rule as unknown as AutomationRule, record);
              } catch (e) {
                toast({ tone: 'error', title: e instanceof ApiError ? e.message : String(e) });
                return undefined;
              }
            }}
          />
          <RunLogPanel name={name} object={rule.object} published={!!stored} />
        </aside>
      </div>
      {flow.dialog}
    </Page>
  );
}
