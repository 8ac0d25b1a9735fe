/**
 * The journal of imports: one `_imports` row per committed import and one `_import_rows` row per
 * record it created or changed (with the values it replaced), so an import can be listed and
 * reverted as a whole even after the audit trail of those records has been purged.
 */
import type { Knex } from 'knex';
import type { Migration } from '../db/run-migrations';
import { qualified, SYSTEM_TABLE } from '../model/naming';

export const importLogMigration: Migration = {
  id: 'records_io_0001_imports',
  async up(trx, schema) {
    await trx.schema.withSchema(schema).createTable(SYSTEM_TABLE.imports, (t) => {
      t.uuid('id').primary();
      t.text('object').notNullable();
      t.text('mode').notNullable();
      t.text('format').notNullable();
      t.integer('inserted').notNullable().defaultTo(0);
      t.integer('updated').notNullable().defaultTo(0);
      t.integer('failed').notNullable().defaultTo(0);
      t.integer('duplicates').notNullable().defaultTo(0);
      t.uuid('created_by');
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(trx.fn.now());
      t.uuid('reverted_by');
      t.timestamp('reverted_at', { useTz: true });
      t.index(['object', 'created_at']);
    });
    await trx.schema.withSchema(schema).createTable(SYSTEM_TABLE.importRows, (t) => {
      t.uuid('import_id')
        .notNullable()
        .references('id')
        .inTable(`${schema}.${SYSTEM_TABLE.imports}`)
        .onDelete('CASCADE');
      t.uuid('record_id').notNullable();
      /** `i`: created by the import; `u`: changed by it. */
      t.specificType('action', 'char(1)').notNullable();
      /** The record's version right after the import: a revert leaves records changed since alone. */
      t.integer('version').notNullable();
      /** Changed records: the replaced values of the fields the import set. */
      t.jsonb('before');
      t.primary(['import_id', 'record_id']);
    });
  },
};

/**
 * The journal loses its foreign key to `_imports`: PostgreSQL checks one per inserted row (a trigger
 * event and a lookup each), which cost a 100,000-row import 2–3 s of its ~20 s at load, most of the
 * journal's write. Nothing deletes `_imports` rows (its ON DELETE CASCADE never ran), and the import
 * writes its `_imports` row first in the same transaction as its journal rows.
 */
export const importJournalNoForeignKeyMigration: Migration = {
  id: 'records_io_0002_journal_without_foreign_key',
  async up(trx, schema) {
    const fks = await trx.raw(`select conname from pg_constraint where conrelid = ?::regclass and contype = 'f'`, [
      qualified(schema, SYSTEM_TABLE.importRows),
    ]);
    for (const r of fks.rows as { conname: string }[])
      await trx.raw('alter table ?? drop constraint ??', [qualified(schema, SYSTEM_TABLE.importRows), r.conname]);
  },
};

export interface ImportJournalRow {
  recordId: string;
  action: 'i' | 'u';
  version: number;
  before?: Record<string, unknown>;
}

export interface ImportSummary {
  id: string;
  object: string;
  mode: string;
  format: string;
  inserted: number;
  updated: number;
  failed: number;
  duplicates: number;
  createdBy: string | null;
  createdAt: Date;
  revertedBy: string | null;
  revertedAt: Date | null;
}

/**
 * One statement per call: four array parameters unnested, instead of five bindings per row. A record
 * the same import touches again (a later row with the same upsert key) keeps its first entry (what
 * it was before the import) with the newest version.
 */
export async function journalRows(
  trx: Knex.Transaction,
  schema: string,
  importId: string,
  rows: readonly ImportJournalRow[],
): Promise<void> {
  if (!rows.length) return;
  await trx.raw(
    `insert into ?? (import_id, record_id, action, version, before)
     select ?, r.record_id, r.action, r.version, r.before
     from unnest(?::uuid[], ?::text[], ?::int[], ?::jsonb[]) as r(record_id, action, version, before)
     on conflict (import_id, record_id) do update set version = excluded.version`,
    [
      qualified(schema, SYSTEM_TABLE.importRows),
      importId,
      rows.map((r) => r.recordId),
      rows.map((r) => r.action),
      rows.map((r) => r.version),
      rows.map((r) => (r.before === undefined ? null : JSON.stringify(r.before))),
    ] as readonly Knex.Value[],
  );
}

