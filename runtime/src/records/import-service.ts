/**
 * Imports a CSV file or a JSON array into one object, streaming: rows are read, coerced, resolved
 * (lookups by id or natural key, upsert keys), checked for duplicates and written a batch at a
 * time through the records engine (`createMany`/`update`: same validation, permissions, scripts,
 * autonumbers and audit as single saves), all in one transaction. All or nothing by default:
 * any failed or duplicate row rolls everything back and the report says why; `partial` keeps the
 * good rows; `dryRun` always rolls back. Committed imports are journalled so they can be reverted.
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { changeCause } from '../change-cause';
import type { Clock } from '../clock';
import type { Ctx } from '../ctx';
import { AppError, badRequest, type FieldErrors, forbidden, notFound, validationFailed } from '../errors';
import type { MetaService } from '../meta/meta-service';
import type { FieldModel, ObjectModel } from '../model/load-model';
import type { PermissionEngine } from '../permissions/object-access';
import { SYSTEM_USER_ID } from '../system-ctx';
import { runInUnitOfWork, type TxCtx } from '../tx/unit-of-work';
import type { QueryAccess } from './compile-query';
import { allowDuplicates, type DuplicateMatch } from './duplicate-finder';
import {
  finishImport,
  getImport,
  type ImportSummary,
  journalOf,
  listImports,
  markReverted,
  saveImport,
} from './import-log';
import { type ImportFormat, type ImportRow, readImportRows } from './import-row-reader';
import { ImportRun } from './import-run';
import { runStagedImport, stagedImportBlocker } from './import-staged';
import type { RecordService } from './record-service';
import { queryAccessFor } from '../permissions/query-access';
import { isSpooled, type SpooledInput, spoolInput } from './spool-input';

export interface ImportOptions {
  format: ImportFormat;
  mode?: 'insert' | 'upsert';
  /** Upsert: the field that identifies an existing record (`id` or, typically, a unique field). */
  key?: string;
  partial?: boolean;
  dryRun?: boolean;
  /** Insert likely duplicates instead of reporting them. */
  allowDuplicates?: boolean;
  /** CSV delimiter (default `,`). */
  delimiter?: string;
}

export interface ImportFailure {
  row: number;
  errors: FieldErrors;
}

export interface ImportDuplicate {
  row: number;
  /** Existing records it matches, per rule. */
  matches: DuplicateMatch[];
  /** Earlier rows of the same file it matches. */
  rows?: number[];
}

export interface ImportReport {
  /** The import's id (to revert it); null for dry runs and imports that were rolled back. */
  id: string | null;
  object: string;
  mode: 'insert' | 'upsert';
  dryRun: boolean;
  /** Data rows read from the file. */
  rows: number;
  inserted: number;
  updated: number;
  /** The first failures (at most `MAX_LISTED`, import-run.ts); `failedCount` counts them all. */
  failed: ImportFailure[];
  failedCount: number;
  duplicates: ImportDuplicate[];
  duplicateCount: number;
  /** Read-only or system columns of the file that were not imported (e.g. `created_at`). */
  ignoredColumns: string[];
  /**
   * How the rows were written: `staged` (set-based through a staging table, import-staged.ts) or
   * `records` (record by record through the records engine: objects with scripts, formulas, …).
   */
  writePath: 'staged' | 'records';
}

export interface RevertReport {
  id: string;
  /** Created records moved to the recycle bin. */
  deleted: number;
  /** Changed records given their previous values back. */
  restored: number;
  /** Records changed (or deleted) since the import, left as they are. */
  skipped: number;
}

export interface ImportLimits {
  maxBytes: number;
  maxRows: number;
  batchSize: number;
  /** Longest pause while the file arrives (408 past it). */
  bodyIdleTimeoutMs: number;
  /** Longest time for the whole file to arrive (408 past it). */
  bodyTimeoutMs: number;
  /** Stage CSV imports set-based where the object allows it (import-staged.ts); false: record by record. */
  staged: boolean;
}

export const DEFAULT_IMPORT_LIMITS: ImportLimits = {
  maxBytes: 256 * 1024 * 1024,
  maxRows: 500_000,
  batchSize: 1000,
  bodyIdleTimeoutMs: 30_000,
  bodyTimeoutMs: 30 * 60_000,
  staged: true,
};

export interface ImportServiceDeps {
  meta: Pick<MetaService, 'model'>;
  permissions: PermissionEngine;
  records: Pick<RecordService, 'createMany' | 'update' | 'deleteMany' | 'bulkWriteProfile' | 'afterBulkWrites'>;
  clock: Clock;
  limits?: Partial<ImportLimits>;
}

class Rollback extends Error {}

function actor(ctx: Ctx): string | null {
  return ctx.user.id === SYSTEM_USER_ID ? null : ctx.user.id;
}

export class ImportService {
  private readonly limits: ImportLimits;

  constructor(private readonly deps: ImportServiceDeps) {
    this.limits = { ...DEFAULT_IMPORT_LIMITS, ...deps.limits };
  }

