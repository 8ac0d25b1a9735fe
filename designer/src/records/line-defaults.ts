import type { FieldSchema, ObjectSchema } from '../meta/meta-types';
import type { recordsApi } from './records-api';

type Row = Record<string, unknown>;
type Api = Pick<ReturnType<typeof recordsApi>, 'list' | 'get'>;

interface Source {
  object: string;
  match: Record<string, string>;
  field: string;
}

function sourcesOf(f: FieldSchema | undefined): Source[] {
  const raw = f?.['x-default-from'];
  return Array.isArray(raw) ? (raw as Source[]) : [];
}

const head = (path: string) => path.split('.')[1];

/** Child fields whose `x-default-from` reads `changed` (a product picked on a line). */
export function fieldsFedBy(child: ObjectSchema, changed: string, writable: readonly string[]): string[] {
  return Object.entries(child.properties ?? {})
    .filter(
      ([name, f]) =>
        writable.includes(name) && sourcesOf(f).some((s) => Object.values(s.match).some((p) => head(p) === changed)),
    )
    .map(([name]) => name);
}

/**
 * The values a line's fields take from other records (`x-default-from`, docs/metadata.md), as the
 * server would resolve them on save, read through the records API with the user's own rights. The
 * line's link to its parent reads the parent form's current values (`parent`), since a new quote
 * has no id yet. A field no source finds a value for is left out.
 */
export async function lineDefaults(
  api: Api,
  child: ObjectSchema,
  parentLink: string,
  fields: readonly string[],
  row: Row,
  parent: Row,
  signal?: AbortSignal,
): Promise<Row> {
  const patch: Row = {};
  const resolve = async (path: string): Promise<unknown> => {
    const [, first, second] = path.split('.') as [string, string, string | undefined];
    const own = first === parentLink ? parent.id : row[first];
    if (second === undefined) return own;
    if (first === parentLink) return parent[second];
    const ref = child.properties?.[first]?.['x-ref'];
    if (typeof ref !== 'string' || typeof own !== 'string' || !own) return undefined;
    return (await api.get(ref, own, signal))[second];
  };
  for (const field of fields) {
    for (const source of sourcesOf(child.properties?.[field])) {
      const filter: Record<string, { eq: unknown }> = {};
      let complete = true;
      for (const [key, path] of Object.entries(source.match)) {
        const v = await resolve(path);
        if (v === undefined || v === null || v === '') {
          complete = false;
          break;
        }
        filter[key] = { eq: v };
      }
      if (!complete) continue;
      const page = await api.list(
        source.object,
        { filter, sort: 'created_at', limit: 1, fields: [source.field] },
        signal,
      );
      const value = page.items[0]?.[source.field as keyof (typeof page.items)[0]];
      if (value !== undefined && value !== null) {
        patch[field] = value;
        break;
      }
    }
  }
  return patch;
}