export async function saveImport(
  trx: Knex.Transaction,
  schema: string,
  row: Omit<ImportSummary, 'createdAt' | 'revertedBy' | 'revertedAt'>,
): Promise<void> {
  await trx
    .withSchema(schema)
    .insert({
      id: row.id,
      object: row.object,
      mode: row.mode,
      format: row.format,
      inserted: row.inserted,
      updated: row.updated,
      failed: row.failed,
      duplicates: row.duplicates,
      created_by: row.createdBy,
    })
    .into(SYSTEM_TABLE.imports);
}

function summaryOf(r: Record<string, unknown>): ImportSummary {
  return {
    id: r.id as string,
    object: r.object as string,
    mode: r.mode as string,
    format: r.format as string,
    inserted: Number(r.inserted),
    updated: Number(r.updated),
    failed: Number(r.failed),
    duplicates: Number(r.duplicates),
    createdBy: (r.created_by as string | null) ?? null,
    createdAt: r.created_at as Date,
    revertedBy: (r.reverted_by as string | null) ?? null,
    revertedAt: (r.reverted_at as Date | null) ?? null,
  };
}

export async function listImports(
  db: Knex | Knex.Transaction,
  schema: string,
  object: string,
  opts: { createdBy?: string; limit: number },
): Promise<ImportSummary[]> {
  const qb = db
    .withSchema(schema)
    .from(SYSTEM_TABLE.imports)
    .where('object', object)
    .orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(opts.limit);
  if (opts.createdBy) qb.where('created_by', opts.createdBy);
  return (await qb).map(summaryOf);
}

export async function getImport(
  db: Knex | Knex.Transaction,
  schema: string,
  object: string,
  id: string,
  lock = false,
): Promise<ImportSummary | undefined> {
  const qb = db.withSchema(schema).from(SYSTEM_TABLE.imports).where({ id, object }).first();
  if (lock) qb.forUpdate();
  const row = await qb;
  return row ? summaryOf(row) : undefined;
}

export async function finishImport(
  trx: Knex.Transaction,
  schema: string,
  id: string,
  counts: Pick<ImportSummary, 'inserted' | 'updated' | 'failed' | 'duplicates'>,
): Promise<void> {
  await trx.withSchema(schema).from(SYSTEM_TABLE.imports).where({ id }).update(counts);
}

export async function markReverted(trx: Knex.Transaction, schema: string, id: string, userId: string | null) {
  await trx
    .withSchema(schema)
    .from(SYSTEM_TABLE.imports)
    .where({ id })
    .update({ reverted_by: userId, reverted_at: trx.fn.now() });
}

/** The journal of one import, a page at a time (a revert of 100,000 rows never holds them all). */
export async function* journalOf(
  db: Knex | Knex.Transaction,
  schema: string,
  importId: string,
  pageSize = 1000,
): AsyncGenerator<ImportJournalRow[]> {
  let after: string | null = null;
  for (;;) {
    const qb = db
      .withSchema(schema)
      .from(SYSTEM_TABLE.importRows)
      .where('import_id', importId)
      .orderBy('record_id')
      .limit(pageSize)
      .select('record_id', 'action', 'version', 'before');
    if (after) qb.where('record_id', '>', after);
    const rows: Record<string, unknown>[] = await qb;
    if (!rows.length) return;
    yield rows.map((r) => ({
      recordId: r.record_id as string,
      action: (r.action as string).trim() as 'i' | 'u',
      version: Number(r.version),
      ...(r.before ? { before: r.before as Record<string, unknown> } : {}),
    }));
    after = rows[rows.length - 1]?.record_id as string;
    if (rows.length < pageSize) return;
  }
}
