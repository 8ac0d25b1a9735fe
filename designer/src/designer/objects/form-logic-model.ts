import { FORM_RULE_EFFECTS, type FormRule, type FormRuleEffect } from '@forma/metadata/form-rules';
import type { FieldSchema, ObjectSchema } from '../../meta/meta-types';
import { fieldKind } from '../../records/field-kind';

export type RuleEffect = FormRuleEffect;
export const RULE_EFFECTS = FORM_RULE_EFFECTS;

/** The object's form rules (`x-form-rules`). */
export function rulesOf(o: ObjectSchema): FormRule[] {
  return Array.isArray(o['x-form-rules']) ? (o['x-form-rules'] as FormRule[]) : [];
}

export function withRules(o: ObjectSchema, rules: FormRule[]): ObjectSchema {
  const { 'x-form-rules': _old, ...rest } = o;
  return rules.length ? { ...rest, 'x-form-rules': rules } : rest;
}

/** Fields a rule may target: stored ones (line items live in their own object). */
export function ruleTargets(o: ObjectSchema): string[] {
  return Object.entries(o.properties ?? {})
    .filter(([, f]) => fieldKind(f) !== 'children')
    .map(([n]) => n);
}

/** A field's removal leaves no rule naming it as a target; a rule left with no field goes. */
export function rulesWithoutField(o: ObjectSchema, field: string): ObjectSchema {
  const rules = rulesOf(o);
  if (!rules.length) return o;
  return withRules(
    o,
    rules.map((r) => ({ ...r, fields: r.fields.filter((f) => f !== field) })).filter((r) => r.fields.length > 0),
  );
}

/** The first `target: "$record.source"` pair of a lookup's `x-lookup-filter` (the editor shows one). */
export function lookupFilterOf(f: FieldSchema): { target?: string; source?: string } {
  const spec = f['x-lookup-filter'];
  if (!spec || typeof spec !== 'object') return {};
  const [entry] = Object.entries(spec as Record<string, unknown>);
  if (!entry) return {};
  const source = /^\$record\.([a-z][a-z0-9_]*)$/.exec(String(entry[1]))?.[1];
  return { target: entry[0], ...(source ? { source } : {}) };
}

/**
 * Sets or clears a lookup's filter. Choosing only the target field picks this record's field
 * pointing at the same object when there is exactly one (a contact's account ← the deal's
 * account), since that is nearly always what is meant.
 */
export function withLookupFilter(
  o: ObjectSchema,
  lookup: string,
  target: string | undefined,
  source: string | undefined,
  targetSchema?: ObjectSchema,
): ObjectSchema {
  const f = o.properties?.[lookup];
  if (!f) return o;
  const { 'x-lookup-filter': _old, ...rest } = f;
  let src = source;
  if (target && !src && targetSchema) {
    const ref = targetSchema.properties?.[target]?.['x-ref'];
    const candidates = Object.keys(o.properties ?? {}).filter(
      (n) => n !== lookup && o.properties?.[n]?.['x-ref'] === ref,
    );
    if (candidates.length === 1) src = candidates[0];
  }
  const next: FieldSchema = target && src ? { ...rest, 'x-lookup-filter': { [target]: `$record.${src}` } } : rest;
  return { ...o, properties: { ...o.properties, [lookup]: next } };
}
