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
import type { Clock } from '../clock';
import type { Ctx } from '../ctx';
import { AppError, badRequest, type FieldErrors, forbidden, notFound, validationFailed } from '../errors';
import type { MetaService } from '../meta/meta-service';
import type { FieldModel, Model, ObjectModel } from '../model/load-model';
import type { PermissionEngine } from '../permissions/object-access';
import { SYSTEM_USER_ID } from '../system-ctx';
import { runInUnitOfWork, type TxCtx } from '../tx/unit-of-work';
import { type AuditEntry, writeAudit } from './audit';
import { compileFilter, type QueryAccess } from './compile-query';
import { duplicateKey, keyString } from './duplicate-keys';
import { allowDuplicates, comparableRules, type DuplicateMatch, findDuplicateCandidates } from './duplicate-finder';
import { mapColumns } from './import-columns';
import { coerceCell } from './import-coerce';
import {
  finishImport,
  getImport,
  type ImportJournalRow,
  type ImportSummary,
  journalOf,
  journalRows,
  listImports,
  markReverted,
  saveImport,
} from './import-log';
import { resolveLookup } from './lookup-targets';
import { type ImportFormat, type ImportRow, readImportRows } from './import-row-reader';
import type { RecordService } from './record-service';
import { queryAccessFor } from '../permissions/query-access';
import { markDeleted } from './write-sql';

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
  /** The first failures (at most `MAX_LISTED`); `failedCount` counts them all. */
  failed: ImportFailure[];
  failedCount: number;
  duplicates: ImportDuplicate[];
  duplicateCount: number;
  /** Read-only or system columns of the file that were not imported (e.g. `created_at`). */
  ignoredColumns: string[];
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
}

export const DEFAULT_IMPORT_LIMITS: ImportLimits = { maxBytes: 256 * 1024 * 1024, maxRows: 500_000, batchSize: 1000 };
export const MAX_LISTED = 1000;

export interface ImportServiceDeps {
  meta: Pick<MetaService, 'model'>;
  permissions: () => PermissionEngine;
  records: () => RecordService;
  clock: Clock;
  limits?: Partial<ImportLimits>;
}

/** A row on its way in: its file row number and the record payload built from it. */
interface Pending {
  row: number;
  payload: Record<string, unknown>;
  errors: FieldErrors;
  /** Upsert: the existing record it updates. */
  existing?: Record<string, unknown>;
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

