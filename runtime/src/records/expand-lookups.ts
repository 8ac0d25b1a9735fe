/**
 * `expand=account,owner`: lookups replaced by the target record, one batched query per lookup
 * whatever the number of rows (no N+1), each within the reader's scope and field security on the
 * target. A target the reader may not see stays a bare id.
 */
import type { Knex } from 'knex';
import { badRequest } from '../errors';
import type { FieldModel, Model, ObjectModel } from '../model/load-model';
import { isIdentifier, SYSTEM_TABLE } from '../model/naming';
import { compileFilter, type QueryAccess } from './compile-query';
import { readableColumns, toRecord } from './field-guard';
import { safe } from './parse-filter';

export const MAX_EXPAND = 10;

export function parseExpand(object: ObjectModel, access: QueryAccess, expand: string | undefined): FieldModel[] {
  if (!expand?.trim()) return [];
  const names = [
    ...new Set(
      expand
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  if (names.length > MAX_EXPAND) throw badRequest(`expand: at most ${MAX_EXPAND} lookups`);
  return names.map((n) => {
    const f = isIdentifier(n) ? object.fields.get(n) : undefined;
    if (!f || access.access.fields[n] === 'none') throw badRequest(`expand: unknown field ${safe(n)}`);
    if (!f.ref || !f.column || n === 'id') throw badRequest(`expand: ${safe(n)} is not a lookup`);
    return f;
  });
}

export async function expandLookups(
  db: Knex | Knex.Transaction,
  model: Model,
  access: QueryAccess,
  lookups: readonly FieldModel[],
  items: Record<string, unknown>[],
  /** Users expand to `{id, name}`; tenant admins also get their e-mail address. */
  userEmails = false,
): Promise<void> {
  for (const f of lookups) {
    const col = f.column!;
    const ids = [...new Set(items.map((r) => r[col]).filter((v): v is string => typeof v === 'string'))];
    if (!ids.length) continue;
    const found = new Map<string, Record<string, unknown>>();
    if (f.ref === 'user') {
      const rows = await db
        .withSchema(access.schema)
        .from(SYSTEM_TABLE.users)
        .whereIn('id', ids)
        .select('id', 'name', ...(userEmails ? ['email'] : []));
      for (const r of rows) found.set(r.id, { id: r.id, name: r.name, ...(userEmails ? { email: r.email } : {}) });
    } else {
      const target = model.object(f.ref!);
      const targetAccess = access.related.get(target.name);
      if (!targetAccess?.can.read) continue;
      const columns = readableColumns(target, targetAccess);
      const where = compileFilter(model, target, null, { ...access, access: targetAccess }, 'read');
      const rows = await db
        .withSchema(access.schema)
        .from(target.table)
        .select(columns.map((c) => `${target.table}.${c}`))
        .whereIn(`${target.table}.id`, ids)
        .where(where);
      for (const r of rows) found.set(r.id, toRecord(r, columns));
    }
    for (const item of items) {
      const hit = typeof item[col] === 'string' ? found.get(item[col] as string) : undefined;
      if (hit) item[col] = hit;
    }
  }
}

/** What a reader may know of a record a lookup points at: its label, or only that it is hidden. */
export type LookupLabel = { object: string; label: string } | { object: string; hidden: true };

/**
 * The labels of records that lookups point at, for screens that show ids from elsewhere than a
 * record row (history diffs, approval cards): the same scope and field security as `expand`, in one
 * batched query per target object. A record out of the reader's scope, deleted, or whose label
 * field the reader may not see comes back `hidden`, never with its label. Users resolve to names.
 */
export async function lookupLabels(
  db: Knex | Knex.Transaction,
  model: Model,
  /** The object whose fields hold the lookups (`access` is the reader's on it). */
  self: ObjectModel,
  access: QueryAccess,
  refs: ReadonlyArray<{ object: string; id: string }>,
): Promise<Record<string, LookupLabel>> {
  const out: Record<string, LookupLabel> = {};
  const byObject = new Map<string, Set<string>>();
  for (const r of refs) {
    if (!UUID.test(r.id)) continue;
    const ids = byObject.get(r.object) ?? new Set<string>();
    ids.add(r.id);
    byObject.set(r.object, ids);
  }
  for (const [object, idSet] of byObject) {
    const ids = [...idSet].slice(0, MAX_LABELS);
    for (const id of ids) out[id] = { object, hidden: true };
    if (object === 'user') {
      const rows = await db.withSchema(access.schema).from(SYSTEM_TABLE.users).whereIn('id', ids).select('id', 'name');
      for (const r of rows) if (typeof r.name === 'string') out[r.id] = { object, label: r.name };
      continue;
    }
    const target = model.objects.get(object);
    // A lookup to its own object (a parent account) reads with the reader's access to it.
    const targetAccess =
      target?.name === self.name ? access.access : target ? access.related.get(target.name) : undefined;
    if (!target || !targetAccess?.can.read) continue;
    const labelColumn = target.fields.get(target.labelField)?.column;
    if (!labelColumn || targetAccess.fields[target.labelField] === 'none') continue;
    const where = compileFilter(model, target, null, { ...access, access: targetAccess }, 'read');
    const rows = await db
      .withSchema(access.schema)
      .from(target.table)
      .select(`${target.table}.id`, `${target.table}.${labelColumn} as label`)
      .whereIn(`${target.table}.id`, ids)
      .whereNull(`${target.table}.deleted_at`)
      .where(where);
    for (const r of rows) out[r.id] = { object, label: r.label === null ? '' : String(r.label) };
  }
  return out;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** One history page names at most this many distinct records per object. */
const MAX_LABELS = 500;
