/**
 * One import while it runs: the column map, lookups, upsert matches, duplicate checks and the writes
 * of each batch through the records engine (`createMany`, `update`), and the report it fills.
 */
import { AppError, type FieldErrors } from '../errors';
import type { FieldModel, Model, ObjectModel } from '../model/load-model';
import type { TxCtx } from '../tx/unit-of-work';
import { compileFilter, type QueryAccess } from './compile-query';
import { comparableRules, findDuplicateCandidates } from './duplicate-finder';
import { duplicateKey, keyString } from './duplicate-keys';
import { mapColumns } from './import-columns';
import { coerceCell } from './import-coerce';
import { type ImportJournalRow, journalRows } from './import-log';
import { resolveLookup } from './lookup-targets';
import type { ImportRow } from './import-row-reader';
import type { ImportDuplicate, ImportOptions, ImportReport, ImportServiceDeps } from './import-service';
import type { RecordService } from './record-service';

/** At most this many failures and duplicates are listed in a report (all are counted). */
export const MAX_LISTED = 1000;

/** A row on its way in: its file row number and the record payload built from it. */
export interface Pending {
  row: number;
  payload: Record<string, unknown>;
  errors: FieldErrors;
  /** Upsert: the existing record it updates. */
  existing?: Record<string, unknown>;
}

/** The state of one import while it runs: column map, file-level duplicate keys, the report. */
export class ImportRun {
  private columns: (FieldModel | null)[] | undefined;
  private header: readonly string[] = [];
  private readonly lookups: FieldModel[];
  private readonly seenKeys = new Map<string, number>();
  private readonly rules;

  constructor(
    private readonly deps: Pick<ImportServiceDeps, 'records' | 'permissions'>,
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

  /** Per file column: the field it fills, or null (known once the header was read). */
  mappedColumns(): readonly (FieldModel | null)[] {
    return this.columns ?? [];
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
  toPending(r: ImportRow): Pending {
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
      const resolved = await resolveLookup(tx, this.model, f, values, this.deps.permissions);
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
    const records = this.deps.records;
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
    const records = this.deps.records;
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
