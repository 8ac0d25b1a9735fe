/**
 * Values a new record takes from other records when it omits them (`x-default-from`, docs/metadata.md):
 * a quote line's unit price from the quote's price list, else from the product. Declared in metadata
 * rather than written per object, so every create — form, API, import, nested line items — gets it.
 */
import type { FieldDefinition } from '@forma/metadata';
import type { ObjectModel } from '../model/load-model';

export type DefaultSource = NonNullable<FieldDefinition['x-default-from']>[number];

/**
 * The `field` value of the first live `object` record whose fields equal `match`, as the writer may
 * read it; undefined when there is none or the writer may not read it.
 */
export type FindValue = (object: string, match: Record<string, Scalar>, field: string) => Promise<unknown>;

type Scalar = string | number | boolean;
const scalar = (v: unknown): Scalar | undefined =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : undefined;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Fields of `object` with a default source. */
export function defaultSources(object: ObjectModel): { field: string; sources: readonly DefaultSource[] }[] {
  const out: { field: string; sources: readonly DefaultSource[] }[] = [];
  for (const [field, def] of Object.entries(object.definition.properties)) {
    const sources = def?.['x-default-from'];
    if (sources?.length) out.push({ field, sources });
  }
  return out;
}

/**
 * `values` with each omitted field that has sources filled from the first source that finds a
 * value. A source whose path has no value yet (no product chosen) is skipped; ids that are not
 * ids are left for the lookup check to name.
 */
export async function fillDefaultsFrom(
  object: ObjectModel,
  values: Record<string, unknown>,
  find: FindValue,
): Promise<Record<string, unknown>> {
  const wanted = defaultSources(object).filter((d) => values[d.field] === undefined);
  if (!wanted.length) return values;
  const out = { ...values };
  const resolve = async (path: string): Promise<Scalar | undefined> => {
    const [first, second] = path.split('.').slice(1) as [string, string | undefined];
    const v = out[first];
    if (second === undefined) return scalar(v);
    const ref = object.fields.get(first)?.ref;
    if (!ref || ref === 'user' || typeof v !== 'string' || !UUID.test(v)) return undefined;
    return scalar(await find(ref, { id: v }, second));
  };
  for (const { field, sources } of wanted) {
    for (const source of sources) {
      const match: Record<string, Scalar> = {};
      for (const [key, path] of Object.entries(source.match)) {
        const v = await resolve(String(path));
        if (v === undefined) break;
        match[key] = v;
      }
      if (Object.keys(match).length !== Object.keys(source.match).length) continue;
      const value = await find(source.object, match, source.field);
      if (value !== undefined && value !== null) {
        out[field] = value;
        break;
      }
    }
  }
  return out;
}
