import { GripVertical, Plus } from 'lucide-react';
import { type DragEvent, type KeyboardEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { fieldLabel } from '../../i18n/pick-label';
import { fieldKind } from '../../records/field-kind';
import { Button, cx } from '../../ui';
import type { FullMetaDocument } from '../common/meta-write-api';
import { AddFieldDialog } from './add-field-dialog';
import { FieldProperties } from './field-properties';
import { FormPreview } from './form-preview';
import { type EditorDraft, addField, isRequired, moveField } from './object-draft';

interface FieldsTabProps {
  doc: FullMetaDocument;
  draft: EditorDraft;
  original: EditorDraft | null;
  onChange: (next: EditorDraft | ((d: EditorDraft) => EditorDraft)) => void;
}

/** Field list (drag or Alt+↑/↓ to reorder), the selected field's properties, and a live form preview. */
export function FieldsTab({ doc, draft, original, onChange }: FieldsTabProps) {
  const { t, i18n } = useTranslation();
  const names = Object.keys(draft.object.properties ?? {});
  const [selected, setSelected] = useState<string | null>(names[0] ?? null);
  const [adding, setAdding] = useState(false);
  const [dragging, setDragging] = useState<string | null>(null);
  const current = selected && draft.object.properties?.[selected] ? selected : (names[0] ?? null);

  function onKeyDown(e: KeyboardEvent, name: string, index: number) {
    if (!e.altKey || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown')) return;
    e.preventDefault();
    onChange((d) => moveField(d, name, index + (e.key === 'ArrowUp' ? -1 : 1)));
    // Keep focus on the moved field once the list re-renders.
    requestAnimationFrame(() => document.getElementById(`f-od-field-${name}`)?.focus());
  }

  function onDrop(e: DragEvent, index: number) {
    e.preventDefault();
    const name = e.dataTransfer.getData('text/x-forma-field') || dragging;
    setDragging(null);
    if (name) onChange((d) => moveField(d, name, index));
  }

  return (
    <div className="f-od-fields">
      <section className="f-od-panel f-od-fields__list" aria-labelledby="f-od-fields-title">
        <header className="f-od-panel__header">
          <h2 id="f-od-fields-title">
            {t('objectDesigner.fields')} <span className="f-publish__count">{names.length}</span>
          </h2>
          <Button
            size="sm"
            variant="primary"
            icon={<Plus size={14} aria-hidden="true" />}
            onClick={() => setAdding(true)}
          >
            {t('objectDesigner.addField')}
          </Button>
        </header>
        <p className="f-field__hint f-od-panel__hint" id="f-od-reorder-hint">
          {t('objectDesigner.reorderHint')}
        </p>
        <ul className="f-od-field-list" aria-describedby="f-od-reorder-hint">
          {names.map((name, index) => {
            const f = draft.object.properties?.[name] ?? {};
            const isNew = !original?.object.properties?.[name];
            return (
              <li
                key={name}
                className={cx('f-od-field-item', dragging === name && 'f-od-field-item--dragging')}
                draggable
                onDragStart={(e) => {
                  e.dataTransfer.setData('text/x-forma-field', name);
                  e.dataTransfer.effectAllowed = 'move';
                  setDragging(name);
                }}
                onDragEnd={() => setDragging(null)}
                onDragOver={(e) => e.preventDefault()}
                onDrop={(e) => onDrop(e, index)}
              >
                <GripVertical size={14} aria-hidden="true" className="f-od-grip" />
                <button
                  type="button"
                  id={`f-od-field-${name}`}
                  className={cx('f-od-field-button', current === name && 'f-od-field-button--active')}
                  aria-current={current === name ? 'true' : undefined}
                  onClick={() => setSelected(name)}
                  onKeyDown={(e) => onKeyDown(e, name, index)}
                >
                  <span className="f-od-field-button__label">
                    {fieldLabel(draft.object, name, i18n.language)}
                    {isRequired(draft, name) && (
                      <span className="f-field__required">
                        <span aria-hidden="true"> *</span>
                        <span className="f-sr-only">{t('common.required')}</span>
                      </span>
                    )}
                  </span>
                  <span className="f-od-field-button__meta">
                    <code>{name}</code> · {t(`objectDesigner.kind_${fieldKind(f)}` as const)}
                    {isNew && <span className="f-od-pill">{t('objectDesigner.new')}</span>}
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
      </section>
      <section className="f-od-panel f-od-fields__props" aria-label={t('objectDesigner.properties')}>
        {current ? (
          <FieldProperties
            key={current}
            doc={doc}
            draft={draft}
            original={original}
            name={current}
            onChange={onChange}
            onSelect={setSelected}
          />
        ) : (
          <p className="f-od-muted">{t('objectDesigner.noFieldSelected')}</p>
        )}
      </section>
      <section className="f-od-panel f-od-fields__preview" aria-labelledby="f-od-preview-title">
        <header className="f-od-panel__header">
          <h2 id="f-od-preview-title">{t('objectDesigner.preview')}</h2>
        </header>
        <FormPreview draft={draft} />
      </section>
      <AddFieldDialog
        open={adding}
        onOpenChange={setAdding}
        doc={doc}
        draft={draft}
        onAdd={(name, field, required) => {
          onChange((d) => {
            const next = addField(d, name, field);
            return required
              ? { ...next, object: { ...next.object, required: [...(next.object.required ?? []), name] } }
              : next;
          });
          setSelected(name);
        }}
      />
    </div>
  );
}
