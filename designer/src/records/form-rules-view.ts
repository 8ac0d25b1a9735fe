import { formRuleStates, isEmptyValue } from '@forma/metadata/form-rules';
import type { RecordForm } from './form-schema';

type Json = Record<string, unknown>;

/** Marker in a field's uiSchema: the rules hide it now (form-layout-template.tsx leaves it out). */
export const RULE_HIDDEN = 'ui:ruleHidden';

export interface RuledForm {
  form: RecordForm;
  /** Fields the rules hide that still hold a typed value: the server clears them on save. */
  clearedOnSave: string[];
}

/**
 * The form as the rules want it for the values typed so far, decided by the server's own
 * evaluator: hidden fields left out (their values kept in the form, so showing them again brings
 * them back), required ones marked and checked before sending, read-only ones locked. Read-only
 * rules lock only an existing record's fields (a new record has nothing to keep), as on the server.
 */
export function applyFormRules(form: RecordForm, data: Json, isNew: boolean): RuledForm {
  const rules = form.rules ?? [];
  if (!rules.length) return { form, clearedOnSave: [] };
  const properties = (form.schema.properties ?? {}) as Json;
  const required = new Set((form.schema.required as string[] | undefined) ?? []);
  const uiSchema: Json = { ...form.uiSchema };
  const clearedOnSave: string[] = [];
  for (const [name, state] of formRuleStates(rules, data)) {
    if (!(name in properties)) continue;
    const ui: Json = { ...((uiSchema[name] as Json | undefined) ?? {}) };
    if (state.hidden) {
      ui[RULE_HIDDEN] = true;
      required.delete(name);
      if (!isEmptyValue(data[name]) && form.writable.includes(name)) clearedOnSave.push(name);
    }
    if (state.required && form.writable.includes(name)) required.add(name);
    if (state.readOnly && !isNew) ui['ui:readonly'] = true;
    uiSchema[name] = ui;
  }
  return {
    form: { ...form, schema: { ...form.schema, required: [...required] }, uiSchema },
    clearedOnSave,
  };
}
