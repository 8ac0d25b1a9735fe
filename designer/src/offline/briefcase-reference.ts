import type { FieldSchema, ObjectSchema } from '../meta/meta-types';
import type { AppMeta } from '../meta/meta-types';
import type { RecordPage, RecordRow } from '../records/records-api';
import type { BriefcaseRecord } from './briefcase-db';

/** A line-items field of an object: its rows are records of `child`, linked back through `link`. */
export interface LineSpec {
  field: string;
  child: string;
  link: string;
}

export function lineSpecs(meta: AppMeta, object: string): LineSpec[] {
  const out: LineSpec[] = [];
  for (const [field, f] of Object.entries(meta.objects[object]?.properties ?? {})) {
    const c = f['x-children'];
    const child = typeof c === 'string' ? c : (c as { object?: string } | undefined)?.object;
    if (!child || !meta.objects[child]) continue;
    // `field` may be omitted when the child has exactly one lookup to the parent (docs/metadata.md).
    const named = typeof c === 'object' ? (c as { field?: string }).field : undefined;
    const link =
      named ?? Object.entries(meta.objects[child]!.properties ?? {}).find(([, cf]) => cf['x-ref'] === object)?.[0];
    if (link) out.push({ field, child, link });
  }
  return out;
}

function defaultSources(f: FieldSchema): string[] {
  const raw = f['x-default-from'];
  return Array.isArray(raw) ? raw.map((s) => (s as { object?: string }).object).filter((o): o is string => !!o) : [];
}

/**
 * Reference data: the objects the briefcased objects' forms read — their lookups' targets, their
 * line items' lookups (a line's product) and the records an `x-default-from` takes a value from (a
 * price list's entry). They travel read-only, so a form can be filled and priced without a network.
 */
export function referenceObjects(meta: AppMeta, carried: readonly string[]): string[] {
  const out = new Set<string>();
  const scan = (schema: ObjectSchema | undefined, skip?: string) => {
    for (const [name, f] of Object.entries(schema?.properties ?? {})) {
      if (name === skip) continue;
      if (typeof f['x-ref'] === 'string') out.add(f['x-ref']);
      for (const s of defaultSources(f)) out.add(s);
    }
  };
  for (const object of carried) {
    scan(meta.objects[object]);
    for (const l of lineSpecs(meta, object)) scan(meta.objects[l.child], l.link);
  }
  return [...out].filter((o) => meta.objects[o]).sort();
}

type Filter = Record<string, { eq: unknown }>;

/**
 * The records API's `list` and `get` answered from the briefcase, for the form's own helpers
 * (`lineDefaults` in records/line-defaults.ts) to work offline exactly as they do online: equality
 * filters, creation order, a limit.
 */
export function briefcaseLookupApi(records: readonly BriefcaseRecord[]) {
  const of = (object: string) => records.filter((r) => r.object === object).map((r) => r.local as RecordRow);
  return {
    get: async (object: string, id: string): Promise<RecordRow> => {
      const hit = of(object).find((r) => r.id === id);
      if (!hit) throw new Error('Not in the briefcase');
      return hit;
    },
    list: async (object: string, p: { filter?: unknown; limit?: number | undefined }): Promise<RecordPage> => {
      const filter = (p.filter ?? {}) as Filter;
      const items = of(object)
        .filter((r) => Object.entries(filter).every(([k, c]) => r[k] === c.eq))
        .sort((a, b) => String(a.created_at ?? '').localeCompare(String(b.created_at ?? '')))
        .slice(0, p.limit ?? 50);
      return { items, nextCursor: null };
    },
  };
}
