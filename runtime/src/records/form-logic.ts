/**
 * Form logic on the server (docs/metadata.md, `x-form-rules` and `x-lookup-filter`): the records
 * engine runs these on every create, update and import row, after scripts, on the record as it will
 * be stored, with the same evaluator the record form uses (`@forma/metadata/form-rules`).
 *
 * - a field hidden by a rule loses its value (the form told the user it would);
 * - a field required by a rule and empty → 400 at the field;
 * - a field read-only by a rule and changed on an existing record → 400 at the field (a new record
 *   has nothing to keep, so read-only rules do not apply to creates; the new-record form agrees);
 * - a lookup with `x-lookup-filter` pointing at a record that does not match → 400 at the field.
 */
import { describeCondition, formRuleStates, isEmptyValue } from '@forma/metadata/form-rules';
import type { Ctx } from '../ctx';
import { type FieldErrors, validationFailed } from '../errors';
import type { ObjectModel } from '../model/load-model';
import type { Row } from './write-sql';

/** A row (physical columns) as field values. */
function fieldValues(object: ObjectModel, row: Row): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of object.fields.values()) if (f.column && f.column in row) out[f.name] = row[f.column];
  return out;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (isEmptyValue(a) && isEmptyValue(b)) return true;
  if ((typeof a === 'number' || typeof b === 'number') && Number(a) === Number(b)) return true;
  if (a instanceof Date || b instanceof Date)
    return new Date(a as string).getTime() === new Date(b as string).getTime();
  return JSON.stringify(a) === JSON.stringify(b);
}

export function hasFormLogic(object: ObjectModel): boolean {
  const def = object.definition;
  return (
    (def['x-form-rules']?.length ?? 0) > 0 ||
    Object.values(def.properties).some((f) => f?.['x-lookup-filter'] !== undefined)
  );
}

/**
 * Applies the rules to `row` (the columns about to be written, merged over `old` for an update):
 * returns the columns to clear, or throws 400 with every refused field.
 */
export function applyFormRules(object: ObjectModel, row: Row, old: Row | null, message: string): Row {
  const rules = object.definition['x-form-rules'];
  if (!rules?.length) return {};
  const values = fieldValues(object, row);
  const before = old ? fieldValues(object, old) : null;
  const label = (name: string) => (object.fields.get(name)?.label ?? name).toString();
  const errors: FieldErrors = {};
  const clear: Row = {};
  for (const [name, state] of formRuleStates(rules, values)) {
    const field = object.fields.get(name);
    if (!field?.column) continue;
    if (state.hidden) {
      if (!isEmptyValue(values[name]) && !field.readOnly) clear[field.column] = null;
      continue;
    }
    if (state.required && isEmptyValue(values[name]))
      errors[name] = state.requiredBy?.message ?? `Required when ${describeCondition(state.requiredBy?.when, label)}`;
    if (state.readOnly && before && !sameValue(before[name], values[name]))
      errors[name] =
        state.readOnlyBy?.message ?? `Cannot be changed while ${describeCondition(state.readOnlyBy?.when, label)}`;
  }
  if (Object.keys(errors).length) throw validationFailed(message, errors);
  return clear;
}

/**
 * `x-lookup-filter` enforced: each filtered lookup that names a record must name one whose target
 * fields equal this record's source fields (a source still empty narrows nothing, as in the
 * picker). Checked when the lookup or a source changed, so an old link stays valid until edited.
 * Reads without the writer's scope: whether the record may be linked at all is `lookupCheck`'s.
 */
export async function assertLookupFilters(
  ctx: Ctx,
  model: { object(name: string): ObjectModel },
  object: ObjectModel,
  row: Row,
  old: Row | null,
  message: string,
): Promise<void> {
  const values = fieldValues(object, row);
  const before = old ? fieldValues(object, old) : null;
  const errors: FieldErrors = {};
  for (const field of object.customFields) {
    const spec = object.definition.properties[field.name]?.['x-lookup-filter'];
    const value = values[field.name];
    if (!spec || !field.ref || field.ref === 'user' || isEmptyValue(value) || typeof value !== 'string') continue;
    const pairs = Object.entries(spec).flatMap(([target, source]) => {
      const src = /^\$record\.([a-z][a-z0-9_]{0,62})$/.exec(String(source))?.[1];
      return src ? [{ target, src }] : [];
    });
    const touched =
      !before || !sameValue(before[field.name], value) || pairs.some((p) => !sameValue(before[p.src], values[p.src]));
    const active = pairs.filter((p) => !isEmptyValue(values[p.src]));
    if (!touched || !active.length) continue;
    const target = model.object(field.ref);
    const q = ctx.db.withSchema(ctx.schema).from(target.table).where(`${target.table}.id`, value);
    for (const p of active) {
      const column = target.fields.get(p.target)?.column;
      if (!column) continue;
      q.where(`${target.table}.${column}`, values[p.src] as string);
    }
    if (!(await q.first(`${target.table}.id`))) {
      const sources = active.map((p) => object.fields.get(p.src)?.label ?? p.src).join(', ');
      errors[field.name] = `Not a ${target.label.toLowerCase()} of the chosen ${sources}`;
    }
  }
  if (Object.keys(errors).length) throw validationFailed(message, errors);
}