  async import(ctx: Ctx, objectName: string, input: Readable, opts: ImportOptions): Promise<ImportReport> {
    const model = await this.deps.meta.model(ctx);
    const object = model.object(objectName);
    const engine = this.deps.permissions();
    const qa = await queryAccessFor(ctx, model, object, engine);
    const mode = opts.mode ?? 'insert';
    if (mode === 'insert' && !qa.access.can.create) throw forbidden(`You may not create ${object.name} records`);
    if (mode === 'upsert' && !qa.access.can.create && !qa.access.can.update)
      throw forbidden(`You may not create or update ${object.name} records`);
    const key = mode === 'upsert' ? this.checkKey(object, qa, opts.key) : undefined;
    if (mode === 'insert' && opts.key !== undefined) throw badRequest('key is only used with mode=upsert');

    const reader = readImportRows(input, {
      format: opts.format,
      maxBytes: this.limits.maxBytes,
      maxRows: this.limits.maxRows,
      ...(opts.delimiter ? { delimiter: opts.delimiter } : {}),
    });
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
    };
    const run = new ImportRun(this.deps, model, object, qa, opts, key, id, report);
    // PostgreSQL takes at most 65,535 bind parameters per statement: wide objects get smaller batches.
    const batchSize = Math.max(1, Math.min(this.limits.batchSize, Math.floor(30_000 / object.columns.length)));
    try {
      await runInUnitOfWork(allowDuplicates(ctx), async (tx) => {
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
        let batch: ImportRow[] = [];
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
    await queryAccessFor(ctx, model, object, this.deps.permissions());
    return listImports(ctx.db, ctx.schema, object.name, {
      limit: Math.min(Math.max(opts.limit ?? 50, 1), 500),
      ...(ctx.isAdmin ? {} : { createdBy: ctx.user.id }),
    });
  }

  async get(ctx: Ctx, objectName: string, id: string): Promise<ImportSummary> {
    const model = await this.deps.meta.model(ctx);
    const object = model.object(objectName);
    await queryAccessFor(ctx, model, object, this.deps.permissions());
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
    return runInUnitOfWork(ctx, async (tx) => {
      const model = await this.deps.meta.model(tx);
      const object = model.object(objectName);
      const qa = await queryAccessFor(tx, model, object, this.deps.permissions());
      const found = UUID.test(id) ? await getImport(tx.db, tx.schema, object.name, id, true) : undefined;
      if (!found || (!tx.isAdmin && found.createdBy !== tx.user.id)) throw notFound('No such import');
      if (found.revertedAt) throw new AppError('CONFLICT', 'This import was already reverted');
      const out: RevertReport = { id, deleted: 0, restored: 0, skipped: 0 };
      const user = actor(tx);
      for await (const page of journalOf(tx.db, tx.schema, id)) {
        const created = page.filter((r) => r.action === 'i');
        if (created.length) {
          if (!qa.access.can.delete) throw forbidden(`You may not delete ${object.name} records`);
          const deletable: string[] = await tx.db
            .withSchema(tx.schema)
            .from(object.table)
            .where(compileFilter(model, object, null, qa, 'delete'))
            .whereIn(
              `${object.table}.id`,
              created.map((r) => r.recordId),
            )
            .whereRaw('(??, ??) in (select * from unnest(?::uuid[], ?::int[]))', [
              `${object.table}.id`,
              `${object.table}.version`,
              created.map((r) => r.recordId),
              created.map((r) => r.version),
            ])
            .whereNot(`${object.table}.approval_status`, 'pending')
            .forUpdate()
            .pluck(`${object.table}.id`);
          const rows = await markDeleted(tx.db, tx.schema, object, deletable, user);
          const entries: AuditEntry[] = rows.map((r) => ({
            object: object.name,
            recordId: r.id as string,
            action: 'delete',
            userId: user,
            changes: {},
            batch: id,
          }));
          await writeAudit(tx.db, tx.schema, entries);
          await this.deps.records().refreshRelatedRollups(
            tx,
            model,
            object,
            rows.map((row) => ({ old: { ...row, deleted_at: null }, row })),
          );
          out.deleted += rows.length;
          out.skipped += created.length - rows.length;
        }
        for (const r of page.filter((x) => x.action === 'u')) {
          try {
            await tx.db.transaction((sp) =>
              this.deps.records().update({ ...tx, db: sp } as TxCtx, object.name, r.recordId, r.before ?? {}, {
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The state of one import while it runs: column map, file-level duplicate keys, the report. */
class ImportRun {
  private columns: (FieldModel | null)[] | undefined;
  private header: readonly string[] = [];
  private readonly lookups: FieldModel[];
  private readonly seenKeys = new Map<string, number>();
  private readonly rules;

  constructor(
    private readonly deps: ImportServiceDeps,
    private readonly model: Model,
    private readonly object: ObjectModel,
    private readonly qa: QueryAccess,
    private readonly opts: ImportOptions,
    private readonly key: FieldModel | undefined,
    private readonly id: string,
    private readonly report: ImportReport,
  ) {
    this.lookups = object.customFields.filter((f) => f.ref && f.column && !f.readOnly);
    this.rules = opts.allowDuplicates ? [] : comparableRules(object);
  }

  useHeader(header: readonly string[]): void {
    if (this.columns) return;
    const map = mapColumns(this.object, header, this.qa.access, this.key?.name);
    this.columns = map.fields;
    this.header = header;
    this.report.ignoredColumns = map.ignored;
  }

  private fail(row: number, errors: FieldErrors): void {
    this.report.failedCount += 1;
    if (this.report.failed.length < MAX_LISTED) this.report.failed.push({ row, errors });
  }

  private duplicate(d: ImportDuplicate): void {
    this.report.duplicateCount += 1;
    if (this.report.duplicates.length < MAX_LISTED) this.report.duplicates.push(d);
  }

  /** File row → record payload (CSV cells coerced by field kind; JSON elements as given). */
  private toPending(r: ImportRow): Pending {
    if (this.opts.format === 'json') {
      if (typeof r.values !== 'object' || r.values === null || Array.isArray(r.values))
        return { row: r.row, payload: {}, errors: { _: 'Each element must be a JSON object' } };
      return { row: r.row, payload: { ...(r.values as Record<string, unknown>) }, errors: {} };
    }
    const columns = this.columns ?? [];
    const cells = r.values as Record<string, string>;
    const errors: FieldErrors = {};
    if (r.cells !== undefined && r.cells !== columns.length)
      errors._ = `Expected ${columns.length} cells, found ${r.cells}`;
    const payload: Record<string, unknown> = {};
    this.header.forEach((name, i) => {
      const f = columns[i];
      const cell = cells[name];
      if (!f || cell === undefined) return;
      const c = coerceCell(f, cell);
      if (!c.ok) errors[f.name] = c.error;
      else if (c.value !== null || this.opts.mode === 'upsert') payload[f.name] = c.value;
    });
    return { row: r.row, payload, errors };
  }

  async batch(tx: TxCtx, rows: ImportRow[]): Promise<void> {
    const pending = rows.map((r) => this.toPending(r));
    await this.resolveLookups(tx, pending);
    if (this.key) await this.matchExisting(tx, pending);
    const inserts: Pending[] = [];
    const updates: Pending[] = [];
    for (const p of pending) {
      if (Object.keys(p.errors).length) this.fail(p.row, p.errors);
      else if (p.existing) updates.push(p);
      else inserts.push(p);
    }
    const fresh = await this.dropDuplicates(tx, inserts);
    const journal: ImportJournalRow[] = [];
    await this.insert(tx, fresh, journal);
    await this.update(tx, updates, journal);
    if (journal.length && !this.opts.dryRun) await journalRows(tx.db, tx.schema, this.id, journal);
  }

  private async resolveLookups(tx: TxCtx, pending: Pending[]): Promise<void> {
    for (const f of this.lookups) {
      const values = new Set<string>();
      for (const p of pending) {
        const v = p.payload[f.name];
        if (typeof v === 'string' && v !== '') values.add(v);
      }
      if (!values.size) continue;
      const resolved = await resolveLookup(tx, this.model, f, values, this.deps.permissions());
      for (const p of pending) {
        const v = p.payload[f.name];
        if (typeof v !== 'string' || v === '') continue;
        const r = resolved.get(v);
        if (r && 'id' in r) p.payload[f.name] = r.id;
        else p.errors[f.name] ??= r?.error ?? 'Not found';
      }
    }
  }

  /** Upsert: finds the existing record of each row by the key (within the user's read scope). */
  private async matchExisting(tx: TxCtx, pending: Pending[]): Promise<void> {
    const key = this.key as FieldModel;
    const t = this.object.table;
    const values = new Set<string>();
    for (const p of pending) {
      const v = p.payload[key.name];
      if (v === null || v === undefined || v === '') {
        if (!Object.keys(p.errors).length) p.errors[key.name] = 'The key field needs a value';
      } else values.add(String(v));
    }
    if (!values.size) return;
    const rows: Record<string, unknown>[] = await tx.db
      .withSchema(tx.schema)
      .from(t)
      .select(this.object.columns.map((c) => `${t}.${c}`))
      .select(tx.db.raw('??::text as ??', [`${t}.${key.column}`, '__key']))
      .where(compileFilter(this.model, this.object, null, this.qa, 'read'))
      .whereRaw('??::text = any(?)', [`${t}.${key.column}`, [...values]]);
    const byKey = new Map<string, Record<string, unknown>[]>();
    for (const r of rows) byKey.set(String(r.__key), [...(byKey.get(String(r.__key)) ?? []), r]);
    for (const p of pending) {
      const v = p.payload[key.name];
      if (v === null || v === undefined || v === '') continue;
      const found = byKey.get(String(v)) ?? [];
      if (found.length > 1)
        p.errors[key.name] ??= `${found.length} records have this ${key.name}: the key must be unique`;
      else if (found.length === 1) {
        p.existing = found[0] as Record<string, unknown>;
        if (key.name === 'id') delete p.payload.id;
      } else if (key.name === 'id') p.errors.id ??= 'No record with this id';
    }
  }

  /** Reports and leaves out rows matching existing records or earlier rows of the file. */
  private async dropDuplicates(tx: TxCtx, inserts: Pending[]): Promise<Pending[]> {
    if (!this.rules.length || !inserts.length) return inserts;
    const existing = await findDuplicateCandidates(
      tx.db,
      this.model,
      this.object,
      this.qa,
      inserts.map((p) => p.payload),
    );
    const keep: Pending[] = [];
    inserts.forEach((p, i) => {
      const earlier = new Set<number>();
      const keys: string[] = [];
      for (const rule of this.rules) {
        const key = duplicateKey(rule, p.payload);
        if (!key) continue;
        const k = keyString(rule, key);
        const first = this.seenKeys.get(k);
        if (first !== undefined) earlier.add(first);
        else keys.push(k);
      }
      const matches = existing[i] ?? [];
      if (matches.length || earlier.size) {
        this.duplicate({ row: p.row, matches, ...(earlier.size ? { rows: [...earlier] } : {}) });
        return;
      }
      for (const k of keys) this.seenKeys.set(k, p.row);
      keep.push(p);
    });
    return keep;
  }

  /**
   * One `createMany` per batch in a savepoint (fast path); when a row fails, the batch is retried
   * row by row (`partial`) so exactly the bad rows are reported.
   */
  private async insert(tx: TxCtx, rows: Pending[], journal: ImportJournalRow[]): Promise<void> {
    if (!rows.length) return;
    const records = this.deps.records();
    const payloads = rows.map((p) => p.payload);
    let result: Awaited<ReturnType<RecordService['createMany']>>;
    try {
      result = await tx.db.transaction((sp) =>
        records.createMany({ ...tx, db: sp } as TxCtx, this.object.name, payloads, { batch: this.id }),
      );
    } catch (e) {
      if (!isRowError(e)) throw e;
      result = await tx.db.transaction((sp) =>
        records.createMany({ ...tx, db: sp } as TxCtx, this.object.name, payloads, { batch: this.id, partial: true }),
      );
    }
    for (const f of result.failed) this.fail(rows[f.row]?.row ?? f.row + 1, f.errors);
    for (const r of result.created)
      journal.push({ recordId: r.id as string, action: 'i', version: Number(r.version ?? 1) });
    this.report.inserted += result.created.length;
  }

  private async update(tx: TxCtx, rows: Pending[], journal: ImportJournalRow[]): Promise<void> {
    const records = this.deps.records();
    for (const p of rows) {
      const old = p.existing as Record<string, unknown>;
      const before: Record<string, unknown> = {};
      for (const name of Object.keys(p.payload)) {
        const f = this.object.fields.get(name);
        if (f?.column && !f.readOnly) before[name] = jsonValue(old[f.column]);
      }
      try {
        const saved = await tx.db.transaction((sp) =>
          records.update({ ...tx, db: sp } as TxCtx, this.object.name, old.id as string, p.payload, {
            version: Number(old.version),
          }),
        );
        journal.push({ recordId: old.id as string, action: 'u', version: Number(saved.version), before });
        this.report.updated += 1;
      } catch (e) {
        if (!isRowError(e)) throw e;
        const err = e as AppError;
        this.fail(p.row, err.fields ?? { _: err.message });
      }
    }
  }
}

function jsonValue(v: unknown): unknown {
  return v instanceof Date ? v.toISOString() : (v ?? null);
}

function isRowError(e: unknown): boolean {
  return e instanceof AppError && e.status < 500 && e.code !== 'UNAUTHENTICATED';
}
