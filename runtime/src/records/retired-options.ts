/**
 * Retired picklist options (`x-enum-retired`): a record keeps the value it has (an update of other
 * fields, or one that sends the same value back, passes), but no save may choose one anew.
 */
import { type FieldErrors, validationFailed } from '../errors';
import type { ObjectModel } from '../model/load-model';

export function assertNoRetiredChoice(
  object: ObjectModel,
  values: Record<string, unknown>,
  old: Record<string, unknown> | undefined,
  message: string,
): void {
  const errors: FieldErrors = {};
  for (const f of object.customFields) {
    const retired = f.definition['x-enum-retired'];
    if (!retired?.length || !(f.name in values)) continue;
    const v = values[f.name];
    const had = old?.[f.name];
    const before = Array.isArray(had) ? had : had === null || had === undefined ? [] : [had];
    const chosen = (Array.isArray(v) ? v : [v]).filter(
      (x): x is string => typeof x === 'string' && retired.includes(x) && !before.includes(x),
    );
    if (chosen.length)
      errors[f.name] = `${chosen.map((x) => `"${f.definition['x-enum-labels']?.[x] ?? x}"`).join(', ')} ${
        chosen.length === 1 ? 'is a retired option' : 'are retired options'
      }: choose another`;
  }
  if (Object.keys(errors).length) throw validationFailed(message, errors);
}
