import { useApi } from '../api/api-context';
import type { AppMeta, ObjectSchema } from '../meta/meta-types';
import type { RecordForm } from './form-schema';

type Data = Record<string, unknown>;

const empty = (v: unknown) => v === undefined || v === null || v === '';

/**
 * Fields of this form that a chosen lookup's record also has, as lookups to the same object: a
 * quote's `deal` → its `account` and `contact`. Only writable ones.
 */
export function fillableFrom(schema: ObjectSchema, form: RecordForm, meta: AppMeta, field: string): string[] {
  const ref = schema.properties?.[field]?.['x-ref'];
  if (typeof ref !== 'string' || ref === 'user') return [];
  const target = meta.objects[ref];
  return Object.entries(schema.properties ?? {})
    .filter(([name, def]) => {
      const to = def['x-ref'];
      return (
        name !== field &&
        typeof to === 'string' &&
        to !== 'user' &&
        form.writable.includes(name) &&
        target?.properties?.[name]?.['x-ref'] === to
      );
    })
    .map(([name]) => name);
}

/**
 * Forms that help: choosing a record in a lookup fills the form's still-empty lookups that record
 * has too (a deal on a quote brings its account and contact). Nothing the user already chose is
 * overwritten; a record the user may not read fills nothing.
 */
export function useLookupFill(
  schema: ObjectSchema,
  form: RecordForm,
  meta: AppMeta,
  setData: (update: (current: Data) => Data) => void,
) {
  const api = useApi();
  return (previous: Data, next: Data) => {
    for (const field of Object.keys(schema.properties ?? {})) {
      const value = next[field];
      if (typeof value !== 'string' || !value || value === previous[field]) continue;
      const fill = fillableFrom(schema, form, meta, field);
      if (!fill.length || !fill.some((f) => empty(next[f]))) continue;
      const ref = String(schema.properties?.[field]?.['x-ref']);
      void api
        .get<Data>(`/api/records/${encodeURIComponent(ref)}/${encodeURIComponent(value)}`)
        .then((chosen) =>
          setData((current) => {
            // The user may have picked another record meanwhile: only the latest choice fills.
            if (current[field] !== value) return current;
            const out = { ...current };
            let changed = false;
            for (const f of fill)
              if (empty(current[f]) && !empty(chosen[f])) {
                out[f] = chosen[f];
                changed = true;
              }
            return changed ? out : current;
          }),
        )
        .catch(() => undefined);
    }
  };
}
