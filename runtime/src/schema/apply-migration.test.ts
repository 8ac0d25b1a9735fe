import type { MetadataDocument } from '@forma/metadata';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectDb, type Db } from '../db/connect-db';
import { AppError } from '../errors';
import { type ApplyMigrationInput, applyMigration, type MetadataVersions } from './apply-migration';
import { planMigration } from './plan-migration';

/** The transaction around a metadata change: checks, destructive guard, steps and version row, all or nothing. */
const SCHEMA = `t_applymig_${process.pid}`;
let db: Db;

beforeAll(async () => {
  db = connectDb({ url: inject('databaseUrl'), poolMax: 4 });
  await db.raw(`drop schema if exists ?? cascade`, [SCHEMA]);
  await db.raw(`create schema ??`, [SCHEMA]);
});
afterAll(async () => {
  await db?.raw(`drop schema if exists ?? cascade`, [SCHEMA]);
  await db?.destroy();
});

/** Versions kept in memory; the lock and the reads run in the given transaction like the real store's. */
function memoryVersions(start: MetadataDocument) {
  const rows: Array<{ version: number; document: MetadataDocument }> = [{ version: 1, document: start }];
  const versions: MetadataVersions = {
    lock: async (trx) => {
      await trx.raw('select pg_advisory_xact_lock(4242)');
    },
    currentVersion: async () => rows.at(-1)?.version ?? 0,
    document: async (_trx, _schema, v) => rows.find((r) => r.version === v)?.document as MetadataDocument,
    insertVersion: async (_trx, _schema, row) => {
      rows.push({ version: row.version, document: row.document });
    },
  };
  return { versions, rows };
}

const deal = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  ({ objects: { deal: { type: 'object', 'x-id': 'o1', properties, ...extra } } }) as unknown as MetadataDocument;
const name = { type: 'string', maxLength: 100, 'x-id': 'f1' };
const amount = { type: 'number', 'x-id': 'f2' };
const opts = { lockTimeoutMs: 2000, maxAttempts: 3, now: () => new Date('2026-12-07T00:00:00Z') };

function change(
  versions: MetadataVersions,
  next: MetadataDocument,
  allowDestructive = false,
): Promise<Awaited<ReturnType<typeof applyMigration<string>>>> {
  const input: ApplyMigrationInput<string> = {
    versions,
    tenant: 'applymig',
    schema: SCHEMA,
    author: { id: null, name: 'test' },
    source: 'test',
    allowDestructive,
    prepare: async ({ document }) => ({
      next,
      plan: planMigration(document, next, { schema: SCHEMA, rollupValue: null as never }),
      summary: 'changed',
    }),
  };
  return applyMigration(db as unknown as Knex, input, opts);
}

const columns = async () =>
  (
    await db.from('information_schema.columns').where({ table_schema: SCHEMA, table_name: 'deal' }).pluck('column_name')
  ).sort();

async function conflictOf(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error('the change was applied');
}

describe('applyMigration', () => {
  const { versions, rows } = memoryVersions({ objects: {} } as unknown as MetadataDocument);

  it('runs the steps and writes the next version', async () => {
    const out = await change(versions, deal({ name, amount }));
    expect(out).toMatchObject({ version: 2, changed: true, summary: 'changed' });
    expect(await columns()).toEqual(expect.arrayContaining(['amount', 'id', 'name']));
    expect(rows.map((r) => r.version)).toEqual([1, 2]);
  });

  it('refuses a destructive change unless allowed, changing nothing', async () => {
    const e = await conflictOf(change(versions, deal({ name })));
    expect(e.status).toBe(409);
    expect(e.message).toContain('destructive');
    expect(await columns()).toContain('amount');
    expect(rows).toHaveLength(2);
  });

  it('refuses a change the data does not fit (its check counts rows), changing nothing', async () => {
    await db.withSchema(SCHEMA).from('deal').insert({ id: '11111111-1111-4111-8111-111111111111', name: 'x' });
    const region = { type: 'string', maxLength: 20, 'x-id': 'f3' };
    const e = await conflictOf(change(versions, deal({ name, amount, region }, { required: ['region'] })));
    expect(e.status).toBe(409);
    expect(e.message).toContain('needs a default');
    expect(await columns()).not.toContain('region');
    expect(rows).toHaveLength(2);
  });

  it('a step the existing data refuses is a 409 naming the step; the transaction rolls back', async () => {
    // Steps no check guards: the database refuses the second, and the first one's work is undone too.
    const step = (sql: string, description: string) =>
      ({
        kind: 'add_check',
        sql,
        description,
        destructive: false,
        rewrite: false,
        phase: 'transaction',
        object: 'deal',
      }) as never;
    const input: ApplyMigrationInput<string> = {
      versions,
      tenant: 'applymig',
      schema: SCHEMA,
      author: { id: null, name: 'test' },
      source: 'test',
      allowDestructive: false,
      prepare: async ({ document }) => ({
        next: document,
        plan: {
          steps: [
            step(`alter table "${SCHEMA}".deal add column note text`, 'add note'),
            step(`alter table "${SCHEMA}".deal add constraint no_x check (name <> 'x')`, 'refuse x'),
          ],
          checks: [],
          errors: [],
          destructive: false,
        },
        summary: 'changed',
      }),
    };
    const e = await conflictOf(applyMigration(db as unknown as Knex, input, opts));
    expect(e.status).toBe(409);
    expect(e.message).toMatch(/^Step 2 \(refuse x\) failed on existing data/);
    expect(e.details).toMatchObject({ step: { index: 1 } });
    expect(await columns()).not.toContain('note');
    expect(rows).toHaveLength(2);
  });
});
