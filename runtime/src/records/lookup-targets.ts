/**
 * What a lookup may point at: records of its target the user may read (live, inside their read
 * scope), or active users. One rule for every way a lookup is written: a create or update
 * (`lookupCheck`: missing and unreadable ids get the same answer, so a lookup cannot probe ids)
 * and an import (`resolveLookup`: ids or natural keys — the target's label field, users by e-mail
 * or name — a batch at a time). One query per lookup field and batch.
 */
import type { Knex } from 'knex';
import type { Ctx } from '../ctx';
import type { FieldErrors } from '../errors';
import type { FieldModel, Model, ObjectModel } from '../model/load-model';
import { SYSTEM_TABLE } from '../model/naming';
import type { PermissionEngine } from '../permissions/object-access';
import { queryAccessFor } from '../permissions/query-access';
import { compileFilter } from './compile-query';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type LookupResolution = Map<string, { id: string } | { error: string }>;

/** Trimmed, whitespace-collapsed, case-insensitive equality with any of the given names. */
const NAME_EQ = "lower(regexp_replace(btrim(??::text), '\\s+', ' ', 'g')) = any(?)";

function norm(v: string): string {
  return v.trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * For each distinct value given for `field`, the id it names or why it names none. Values are
 * keyed as written; the caller replaces each cell with its id or reports the error on the row.
 */
export async function resolveLookup(
  ctx: Ctx,
  model: Model,
  field: FieldModel,
  values: ReadonlySet<string>,
  permissions: PermissionEngine,
): Promise<LookupResolution> {
  const out: LookupResolution = new Map();
  if (!values.size || !field.ref) return out;
  const ids = [...values].filter((v) => UUID.test(v.trim())).map((v) => v.trim().toLowerCase());
  const names = [...new Set([...values].filter((v) => !UUID.test(v.trim())).map(norm))];
  const found = new Set<string>();
  const byName = new Map<string, string[]>();
  const db = ctx.db;

  if (field.ref === 'user') {
    const rows: { id: string; email: string; name: string }[] = await linkableUsers(ctx)
      .select('id', 'email', 'name')
      .where((b) => {
        b.whereRaw('false');
        if (ids.length) b.orWhereRaw('??::text = any(?)', ['id', ids]);
        if (names.length) b.orWhereRaw('lower(??) = any(?)', ['email', names]).orWhereRaw(NAME_EQ, ['name', names]);
      });
    for (const r of rows) {
      found.add(r.id);
      for (const key of new Set([r.email.toLowerCase(), norm(r.name)]))
        byName.set(key, [...(byName.get(key) ?? []), r.id]);
    }
  } else {
    const target = model.object(field.ref);
    const linkable = await linkableRecords(ctx, model, target, permissions);
    const labelColumn = target.field(target.labelField).column;
    const byLabel = labelColumn && labelColumn !== 'id' && names.length > 0;
    if (linkable && (ids.length || byLabel)) {
      const t = target.table;
      const rows: { id: string; label: unknown }[] = await linkable()
        .select(`${t}.id`, db.raw('?? as ??', [`${t}.${labelColumn ?? 'id'}`, 'label']))
        .where((b: Knex.QueryBuilder) => {
          b.whereRaw('false');
          if (ids.length) b.orWhereRaw('??::text = any(?)', [`${t}.id`, ids]);
          if (byLabel) b.orWhereRaw(NAME_EQ, [`${t}.${labelColumn}`, names]);
        })
        .limit(ids.length + names.length * 2 + 10);
      for (const r of rows) {
        found.add(r.id);
        if (r.label !== null && r.label !== undefined) {
          const key = norm(String(r.label));
          byName.set(key, [...(byName.get(key) ?? []), r.id]);
        }
      }
    }
  }

  const what = field.ref === 'user' ? 'user' : model.object(field.ref).label.toLowerCase();
  for (const v of values) {
    const trimmed = v.trim();
    if (UUID.test(trimmed)) {
      const id = trimmed.toLowerCase();
      out.set(v, found.has(id) ? { id } : { error: `No ${what} with this id` });
      continue;
    }
    const matches = [...new Set(byName.get(norm(v)) ?? [])];
    if (matches.length === 1) out.set(v, { id: matches[0] as string });
    else if (matches.length === 0) out.set(v, { error: `No ${what} named "${trimmed.slice(0, 100)}"` });
    else out.set(v, { error: `${matches.length} ${what} records are named "${trimmed.slice(0, 100)}": use the id` });
  }
  return out;
}

/**
 * The records of `target` a lookup written by `ctx.user` may point at, as a query to narrow down;
 * undefined when the user may not read the object at all (nothing is linkable). A function, since a
 * knex builder is a thenable: resolving a promise with one would run it.
 */
async function linkableRecords(
  ctx: Ctx,
  model: Model,
  target: ObjectModel,
  permissions: PermissionEngine,
): Promise<(() => Knex.QueryBuilder) | undefined> {
  const qa = await queryAccessFor(ctx, model, target, permissions).catch(() => undefined);
  if (!qa) return undefined;
  const where = compileFilter(model, target, null, qa, 'read');
  return () => ctx.db.withSchema(ctx.schema).from(target.table).where(where);
}

/** Users a lookup may point at: the tenant's active users. */
function linkableUsers(ctx: Ctx): Knex.QueryBuilder {
  return ctx.db.withSchema(ctx.schema).from(SYSTEM_TABLE.users).where('active', true);
}

/** Lookup values of some payloads: the ids each lookup field names, the way `lookupCheck` reads them. */
export type LookupErrors = (values: Record<string, unknown>) => FieldErrors;

/**
 * Reads once, for a batch of create or update payloads, which of the ids their lookups name the user
 * may link to, and answers per payload the fields naming anything else: `"No such record"`, the same
 * for a missing id and for a record outside the user's read scope. An update's values equal to the
 * stored ones (`old`) are not checked again, so a record keeps a link its editor cannot follow. The
 * line-item link to the parent is the parent check's business (records engine).
 */
export async function lookupCheck(
  ctx: Ctx,
  model: Model,
  object: ObjectModel,
  permissions: PermissionEngine,
  payloads: readonly unknown[],
  old?: Record<string, unknown> | null,
): Promise<LookupErrors> {
  const fields = object.customFields.filter((f) => f.ref && f.column && !f.readOnly && f.name !== object.parent?.field);
  const named = (f: FieldModel, values: unknown): string | undefined => {
    if (typeof values !== 'object' || values === null || Array.isArray(values)) return undefined;
    const v = (values as Record<string, unknown>)[f.name];
    if (typeof v !== 'string' || (old && old[f.column!] === v)) return undefined;
    return v;
  };
  const wanted = new Map<string, Set<string>>();
  for (const f of fields)
    for (const p of payloads) {
      const v = named(f, p);
      if (v === undefined) continue;
      const set = wanted.get(f.ref!) ?? new Set<string>();
      set.add(v.toLowerCase());
      wanted.set(f.ref!, set);
    }
  const linkable = new Map<string, Set<string>>();
  for (const [ref, values] of wanted) {
    const ids = [...values].filter((v) => UUID.test(v));
    let found: string[] = [];
    if (ids.length) {
      if (ref === 'user') found = await linkableUsers(ctx).whereIn('id', ids).pluck('id');
      else {
        const target = model.object(ref);
        const q = await linkableRecords(ctx, model, target, permissions);
        found = q ? await q().whereIn(`${target.table}.id`, ids).pluck(`${target.table}.id`) : [];
      }
    }
    linkable.set(ref, new Set(found.map(String)));
  }
  return (values) => {
    const errors: FieldErrors = {};
    for (const f of fields) {
      const v = named(f, values);
      if (v !== undefined && !linkable.get(f.ref!)?.has(v.toLowerCase())) errors[f.name] = NO_SUCH_RECORD;
    }
    return errors;
  };
}

export const NO_SUCH_RECORD = 'No such record';
