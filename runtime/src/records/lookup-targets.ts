/**
 * Resolves lookup cells of imported rows to record ids, a batch at a time: a value is either the
 * target's id or its natural key — the target's label field (`x-label-field`, e.g. an account's
 * name), compared trimmed and case-insensitively; users by e-mail or name. Only records the
 * importing user may read can be linked. One query per lookup field and batch.
 */
import type { Knex } from 'knex';
import type { Ctx } from '../ctx';
import type { FieldModel, Model } from '../model/load-model';
import { SYSTEM_TABLE } from '../model/naming';
import type { PermissionEngine } from '../permissions/object-access';
import { compileFilter } from './compile-query';
import { queryAccessFor } from '../permissions/query-access';

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
    const rows: { id: string; email: string; name: string }[] = await db
      .withSchema(ctx.schema)
      .from(SYSTEM_TABLE.users)
      .select('id', 'email', 'name')
      .where('active', true)
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
    const qa = await queryAccessFor(ctx, model, target, permissions).catch(() => undefined);
    const labelColumn = target.field(target.labelField).column;
    const byLabel = labelColumn && labelColumn !== 'id' && names.length > 0;
    if (qa && (ids.length || byLabel)) {
      const t = target.table;
      const rows: { id: string; label: unknown }[] = await db
        .withSchema(ctx.schema)
        .from(t)
        .select(`${t}.id`, db.raw('?? as ??', [`${t}.${labelColumn ?? 'id'}`, 'label']))
        .where(compileFilter(model, target, null, qa, 'read'))
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
