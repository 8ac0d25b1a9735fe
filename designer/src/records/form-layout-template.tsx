import type { ObjectFieldTemplateProps } from '@rjsf/utils';
import { useTranslation } from 'react-i18next';
import './form-layout-template.css';

type Json = Record<string, unknown>;

function asJson(v: unknown): Json | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
}

function hasValue(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === false) return false;
  return !(Array.isArray(v) && v.length === 0);
}

/**
 * Whether a field is shown for the data typed so far: `ui:visibleIf: {field}` (set in the form
 * designer) hides it until that other field has a value. Hidden fields keep their value.
 */
export function isFieldShown(uiSchema: Json | undefined, name: string, data: Json | undefined): boolean {
  // Hidden by the object's form rules right now (records/form-rules-view.ts).
  if (asJson(uiSchema?.[name])?.['ui:ruleHidden'] === true) return false;
  const cond = asJson(asJson(uiSchema?.[name])?.['ui:visibleIf']);
  if (!cond || typeof cond.field !== 'string') return true;
  return hasValue(data?.[cond.field]);
}

interface Section {
  title: string;
  titleZh?: string;
  columns: number;
  fields: string[];
}

/** The form's sections (`ui:layout`, written by the form designer), or null for the plain grid. */
export function sectionsOf(uiSchema: Json | undefined): Section[] | null {
  const raw = asJson(uiSchema?.['ui:layout'])?.sections;
  if (!Array.isArray(raw) || raw.length === 0) return null;
  return raw.flatMap((s) => {
    const r = asJson(s);
    if (!r) return [];
    return [
      {
        title: typeof r.title === 'string' ? r.title : '',
        ...(typeof r.titleZh === 'string' ? { titleZh: r.titleZh } : {}),
        columns: r.columns === 2 ? 2 : 1,
        fields: (Array.isArray(r.fields) ? r.fields : []).filter((f): f is string => typeof f === 'string'),
      },
    ];
  });
}

/**
 * The record form's object template: the designer's sections and columns, and conditional
 * visibility. Without a layout it renders rjsf's usual fieldset (and its grid styling).
 */
export function LayoutObjectTemplate(props: ObjectFieldTemplateProps) {
  const { i18n } = useTranslation();
  const ui = props.uiSchema as Json | undefined;
  const data = asJson(props.formData);
  const shown = props.properties.filter((p) => !p.hidden && isFieldShown(ui, p.name, data));
  const sections = sectionsOf(ui);
  if (!sections) {
    return (
      <fieldset id={props.fieldPathId.$id}>
        {shown.map((p) => (
          <div key={p.name} className="f-form-cell">
            {p.content}
          </div>
        ))}
      </fieldset>
    );
  }
  const byName = new Map(shown.map((p) => [p.name, p]));
  const placed = new Set(sections.flatMap((s) => s.fields));
  const rest = shown.filter((p) => !placed.has(p.name));
  const zh = i18n.language.toLowerCase().startsWith('zh');
  return (
    <div id={props.fieldPathId.$id} className="f-form-sections">
      {sections.map((s, i) => {
        const fields = s.fields.flatMap((f) => byName.get(f) ?? []);
        if (i === sections.length - 1) fields.push(...rest);
        if (fields.length === 0) return null;
        const title = (zh && s.titleZh) || s.title;
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: sections have no identity beyond their position.
          <section key={i} className="f-form-section" aria-label={title || undefined}>
            {title && <h2 className="f-form-section__title">{title}</h2>}
            <div className={s.columns === 2 ? 'f-form-section__grid f-form-section__grid--2' : 'f-form-section__grid'}>
              {fields.map((p) => (
                <div key={p.name} className="f-form-cell">
                  {p.content}
                </div>
              ))}
            </div>
          </section>
        );
      })}
    </div>
  );
}
