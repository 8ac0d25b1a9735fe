/**
 * Template layers: re-applying a (newer) template is a three-way merge of the template version the
 * tenant got last time (base), the tenant's current metadata (ours) and the new template (theirs).
 * What the tenant did not touch follows the template; what the tenant added or changed is kept;
 * what the tenant deleted stays deleted. Objects merge field by field.
 */
import { isDeepStrictEqual } from 'node:util';
import type { MetadataDocument, ObjectDefinition } from '@forma/metadata';
import { META_SECTIONS } from './section-checks';

type Item = Record<string, unknown>;

/** Stable ids are the tenant's bookkeeping, not content: compare without them. */
function withoutIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutIds);
  if (value && typeof value === 'object') {
    const out: Item = {};
    for (const [k, v] of Object.entries(value)) if (k !== 'x-id' && k !== 'x-renamed-from') out[k] = withoutIds(v);
    return out;
  }
  return value;
}

/** Equal content, ignoring stable ids. */
export const sameContent = (a: unknown, b: unknown) => isDeepStrictEqual(withoutIds(a), withoutIds(b));
const same = sameContent;

/** The three-way rule for one value; `undefined` means absent. */
function merge3<T>(
  base: T | undefined,
  ours: T | undefined,
  theirs: T | undefined,
  deep?: (b: T | undefined, o: T, t: T) => T,
) {
  if (theirs === undefined) return base !== undefined && same(ours, base) ? undefined : ours;
  if (ours === undefined) return base !== undefined ? undefined : theirs;
  if (base === undefined) return same(ours, theirs) ? ours : deep ? deep(undefined, ours, theirs) : ours;
  if (same(ours, base)) return keepIds(ours, theirs);
  if (same(theirs, base)) return ours;
  return deep ? deep(base, ours, theirs) : ours;
}

/** The template's version of an item, keeping the tenant's ids where the tenant has the same item. */
function keepIds<T>(ours: T, theirs: T): T {
  if (!ours || !theirs || typeof ours !== 'object' || typeof theirs !== 'object') return theirs;
  const o = ours as Item;
  const out: Item = { ...(theirs as Item) };
  if (o['x-id'] !== undefined && out['x-id'] === undefined) out['x-id'] = o['x-id'];
  const op = o.properties as Record<string, Item> | undefined;
  const tp = out.properties as Record<string, Item> | undefined;
  if (op && tp) {
    out.properties = Object.fromEntries(Object.entries(tp).map(([k, f]) => [k, op[k] ? keepIds(op[k], f) : f]));
  }
  return out as T;
}

function mergeObject(
  maybeBase: ObjectDefinition | undefined,
  ours: ObjectDefinition,
  theirs: ObjectDefinition,
): ObjectDefinition {
  // Without a base (the tenant made an object of the same name), both sides' fields are kept.
  const base = maybeBase ?? ({ properties: {} } as unknown as ObjectDefinition);
  const out: Item = {};
  const [b, o, t] = [base, ours, theirs] as unknown as Item[];
  const keys = new Set([...Object.keys(b!), ...Object.keys(o!), ...Object.keys(t!)]);
  for (const key of keys) {
    if (key === 'properties') continue;
    const v = merge3(b![key], o![key], t![key]);
    if (v !== undefined) out[key] = v;
  }
  if (ours['x-id']) out['x-id'] = ours['x-id'];
  const props: Record<string, unknown> = {};
  const names = new Set([
    ...Object.keys(base.properties ?? {}),
    ...Object.keys(ours.properties ?? {}),
    ...Object.keys(theirs.properties ?? {}),
  ]);
  for (const name of names) {
    const v = merge3(base.properties?.[name], ours.properties?.[name], theirs.properties?.[name]);
    if (v !== undefined) props[name] = v;
  }
  out.properties = props;
  // A required entry whose field is gone would make the object invalid.
  if (Array.isArray(out.required)) out.required = (out.required as string[]).filter((r) => r in props);
  return out as unknown as ObjectDefinition;
}

export function mergeTemplate(
  base: MetadataDocument,
  ours: MetadataDocument,
  theirs: MetadataDocument,
): MetadataDocument {
  const out: MetadataDocument = {};
  for (const section of META_SECTIONS) {
    const b = (base[section] ?? {}) as Record<string, unknown>;
    const o = (ours[section] ?? {}) as Record<string, unknown>;
    const t = (theirs[section] ?? {}) as Record<string, unknown>;
    const items: Record<string, unknown> = {};
    for (const name of new Set([...Object.keys(b), ...Object.keys(o), ...Object.keys(t)])) {
      const v =
        section === 'objects'
          ? merge3(b[name] as ObjectDefinition, o[name] as ObjectDefinition, t[name] as ObjectDefinition, mergeObject)
          : merge3(b[name], o[name], t[name]);
      if (v !== undefined) items[name] = v;
    }
    (out as Record<string, unknown>)[section] = items;
  }
  return out;
}
