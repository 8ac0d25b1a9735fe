import { ArrowDown, ArrowUp, Plus, Trash2 } from 'lucide-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { fieldLabel } from '../../i18n/pick-label';
import { i18nTitle, withI18nTitle } from './field-catalog';
import { listableFields } from '../../records/field-kind';
import { FilterBuilder } from '../../records/filter-builder';
import { toApiFilter } from '../../records/filter-model';
import { Button, IconButton, TextField, cx } from '../../ui';
import type { FullMetaDocument, ViewDefinition } from '../common/meta-write-api';

type I18nNode = ViewDefinition & { 'x-i18n'?: Record<string, Record<string, unknown>> };
import { CheckField, SelectField } from './controls';
import { NewNameDialog } from './new-name-dialog';
import type { EditorDraft } from './object-draft';
import { moveColumn, newView, rowsFromFilter, sortOf, toggleColumn, withSort } from './view-draft';

type OnChange = (next: EditorDraft | ((d: EditorDraft) => EditorDraft)) => void;

const SYSTEM_SORTS = ['created_at', 'updated_at'];

/** The object's list views: columns and their order, default sort, filter, default view. */
export function ViewsTab({ doc, draft, onChange }: { doc: FullMetaDocument; draft: EditorDraft; onChange: OnChange }) {
  const { t } = useTranslation();
  const names = Object.keys(draft.views).sort();
  const [selected, setSelected] = useState<string | null>(names[0] ?? null);
  const [creating, setCreating] = useState(false);
  const current = selected && draft.views[selected] ? selected : (names[0] ?? null);
  // View names are unique across the whole tenant, not per object.
  const taken = [...Object.keys(doc.views ?? {}), ...names];
  const setView = (name: string, v: ViewDefinition | null) =>
    onChange((d) => {
      const views = { ...d.views };
      if (v) views[name] = v;
      else delete views[name];
      return { ...d, views };
    });

  return (
    <div className="f-od-views">
      <section className="f-od-panel" aria-labelledby="f-od-views-title">
        <header className="f-od-panel__header">
          <h2 id="f-od-views-title">{t('objectDesigner.views')}</h2>
          <Button
            size="sm"
            variant="primary"
            icon={<Plus size={14} aria-hidden="true" />}
            onClick={() => setCreating(true)}
          >
            {t('objectDesigner.newView')}
          </Button>
        </header>
        {names.length === 0 ? (
          <p className="f-od-muted">{t('objectDesigner.noViews')}</p>
        ) : (
          <ul className="f-od-field-list">
            {names.map((n) => (
              <li key={n}>
                <button
                  type="button"
                  className={cx('f-od-field-button', current === n && 'f-od-field-button--active')}
                  aria-current={current === n ? 'true' : undefined}
                  onClick={() => setSelected(n)}
                >
                  <span className="f-od-field-button__label">{draft.views[n]?.label}</span>
                  <span className="f-od-field-button__meta">
                    <code>{n}</code>
                    {draft.views[n]?.default && <span className="f-od-pill">{t('objectDesigner.defaultView')}</span>}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="f-od-panel" aria-label={t('objectDesigner.viewSettings')}>
        {current && draft.views[current] ? (
          <ViewEditor
            key={current}
            draft={draft}
            name={current}
            view={draft.views[current]}
            onChange={(v) => setView(current, v)}
            onRemove={() => setView(current, null)}
            onMakeDefault={() =>
              onChange((d) => ({
                ...d,
                views: Object.fromEntries(
                  Object.entries(d.views).map(([k, v]) => {
                    const { default: _d, ...rest } = v;
                    return [k, k === current ? { ...rest, default: true } : rest];
                  }),
                ),
              }))
            }
          />
        ) : (
          <p className="f-od-muted">{t('objectDesigner.pickView')}</p>
        )}
      </section>
      <NewNameDialog
        open={creating}
        onOpenChange={setCreating}
        what="view"
        taken={taken}
        title={t('objectDesigner.newView')}
        nameHint={t('objectDesigner.viewNameHint')}
        submitLabel={t('objectDesigner.createView')}
        onCreate={(name, label) => {
          setView(name, newView(draft.name, draft.object, label));
          setSelected(name);
        }}
      />
    </div>
  );
}

function ViewEditor({
  draft,
  name,
  view,
  onChange,
  onRemove,
  onMakeDefault,
}: {
  draft: EditorDraft;
  name: string;
  view: ViewDefinition;
  onChange: (v: ViewDefinition) => void;
  onRemove: () => void;
  onMakeDefault: () => void;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const fields = listableFields(draft.object);
  const label = (f: string) => fieldLabel(draft.object, f, lang);
  const sort = sortOf(view);
  const rows = rowsFromFilter(view.filter);
  return (
    <div className="f-od-props">
      <div className="f-od-props__group">
        <div className="f-od-form__row">
          <TextField
            label={t('objectDesigner.label')}
            value={view.label}
            maxLength={200}
            onChange={(e) => onChange({ ...view, label: e.target.value })}
          />
          <TextField label={t('objectDesigner.apiName')} value={name} readOnly />
        </div>
        <TextField
          label={t('i18nContent.viewLabelZh')}
          lang="zh-CN"
          value={i18nTitle(view as I18nNode, 'zh-CN')}
          maxLength={200}
          onChange={(e) => onChange(withI18nTitle(view as I18nNode, 'zh-CN', e.target.value) as ViewDefinition)}
        />
        <CheckField
          label={t('objectDesigner.defaultView')}
          checked={view.default === true}
          onChange={(v) => {
            if (v) onMakeDefault();
            else {
              const { default: _d, ...rest } = view;
              onChange(rest);
            }
          }}
        />
      </div>
      <fieldset className="f-od-props__group f-od-columns">
        <legend>
          <h3>{t('objectDesigner.columnsTitle')}</h3>
        </legend>
        <ol className="f-od-layout-fields">
          {view.columns.map((c, i) => (
            <li key={c} className="f-od-layout-field">
              <CheckField
                label={label(c)}
                checked
                onChange={() => onChange(toggleColumn(view, c, false))}
                disabled={view.columns.length === 1}
              />
              <IconButton
                label={t('objectDesigner.moveFieldUp', { field: label(c) })}
                icon={<ArrowUp size={14} aria-hidden="true" />}
                disabled={i === 0}
                onClick={() => onChange(moveColumn(view, c, -1))}
              />
              <IconButton
                label={t('objectDesigner.moveFieldDown', { field: label(c) })}
                icon={<ArrowDown size={14} aria-hidden="true" />}
                disabled={i === view.columns.length - 1}
                onClick={() => onChange(moveColumn(view, c, 1))}
              />
            </li>
          ))}
          {fields
            .filter((f) => !view.columns.includes(f))
            .map((f) => (
              <li key={f} className="f-od-layout-field f-od-layout-field--off">
                <CheckField label={label(f)} checked={false} onChange={() => onChange(toggleColumn(view, f, true))} />
              </li>
            ))}
        </ol>
      </fieldset>
      <div className="f-od-props__group">
        <h3>{t('objectDesigner.defaultSort')}</h3>
        <div className="f-od-form__row">
          <SelectField
            label={t('objectDesigner.sortField')}
            value={sort?.field ?? ''}
            onChange={(v) => onChange(withSort(view, v, sort?.descending ?? false))}
            options={[
              { value: '', label: t('objectDesigner.noSort') },
              ...fields.map((f) => ({ value: f, label: label(f) })),
              ...SYSTEM_SORTS.map((f) => ({ value: f, label: t(`system.${f}` as 'system.created_at') })),
            ]}
          />
          <SelectField
            label={t('objectDesigner.sortDirection')}
            value={sort?.descending ? 'desc' : 'asc'}
            disabled={!sort}
            onChange={(v) => sort && onChange(withSort(view, sort.field, v === 'desc'))}
            options={[
              { value: 'asc', label: t('objectDesigner.ascending') },
              { value: 'desc', label: t('objectDesigner.descending') },
            ]}
          />
        </div>
      </div>
      <div className="f-od-props__group">
        <h3>{t('objectDesigner.filter')}</h3>
        {rows === null ? (
          <p className="f-field__hint">{t('objectDesigner.filterTooComplex')}</p>
        ) : (
          <FilterBuilder
            schema={draft.object}
            fields={fields}
            lang={lang}
            initial={rows}
            onApply={(next) => {
              const { filter } = toApiFilter(next, draft.object);
              const { filter: _old, ...rest } = view;
              onChange(filter ? { ...rest, filter } : rest);
            }}
          />
        )}
      </div>
      <div className="f-od-props__group f-od-props__danger">
        <Button variant="danger" icon={<Trash2 size={16} aria-hidden="true" />} onClick={onRemove}>
          {t('objectDesigner.removeView')}
        </Button>
      </div>
    </div>
  );
}