  /**
   * Reads the whole file (memory or a temporary file) so the transaction of `import` never waits for
   * a slow sender. The caller disposes of it; `import` does when given a stream.
   */
  spool(input: Readable): Promise<SpooledInput> {
    return spoolInput(input, {
      maxBytes: this.limits.maxBytes,
      idleTimeoutMs: this.limits.bodyIdleTimeoutMs,
      totalTimeoutMs: this.limits.bodyTimeoutMs,
    });
  }

  async import(
    ctx: Ctx,
    objectName: string,
    input: Readable | SpooledInput,
    opts: ImportOptions,
  ): Promise<ImportReport> {
    if (isSpooled(input)) return this.importSpooled(ctx, objectName, input, opts);
    const spooled = await this.spool(input);
    try {
      return await this.importSpooled(ctx, objectName, spooled, opts);
    } finally {
      await spooled.dispose();
    }
  }

  private async importSpooled(
    ctx: Ctx,
    objectName: string,
    input: SpooledInput,
    opts: ImportOptions,
  ): Promise<ImportReport> {
    const model = await this.deps.meta.model(ctx);
    const object = model.object(objectName);
    const engine = this.deps.permissions;
    const qa = await queryAccessFor(ctx, model, object, engine);
    const mode = opts.mode ?? 'insert';
    if (mode === 'insert' && !qa.access.can.create) throw forbidden(`You may not create ${object.name} records`);
    if (mode === 'upsert' && !qa.access.can.create && !qa.access.can.update)
      throw forbidden(`You may not create or update ${object.name} records`);
    const key = mode === 'upsert' ? this.checkKey(object, qa, opts.key) : undefined;
    if (mode === 'insert' && opts.key !== undefined) throw badRequest('key is only used with mode=upsert');

    const openReader = () =>
      readImportRows(input.open(), {
        format: opts.format,
        maxBytes: this.limits.maxBytes,
        maxRows: this.limits.maxRows,
        ...(opts.delimiter ? { delimiter: opts.delimiter } : {}),
      });
    let reader = openReader();
    const profiles = {
      create: this.deps.records.bulkWriteProfile(model, object, 'create'),
      update: this.deps.records.bulkWriteProfile(model, object, 'update'),
    };
    const objectBlocker = this.limits.staged ? stagedImportBlocker(model, object, opts, profiles) : 'turned off';
    if (process.env.FORMA_IMPORT_TRACE && objectBlocker)
      console.error(`import of ${object.name} record by record: ${objectBlocker}`);
    const stageable = !objectBlocker;
    const id = randomUUID();
    const report: ImportReport = {
      id: null,
      object: object.name,
      mode,
      dryRun: Boolean(opts.dryRun),
      rows: 0,
      inserted: 0,
      updated: 0,
      failed: [],
      failedCount: 0,
      duplicates: [],
      duplicateCount: 0,
      ignoredColumns: [],
      writePath: 'records',
    };
    const run = new ImportRun(this.deps, model, object, qa, opts, key, id, report);
    // PostgreSQL takes at most 65,535 bind parameters per statement: wide objects get smaller batches.
    const batchSize = Math.max(1, Math.min(this.limits.batchSize, Math.floor(30_000 / object.columns.length)));
    try {
      const cause = changeCause('import', `import ${id}`, { import: id });
      await runInUnitOfWork(allowDuplicates({ ...ctx, cause }), async (tx) => {
        // The journal row comes first: the rows each batch writes refer to it.
        if (!opts.dryRun)
          await saveImport(tx.db, tx.schema, {
            id,
            object: object.name,
            mode,
            format: opts.format,
            inserted: 0,
            updated: 0,
            failed: 0,
            duplicates: 0,
            createdBy: actor(tx),
          });
        if (stageable) {
          // The header decides (lookup columns need the per-record path): peek at the first row.
          const rows = reader.rows[Symbol.asyncIterator]();
          const first = await rows.next();
          if (!first.done) {
            run.useHeader(reader.header() ?? []);
            const blocker = stagedImportBlocker(model, object, opts, profiles, run.mappedColumns());
            if (process.env.FORMA_IMPORT_TRACE && blocker)
              console.error(`import of ${object.name} record by record: ${blocker}`);
            if (!blocker) {
              report.writePath = 'staged';
              await runStagedImport(
                tx,
                {
                  records: this.deps.records,
                  model,
                  object,
                  qa,
                  opts,
                  key,
                  id,
                  report,
                  run,
                  user: actor(tx),
                  createProfile: profiles.create,
                },
                prepend(first.value, rows),
              );
            }
          }
          if (report.writePath !== 'staged') {
            await rows.return?.();
            reader = openReader();
          }
        }
        let batch: ImportRow[] = [];
        if (report.writePath !== 'staged')
          for await (const row of reader.rows) {
            if (report.rows === 0 && opts.format === 'csv') run.useHeader(reader.header() ?? []);
            report.rows += 1;
            batch.push(row);
            if (batch.length >= batchSize) {
              await run.batch(tx, batch);
              batch = [];
            }
          }
        if (report.rows === 0 && opts.format === 'csv') run.useHeader(reader.header() ?? []);
        if (batch.length) await run.batch(tx, batch);
        report.writePath ??= 'records';
        if (opts.dryRun || (!opts.partial && (report.failedCount || report.duplicateCount))) throw new Rollback();
        await finishImport(tx.db, tx.schema, id, {
          inserted: report.inserted,
          updated: report.updated,
          failed: report.failedCount,
          duplicates: report.duplicateCount,
        });
        report.id = id;
      });
    } catch (e) {
      if (!(e instanceof Rollback)) throw e;
      if (!opts.dryRun) {
        const problems = [
          report.failedCount ? `${report.failedCount} rows have errors` : '',
          report.duplicateCount ? `${report.duplicateCount} rows look like duplicates` : '',
        ].filter(Boolean);
        throw validationFailed(`${problems.join(' and ')}: nothing was imported`, undefined, {
          ...report,
          inserted: 0,
          updated: 0,
        });
      }
    }
    return report;
  }

