/**
 * The audit trail: one `_audit` row per change, written in the change's transaction, holding only
 * what changed (`{field: [old, new]}`), who, when and what caused it when it was not a person
 * editing the record (a workflow step, a rule, an import). History reads apply field security; a
 * per-object retention (`x-audit: {retainDays}`) is enforced by `purgeExpiredAudit`.
 */
import type { Knex } from 'knex';
import type { ChangeCause } from '../change-cause';
import type { Model, ObjectModel } from '../model/load-model';
import type { FieldAccess } from '../permissions/object-access';
import { qualified, SYSTEM_TABLE } from '../model/naming';

export const AUDIT_TABLE = '_audit';

export type AuditAction = 'create' | 'update' | 'delete' | 'restore' | 'purge';
export type Changes = Record<string, [unknown, unknown]>;

export interface AuditEntry {
  object: string;
  recordId: string;
  action: AuditAction;
  userId: string | null;
  changes: Changes;
  /** Groups the rows of one import (so it can be listed or reverted as a whole). */
  batch?: string | null;
  /** What made the change, when not a person editing the record. */
  cause?: ChangeCause | null;
}

export interface HistoryEntry {
  id: number;
  at: Date;
  user: string | null;
  userName: string | null;
  action: AuditAction;
  changes: Changes;
  batch: string | null;
  /** What made the change (a workflow step, a rule, an import); null for a person's own edit. */
  cause: ChangeCause | null;
}

/** System columns that change on every write and would only add noise to a diff. */
export const NOT_AUDITED: ReadonlySet<string> = new Set([
  'version',
  'updated_at',
  'updated_by',
  'created_at',
  'created_by',
  'deleted_at',
]);

function norm(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  return v === undefined ? null : v;
}

/** `{field: [old, new]}` for every audited column whose value differs. */
export function diffRecords(
  object: ObjectModel,
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
): Changes {
  const changes: Changes = {};
  for (const col of object.columns) {
    if (NOT_AUDITED.has(col)) continue;
    const a = norm(before?.[col]);
    const b = norm(after?.[col]);
    if (JSON.stringify(a) !== JSON.stringify(b)) changes[col] = [a, b];
  }
  return changes;
}

/** The `_audit` row of an entry. */
export function auditRow(e: AuditEntry): Record<string, unknown> {
  return {
    object: e.object,
    record_id: e.recordId,
    action: e.action,
    user_id: e.userId,
    changes: JSON.stringify(e.changes),
    batch: e.batch ?? null,
    cause: e.cause ? JSON.stringify(e.cause) : null,
  };
}

export async function writeAudit(trx: Knex.Transaction, schema: string, entries: AuditEntry[]): Promise<void> {
  for (let i = 0; i < entries.length; i += 1000) {
    await trx
      .withSchema(schema)
      .insert(entries.slice(i, i + 1000).map(auditRow))
      .into(AUDIT_TABLE);
  }
}

export async function readHistory(
  db: Knex | Knex.Transaction,
  schema: string,
  object: string,
  recordId: string,
  fields: Readonly<Record<string, FieldAccess>>,
  opts: { limit: number; before?: number },
): Promise<HistoryEntry[]> {
  const qb = db
    .from({ a: qualified(schema, AUDIT_TABLE) })
    .leftJoin({ u: qualified(schema, SYSTEM_TABLE.users) }, 'u.id', 'a.user_id')
    .where({ 'a.object': object, 'a.record_id': recordId })
    .orderBy('a.id', 'desc')
    .limit(opts.limit)
    .select('a.id', 'a.at', 'a.user_id', 'u.name as user_name', 'a.action', 'a.changes', 'a.batch', 'a.cause');
  if (opts.before !== undefined) qb.where('a.id', '<', opts.before);
  const rows = await qb;
  return rows.map((r) => ({
    id: Number(r.id),
    at: r.at,
    user: r.user_id,
    userName: r.user_name ?? null,
    action: r.action,
    changes: Object.fromEntries(Object.entries(r.changes as Changes).filter(([f]) => fields[f] !== 'none')),
    batch: r.batch,
    cause: r.cause ?? null,
  }));
}

/** Deletes audit rows older than each object's `x-audit.retainDays`; returns how many went. */
export async function purgeExpiredAudit(
  db: Knex | Knex.Transaction,
  schema: string,
  model: Model,
  now: Date,
): Promise<number> {
  let deleted = 0;
  for (const object of model.objects.values()) {
    const days = retainDays(object);
    if (days === undefined) continue;
    const cutoff = new Date(now.getTime() - days * 86_400_000);
    deleted += await db
      .withSchema(schema)
      .from(AUDIT_TABLE)
      .where('object', object.name)
      .andWhere('at', '<', cutoff)
      .del();
  }
  return deleted;
}

export function retainDays(object: ObjectModel): number | undefined {
  const spec = (object.definition as { 'x-audit'?: { retainDays?: unknown } })['x-audit'];
  const days = spec?.retainDays;
  return typeof days === 'number' && Number.isInteger(days) && days > 0 ? days : undefined;
}

/** Tenant migration adding the cause of a change to `_audit` (appended to tenant-migrations.ts). */
export async function addAuditCause(trx: Knex.Transaction, schema: string): Promise<void> {
  await trx.schema.withSchema(schema).alterTable(AUDIT_TABLE, (t) => {
    t.jsonb('cause');
  });
}

/** Tenant migration creating `_audit` (appended to tenant-migrations.ts). */
export async function createAuditTable(trx: Knex.Transaction, schema: string): Promise<void> {
  await trx.schema.withSchema(schema).createTable(AUDIT_TABLE, (t) => {
    t.bigIncrements('id').primary();
    t.text('object').notNullable();
    t.uuid('record_id').notNullable();
    t.text('action').notNullable();
    t.uuid('user_id');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(trx.fn.now());
    t.jsonb('changes').notNullable().defaultTo('{}');
    t.uuid('batch');
    t.index(['object', 'record_id', 'id']);
    t.index(['object', 'at']);
    t.index(['batch']);
  });
}