  /** The upsert key: a readable field with a column that can be compared (not multi-select or long text). */
  private checkKey(object: ObjectModel, qa: QueryAccess, key: string | undefined): FieldModel {
    if (!key) throw badRequest('mode=upsert needs key=<field>');
    const f = object.fields.get(key);
    if (!f?.column || qa.access.fields[f.name] === 'none') throw badRequest(`Unknown key field: ${key.slice(0, 64)}`);
    if (f.columnType?.base === 'text[]' || f.kind === 'textarea' || (f.system && f.name !== 'id'))
      throw badRequest(`${f.name} cannot identify records: use id or a unique field`);
    return f;
  }

  async list(ctx: Ctx, objectName: string, opts: { limit?: number } = {}): Promise<ImportSummary[]> {
    const model = await this.deps.meta.model(ctx);
    const object = model.object(objectName);
    await queryAccessFor(ctx, model, object, this.deps.permissions);
    return listImports(ctx.db, ctx.schema, object.name, {
      limit: Math.min(Math.max(opts.limit ?? 50, 1), 500),
      ...(ctx.isAdmin ? {} : { createdBy: ctx.user.id }),
    });
  }

  async get(ctx: Ctx, objectName: string, id: string): Promise<ImportSummary> {
    const model = await this.deps.meta.model(ctx);
    const object = model.object(objectName);
    await queryAccessFor(ctx, model, object, this.deps.permissions);
    const found = UUID.test(id) ? await getImport(ctx.db, ctx.schema, object.name, id) : undefined;
    if (!found || (!ctx.isAdmin && found.createdBy !== ctx.user.id)) throw notFound('No such import');
    return found;
  }

  /**
   * Undoes a committed import: records it created go to the recycle bin, records it changed get
   * their previous values back, each only if nobody changed it since (else it is counted as
   * skipped). Only the importing user or a tenant admin may revert, within their own delete and
   * update rights; a second revert is a 409.
   */
  async revert(ctx: Ctx, objectName: string, id: string): Promise<RevertReport> {
    const cause = changeCause('import', `revert of import ${id}`, { import: id });
    return runInUnitOfWork({ ...ctx, cause }, async (tx) => {
      const model = await this.deps.meta.model(tx);
      const object = model.object(objectName);
      await queryAccessFor(tx, model, object, this.deps.permissions);
      const found = UUID.test(id) ? await getImport(tx.db, tx.schema, object.name, id, true) : undefined;
      if (!found || (!tx.isAdmin && found.createdBy !== tx.user.id)) throw notFound('No such import');
      if (found.revertedAt) throw new AppError('CONFLICT', 'This import was already reverted');
      const out: RevertReport = { id, deleted: 0, restored: 0, skipped: 0 };
      const user = actor(tx);
      for await (const page of journalOf(tx.db, tx.schema, id)) {
        const created = page.filter((r) => r.action === 'i');
        if (created.length) {
          // Each only if nobody changed it since and the caller may delete it (records engine: hooks, audit, roll-ups).
          const { deleted } = await this.deps.records.deleteMany(
            tx,
            object.name,
            created.map((r) => ({ id: r.recordId, version: r.version })),
            { batch: id },
          );
          out.deleted += deleted.length;
          out.skipped += created.length - deleted.length;
        }
        for (const r of page.filter((x) => x.action === 'u')) {
          try {
            await tx.db.transaction((sp) =>
              this.deps.records.update({ ...tx, db: sp } as TxCtx, object.name, r.recordId, r.before ?? {}, {
                version: r.version,
              }),
            );
            out.restored += 1;
          } catch (e) {
            if (!(e instanceof AppError) || e.status >= 500) throw e;
            out.skipped += 1;
          }
        }
      }
      await markReverted(tx.db, tx.schema, id, user);
      return out;
    });
  }
}

async function* prepend<T>(first: T, rest: AsyncIterator<T>): AsyncGenerator<T> {
  yield first;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield next.value;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
