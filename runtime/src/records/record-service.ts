/**
 * The records engine: the only orchestrator of record reads and writes. Each use case asks the
 * permission engine first, compiles scope + filter into one SQL statement, validates with the
 * metadata's ajv validators, runs hooks and the sandboxed save scripts, writes rows, roll-ups and
 * the audit trail in one transaction, and queues after-commit work (action hooks, afterSave
 * scripts, workflow triggers) through the outbox.
 */
import { type ChangeCause, changeCause } from '../change-cause';
import type { Clock } from '../clock';
import type { Ctx } from '../ctx';
import {
  AppError,
  badRequest,
  conflict,
  type FieldErrors,
  forbidden,
  isAppError,
  notFound,
  recordLocked,
  invalidFields,
  validationFailed,
} from '../errors';
import type { FieldErrorCodes } from '../field-error-codes';
import type { HookBus } from '../events/hook-bus';
import type { Outbox } from '../events/outbox';
import type { Logger } from '../logger';
import type { MetaService } from '../meta/meta-service';
import { nextAutonumber } from '../model/autonumber';
import type { Model, ObjectModel } from '../model/load-model';
import { searchableFields } from '../model/search-fields';
import type { ObjectAccess, PermissionEngine } from '../permissions/object-access';
import { queryAccessFor } from '../permissions/query-access';
import { type LookupErrors, lookupCheck } from './lookup-targets';
import { type GuardedRecord, type GuardOptions, guardRecord, isRecordId } from './record-guard';
import { assertNoRetiredChoice } from './retired-options';
import { deleteRecordShares } from '../permissions/share-service';
import { hasSaveWork, scriptHostFor, scriptsFor } from '../scripts/record-scripts';
import {
  AFTER_SAVE_TOPIC,
  type AfterSavePayload as AfterSaveScripts,
  type SavePipeline,
} from '../scripts/save-pipeline';
import type { AdjustResult, AdjustSpec, ScriptHost } from '../scripts/script-types';
import { SYSTEM_USER_ID } from '../system-ctx';
import { runInUnitOfWork, type TxCtx } from '../tx/unit-of-work';
import { type AuditEntry, diffRecords, type HistoryEntry, purgeExpiredAudit, readHistory, writeAudit } from './audit';
import { compileFilter, escapeLike, type QueryAccess } from './compile-query';
import { type CursorSigner, decodeCursor, encodeCursor } from './cursor-codec';
import { expandLookups, type LookupLabel, lookupLabels, parseExpand } from './expand-lookups';
import { forbiddenWrites, projectColumns, readableColumns, toRecord, withoutHiddenFields } from './field-guard';
import { applyFormRules, assertLookupFilters, hasFormLogic } from './form-logic';
import { takeOwnerChange } from './owner-transfer';
import { defaultSources, fillDefaultsFrom } from './default-from';
import { recomputeRollups } from './line-items';
import {
  affectedParents,
  type ChildWrite,
  emptyRelatedRollups,
  recomputeRelatedRollups,
  relatedRollupsOf,
} from './related-rollups';
import { formulasAfterRollups, refreshRollupFormulas } from './rollup-formulas';
import { parseSort, sortSignature } from './parse-sort';
import { estimateCount, type PageQuery, SORT_VALUE, selectCount, selectOne, selectPage } from './read-sql';
import {
  type AfterSavePayload,
  type BeforeCreatePayload,
  type BeforeDeletePayload,
  type BeforeUpdatePayload,
  RECORD_EVENTS,
  type WrittenPayload,
  type RecordData,
  type RowWrittenPayload,
} from './record-hooks';
import { runSaveScripts } from './save-scripts';
import { isPool, queryPrepared, queryPreparedArrays, type Statement, statement } from '../db/prepared';
import { ReadPlans, readerKey } from './read-plans';
import { isStaleShape } from '../db/translate-database-error';
import { deleteRow, insertRows, markDeleted, markRestored, type Row, updateRow } from './write-sql';

export interface RecordServiceDeps {
  meta: Pick<MetaService, 'model'> & Partial<Pick<MetaService, 'modelIfBuilt'>>;
  permissions: PermissionEngine;
  hooks: HookBus;
  outbox: Outbox;
  /** The scripts of a save: validate, beforeSave, formulas, and afterSave after commit. */
  saveScripts: SavePipeline;
  secrets: CursorSigner;
  clock: Clock;
  logger: Logger;
}

export interface ListOptions {
  /** The filter language, as JSON text (query string) or data. */
  filter?: unknown;
  sort?: string;
  limit?: number;
  cursor?: string;
  /** Full-text search over the object's text fields. */
  q?: string;
  fields?: string;
  expand?: string;
  /** `true`: exact `total`; `'estimate'`: the planner's `estimatedTotal`. */
  count?: boolean | 'estimate';
  /** The recycle bin instead of live records. */
  deleted?: boolean;
}

export interface ListResult {
  items: RecordData[];
  nextCursor: string | null;
  total?: number;
  estimatedTotal?: number;
}

export interface CreateManyOptions {
  /** Keep the good rows and report the bad ones (default: all or nothing). */
  partial?: boolean;
  /** Tags the audit rows of the batch (an import id), so the batch can be found and reverted. */
  batch?: string;
  /** Owner of the new records (admins only; default: the caller). */
  owner?: string;
}

export interface CreateManyResult {
  created: RecordData[];
  failed: { row: number; errors: FieldErrors; code?: string }[];
}

export interface WriteOptions {
  /** The version the client read (If-Match); a different current version is a 409. */
  version?: number;
  /** Tenant admins only: write through the approval lock (the hook payload says so). */
  override?: boolean;
}

/** A status of the approval engine (`approval_status`). */
export type ApprovalStatus = 'none' | 'pending' | 'approved' | 'rejected';

export interface SystemUpdateOptions {
  /** What makes the change: written to the audit entry, given to hooks and after-save events. */
  cause: ChangeCause;
  /** The approval engine writes a record it holds pending: the approval lock does not apply. */
  passLock?: boolean;
  /** The approval engine's transitions: the new `approval_status`, saved with the changes. */
  approvalStatus?: ApprovalStatus;
  /**
   * The stored row as the caller locked it (`FOR UPDATE`) in this same transaction, not written
   * since: taken as the record before the change instead of reading and locking it again. A row
   * missing any of the object's columns is ignored (the record is read as usual).
   */
  locked?: Row;
}

/** One record of a batch delete, at the version it must still have. */
export interface DeleteTarget {
  id: string;
  version: number;
}

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;
const MAX_Q = 200;
const SAVED_TOPIC = 'record.saved';

/** What a script's `query()` and other internal readers get: list options without paging state. */
type SavedListener = (ctx: TxCtx, event: AfterSavePayload) => Promise<void>;
/** Whether a listener has anything to do for saves of this object and kind (no event is written otherwise). */
type SavedInterest = (model: Model, object: string, action: AfterSavePayload['action']) => boolean;

export class RecordService {
  private readonly savedListeners: Array<{ listener: SavedListener; wants: SavedInterest }> = [];
  /** Access rules and compiled reads per metadata version and reader (read-plans.ts). */
  readonly plans = new ReadPlans();

  constructor(private readonly deps: RecordServiceDeps) {
    deps.outbox.register(SAVED_TOPIC, (ctx, payload) => this.handleSaved(ctx, payload as unknown as AfterSavePayload));
    // afterSave scripts of a committed save: as the user who saved, on the tenant's current metadata.
    deps.outbox.register(AFTER_SAVE_TOPIC, async (ctx, payload) => {
      const model = await deps.meta.model(ctx);
      await deps.saveScripts.runAfterSave(ctx, model, payload as unknown as AfterSaveScripts, this.scriptHost(ctx));
    });
  }

  /**
   * Durable after-commit work on every saved record (workflow triggers): called once per change,
   * after commit, in the outbox handler's transaction, as the user who made the change.
   */
  onSaved(listener: SavedListener, wants: SavedInterest = () => true): () => void {
    const entry = { listener, wants };
    this.savedListeners.push(entry);
    return () => {
      const i = this.savedListeners.indexOf(entry);
      if (i >= 0) this.savedListeners.splice(i, 1);
    };
  }

  /** What scripts' `query()` calls: the same list, as the calling user, in the caller's transaction. */
  scriptQuery = async (
    ctx: Ctx,
    object: string,
    query: { filter: Record<string, unknown>; sort?: string; limit: number },
  ): Promise<RecordData[]> => {
    const r = await this.list(ctx, object, {
      filter: query.filter,
      ...(query.sort ? { sort: query.sort } : {}),
      limit: Math.min(Math.max(1, query.limit || DEFAULT_LIMIT), MAX_LIMIT),
    });
    return r.items;
  };

  /** The host answering scripts' `query()` as the user of `ctx` (workflow and action scripts), and `adjust()`. */
  scriptHost = (ctx: Ctx): ScriptHost =>
    scriptHostFor(ctx, this.scriptQuery, (c, object, id, spec) =>
      this.adjust(c, object, id, spec, { fromScript: true }),
    );

  /**
   * A guarded, atomic change of one number field: `by` is added unless the result would leave
   * `[min, max]` (then nothing changes and `ok` is false). The row is locked for the change (the
   * same lock a save takes), so concurrent adjustments queue and never overshoot a bound: 20 orders
   * of 1 against a stock of 10 take it to exactly 0. A normal save otherwise — validation, approval
   * lock, scripts, formulas, roll-ups, audit with the caller's cause — made by the system on behalf
   * of `ctx.user` (the script API's `adjust()`: scripts are metadata an admin wrote, as rules are).
   */
  adjust = async (
    ctx: Ctx,
    objectName: string,
    id: string,
    spec: AdjustSpec,
    opts: { fromScript?: boolean } = {},
  ): Promise<AdjustResult> =>
    runInUnitOfWork(ctx, async (userTx) => {
      const tx: TxCtx = {
        ...userTx,
        isAdmin: true,
        cause: userTx.cause ?? changeCause('action', `adjust ${spec.field} by ${spec.by}`, { object: objectName, id }),
      };
      const { model, object, qa } = await this.prepare(tx, objectName, 'read');
      const field = object.fields.get(spec.field);
      const type = (field?.valueSchema as { type?: unknown } | undefined)?.type;
      if (!field?.column || field.system || field.readOnly || (type !== 'number' && type !== 'integer'))
        throw badRequest(`${spec.field} is not a writable number field of ${objectName}`);
      // The tenant's sandbox runs one call at a time and is busy with the calling script: a record
      // whose own save needs it (formulas, validate/beforeSave scripts) cannot be saved from inside.
      if (opts.fromScript && hasSaveWork(model, objectName))
        throw badRequest(
          `${objectName} has formulas or save scripts: a script cannot adjust its records (keep counters such as stock on an object without them)`,
        );
      const old = await this.lockForWrite(tx, model, object, qa, id, 'update', undefined);
      const current = Number(old[field.column] ?? 0);
      const next = current + spec.by;
      if ((spec.min !== undefined && next < spec.min) || (spec.max !== undefined && next > spec.max))
        return { ok: false, value: current };
      await this.applyUpdate(tx, model, object, qa, old, { [spec.field]: next });
      return { ok: true, value: next };
    });

  // ---------------------------------------------------------------- reads

  async list(ctx: Ctx, objectName: string, opts: ListOptions = {}): Promise<ListResult> {
    return this.onFreshModel(ctx, (c) => this.listOn(c, objectName, opts));
  }

  private async listOn(ctx: Ctx, objectName: string, opts: ListOptions): Promise<ListResult> {
    const { model, object, qa } =
      this.preparedNow(ctx, objectName, 'read') ?? (await this.prepare(ctx, objectName, 'read'));
    // The shape of the request, everything but the cursor's values: its plan is compiled once.
    const plan = this.plans.get(model, listKey(ctx, objectName, opts), () => {
      const limit = parseLimit(opts.limit);
      const columns = projectColumns(object, qa.access, opts.fields);
      const sort = parseSort(object, opts.sort, qa.access.fields);
      const lookups = parseExpand(object, qa, opts.expand);
      const where = [compileFilter(model, object, opts.filter, qa, 'read', { deleted: Boolean(opts.deleted) })];
      const search = searchFilter(object, qa.access, opts.q);
      if (search) where.push(search);
      return {
        limit,
        columns,
        sort,
        lookups,
        where,
        signature: sortSignature(sort),
        pages: new Map<string, PageSql>(),
        record: recordMaker(columns),
      };
    });
    const { limit, columns, sort, lookups, where, signature } = plan;
    const after = opts.cursor ? (await decodeCursor(this.deps.secrets, opts.cursor, signature)).v : undefined;
    if (after && after.length !== sort.length) throw badRequest('cursor is invalid or does not belong to this query');
    let items: RecordData[];
    let more: boolean;
    let last: (string | null)[] | undefined;
    if (isPool(ctx.db)) {
      // One statement per pattern of NULLs in the cursor (they change the WHERE); its values go into slots.
      const pattern = after ? after.map((v) => (v === null ? '0' : '1')).join('') : '';
      let sql = plan.pages.get(pattern);
      if (!sql) {
        sql = pageSql(ctx, object, { columns, where, sort, limit }, after);
        plan.pages.set(pattern, sql);
      }
      // Rows as arrays: each record is built once, in the plan's shape, without the sort values.
      const rows = await queryPreparedArrays(ctx.db, sql.statement, sql.bind(after));
      more = rows.length > limit;
      const n = Math.min(rows.length, limit);
      items = new Array(n);
      for (let i = 0; i < n; i += 1) items[i] = plan.record(rows[i] as unknown[]);
      const tail = rows[n - 1];
      last = tail ? (tail.slice(columns.length) as (string | null)[]) : undefined;
    } else {
      const rows = await selectPage(ctx.db, ctx.schema, object, {
        columns,
        where,
        sort,
        limit,
        ...(after ? { after } : {}),
      });
      more = rows.length > limit;
      const page = more ? rows.slice(0, limit) : rows;
      const tail = page[page.length - 1];
      last = tail ? sort.map((_, i) => (tail[`${SORT_VALUE}${i}`] as string | null) ?? null) : undefined;
      items = page.map((r: Row) => toRecord(r, columns));
    }
    const nextCursor =
      more && last ? await encodeCursor(this.deps.secrets, { s: signature, v: last.map((v) => v ?? null) }) : null;
    if (lookups.length) await expandLookups(ctx.db, model, qa, lookups, items, ctx.isAdmin);
    const result: ListResult = { items, nextCursor };
    if (opts.count === true) result.total = await selectCount(ctx.db, ctx.schema, object, where);
    else if (opts.count === 'estimate') result.estimatedTotal = await estimateCount(ctx.db, ctx.schema, object, where);
    return result;
  }

  async get(
    ctx: Ctx,
    objectName: string,
    id: string,
    opts: { fields?: string; expand?: string; deleted?: boolean } = {},
  ): Promise<RecordData> {
    return this.onFreshModel(ctx, (c) => this.getOn(c, objectName, id, opts));
  }

  private async getOn(
    ctx: Ctx,
    objectName: string,
    id: string,
    opts: { fields?: string; expand?: string; deleted?: boolean },
  ): Promise<RecordData> {
    const { model, object, qa } =
      this.preparedNow(ctx, objectName, 'read') ?? (await this.prepare(ctx, objectName, 'read'));
    const plan = this.plans.get(model, getKey(ctx, objectName, opts), () => {
      const columns = projectColumns(object, qa.access, opts.fields);
      const lookups = parseExpand(object, qa, opts.expand);
      return { columns, lookups, one: undefined as OneSql | undefined };
    });
    const { columns, lookups } = plan;
    let record: RecordData;
    if (isPool(ctx.db)) {
      // guardRecord's read, compiled once: live (or binned) and inside the read scope, else 404.
      if (!isRecordId(id)) throw notFound(`No ${object.name} with this id`);
      plan.one ??= oneSql(ctx, model, object, qa, columns, Boolean(opts.deleted));
      const found = (await queryPrepared(ctx.db, plan.one.statement, plan.one.bind(id)))[0];
      if (!found) throw notFound(`No ${object.name} with this id`);
      // The statement selects exactly `columns`: the row is the record, no copy needed.
      record = found;
    } else {
      record = toRecord(
        await guardRecord(ctx, model, object, qa, id, { deleted: Boolean(opts.deleted), columns }),
        columns,
      );
    }
    if (lookups.length) await expandLookups(ctx.db, model, qa, lookups, [record], ctx.isAdmin);
    // Without line items (most objects) there is nothing to wait for.
    if (opts.fields === undefined && object.children.length)
      await this.attachChildren(ctx, model, object, qa, [record]);
    return record;
  }

  /**
   * "This record, as this user" (record-guard.ts): the record inside the caller's read scope (404
   * otherwise), and inside the scope of `op` when given (403). For services and plugins acting on a
   * record by id; the row holds every column, so answer with the readable ones only.
   */
  async resolve(ctx: Ctx, objectName: string, id: string, opts: GuardOptions = {}): Promise<GuardedRecord> {
    const { model, object, qa } = await this.prepare(ctx, objectName, 'read');
    return { model, object, qa, row: await guardRecord(ctx, model, object, qa, id, opts) };
  }

  async history(
    ctx: Ctx,
    objectName: string,
    id: string,
    opts: { limit?: number; before?: number } = {},
  ): Promise<{ items: HistoryEntry[]; labels: Record<string, LookupLabel> }> {
    const { model, object, qa } = await this.prepare(ctx, objectName, 'read');
    assertId(id);
    // A purged record has no row left to check a scope against: its trail is for admins only.
    const exists = await guardRecord(ctx, model, object, qa, id, { deleted: 'any', columns: ['id'] }).then(
      () => true,
      (e) => {
        if (ctx.isAdmin && isAppError(e) && e.code === 'NOT_FOUND') return false;
        throw e;
      },
    );
    const entries = await readHistory(ctx.db, ctx.schema, object.name, id, qa.access.fields, {
      limit: parseLimit(opts.limit ?? 100),
      ...(opts.before !== undefined ? { before: opts.before } : {}),
    });
    if (!exists && !entries.length) throw notFound(`No ${object.name} with this id`);
    // People read names, not ids: every lookup value in the diffs with its label (or "hidden").
    const refs: Array<{ object: string; id: string }> = [];
    for (const e of entries)
      for (const [field, pair] of Object.entries(e.changes ?? {})) {
        const ref = object.fields.get(field)?.ref;
        if (!ref || !Array.isArray(pair)) continue;
        for (const v of pair) if (typeof v === 'string') refs.push({ object: ref, id: v });
      }
    return { items: entries, labels: await lookupLabels(ctx.db, model, object, qa, refs) };
  }

  // ---------------------------------------------------------------- writes

  async create(ctx: Ctx, objectName: string, payload: unknown): Promise<RecordData> {
    return this.onFreshModel(ctx, async (c) => {
      await this.refuseWhileSuspended(c, objectName, 'create');
      return runInUnitOfWork(c, async (tx) => {
        const { created } = await this.insert(tx, objectName, [payload], { single: true });
        return created[0]!;
      });
    });
  }

  /**
   * Inserts many records in the caller's unit of work (or a new one): the entry point of imports.
   * Each row is validated, scripted and numbered like a single create; rows are written in batches.
   * All or nothing unless `partial`, which keeps the good rows and reports the others by index.
   */
  async createMany(
    ctx: Ctx,
    objectName: string,
    payloads: readonly unknown[],
    opts: CreateManyOptions = {},
  ): Promise<CreateManyResult> {
    return runInUnitOfWork(ctx, (tx) => this.insert(tx, objectName, payloads, { ...opts, single: false }));
  }

  async update(
    ctx: Ctx,
    objectName: string,
    id: string,
    payload: unknown,
    opts: WriteOptions = {},
  ): Promise<RecordData> {
    return this.onFreshModel(ctx, async (c) => {
      await this.refuseWhileSuspended(c, objectName, 'update');
      return this.updateOn(c, objectName, id, payload, opts);
    });
  }

  /**
   * A scripted save of a tenant whose scripts are suspended is refused before its transaction opens:
   * a runaway tenant's refused saves then take no connection, wait on no row lock and roll nothing
   * back. Only for users who may make that change, so the refusal tells no one about objects they
   * cannot write; inside a caller's unit of work the save's own check (in the sandbox call) applies.
   */
  private async refuseWhileSuspended(ctx: Ctx, objectName: string, op: 'create' | 'update'): Promise<void> {
    if ((ctx as Partial<TxCtx>).uow) return;
    const model = await this.deps.meta.model(ctx);
    const object = model.object(objectName);
    if (!hasSaveWork(model, object.name)) return;
    if (!(await this.deps.permissions.objectAccess(ctx, object.name)).can[op]) return;
    await this.deps.saveScripts.assertNotSuspended(ctx, model, object.name);
  }

  private async updateOn(
    ctx: Ctx,
    objectName: string,
    id: string,
    payload: unknown,
    opts: WriteOptions,
  ): Promise<RecordData> {
    return runInUnitOfWork(ctx, async (tx) => {
      const { model, object, qa } = await this.prepare(tx, objectName, 'read');
      const body = asObject(payload);
      const version = expectedVersion(opts.version, body);
      const override = assertOverride(tx, opts.override);
      const old = await this.lockForWrite(tx, model, object, qa, id, 'update', version, override);
      const columns = readableColumns(object, qa.access);
      const saved = await this.applyUpdate(tx, model, object, qa, old, body, { override });
      return this.output(tx, model, object, qa, saved ?? old, columns);
    });
  }

  /**
   * A change the system makes on behalf of `ctx.user` (a workflow step, the approval status): the
   * same save as `update` — validation, hooks, save scripts, formulas, roll-ups, audit, after-save
   * rules — without the user's record scope or field security (the metadata decided what changes),
   * in the caller's unit of work. `ctx.user` is the author in history, `cause` says why. Returns the
   * whole saved row.
   */
  async systemUpdate(
    ctx: Ctx,
    objectName: string,
    id: string,
    changes: RecordData,
    opts: SystemUpdateOptions,
  ): Promise<Row> {
    return runInUnitOfWork(ctx, async (userTx) => {
      const tx: TxCtx = { ...userTx, isAdmin: true, cause: opts.cause };
      const { model, object, qa } = await this.prepare(tx, objectName, 'read');
      const passLock = opts.passLock === true;
      const held = opts.locked && lockedRow(object, id, opts.locked);
      if (held?.approval_status === 'pending' && !passLock) throw recordLocked();
      const old = held ?? (await this.lockForWrite(tx, model, object, qa, id, 'update', undefined, passLock));
      const system: Row = opts.approvalStatus ? { approval_status: opts.approvalStatus } : {};
      return (await this.applyUpdate(tx, model, object, qa, old, { ...changes }, { passLock, system })) ?? old;
    });
  }

  async delete(ctx: Ctx, objectName: string, id: string, opts: WriteOptions = {}): Promise<void> {
    await this.onFreshModel(ctx, (c) => this.deleteOn(c, objectName, id, opts));
  }

  private async deleteOn(ctx: Ctx, objectName: string, id: string, opts: WriteOptions): Promise<void> {
    await runInUnitOfWork(ctx, async (tx) => {
      const { model, object, qa } = await this.prepare(tx, objectName, 'read');
      const override = assertOverride(tx, opts.override);
      const old = await this.lockForWrite(tx, model, object, qa, id, 'delete', opts.version, override);
      await this.deps.hooks.runFilters<BeforeDeletePayload>(tx, RECORD_EVENTS.beforeDelete, {
        object: object.name,
        id,
        old: toRecord(old, readableColumns(object, qa.access)),
        ...(override ? { override } : {}),
        ...(tx.cause ? { cause: tx.cause } : {}),
      });
      const [row] = await markDeleted(tx.db, tx.schema, object, [id], actor(tx));
      await this.afterWrite(tx, model, object, 'delete', old, row!);
    });
  }

  /**
   * Moves many records to the recycle bin as one batch (an import's revert), each only if it still
   * has the given version, is within the caller's delete scope, is not pending approval and its
   * beforeDelete hooks accept it; the others are left as they are. Returns the ids deleted.
   */
  async deleteMany(
    ctx: Ctx,
    objectName: string,
    targets: readonly DeleteTarget[],
    opts: { batch?: string } = {},
  ): Promise<{ deleted: string[] }> {
    return runInUnitOfWork(ctx, async (tx) => {
      const { model, object, qa } = await this.prepare(tx, objectName, 'read');
      if (!qa.access.can.delete) throw forbidden(`You may not delete ${object.name} records`);
      if (!targets.length) return { deleted: [] };
      const t = object.table;
      const candidates: Row[] = await tx.db
        .withSchema(tx.schema)
        .from(t)
        .select(object.columns.map((c) => `${t}.${c}`))
        .where(compileFilter(model, object, null, qa, 'delete'))
        .whereRaw('(??, ??) in (select * from unnest(?::uuid[], ?::int[]))', [
          `${t}.id`,
          `${t}.version`,
          targets.map((x) => x.id),
          targets.map((x) => x.version),
        ])
        .whereNot(`${t}.approval_status`, 'pending')
        .orderBy(`${t}.id`)
        .forUpdate();
      const columns = readableColumns(object, qa.access);
      const accepted = new Map<string, Row>();
      for (const old of candidates) {
        try {
          await this.deps.hooks.runFilters<BeforeDeletePayload>(tx, RECORD_EVENTS.beforeDelete, {
            object: object.name,
            id: old.id as string,
            old: toRecord(old, columns),
            ...(tx.cause ? { cause: tx.cause } : {}),
          });
          accepted.set(old.id as string, old);
        } catch (e) {
          // A hook refusing one record leaves that record; anything else is a fault of the batch.
          if (!(e instanceof AppError) || e.status >= 500) throw e;
        }
      }
      const rows = await markDeleted(tx.db, tx.schema, object, [...accepted.keys()], actor(tx));
      const writes = rows.map((row) => ({ old: accepted.get(row.id as string)!, row }));
      await this.afterWrites(tx, model, object, 'delete', writes, opts.batch);
      return { deleted: rows.map((r) => r.id as string) };
    });
  }

  /** Takes a record out of the recycle bin (needs delete access to it). */
  async restore(ctx: Ctx, objectName: string, id: string): Promise<RecordData> {
    return this.onFreshModel(ctx, (c) => this.restoreOn(c, objectName, id));
  }

  private async restoreOn(ctx: Ctx, objectName: string, id: string): Promise<RecordData> {
    return runInUnitOfWork(ctx, async (tx) => {
      const { model, object, qa } = await this.prepare(tx, objectName, 'read');
      const old = await guardRecord(tx, model, object, qa, id, { deleted: true, lock: true, op: 'delete' });
      const [row] = await markRestored(tx.db, tx.schema, object, id, actor(tx));
      await this.afterWrite(tx, model, object, 'restore', old, row!);
      return this.output(tx, model, object, qa, row!, readableColumns(object, qa.access));
    });
  }

  /** Deletes a record of the recycle bin for good (tenant admins only). */
  async purge(ctx: Ctx, objectName: string, id: string): Promise<void> {
    if (!ctx.isAdmin) throw forbidden('Only tenant admins may purge records');
    await runInUnitOfWork(ctx, async (tx) => {
      const { model, object, qa } = await this.prepare(tx, objectName, 'read');
      const old = await guardRecord(tx, model, object, qa, id, { deleted: 'any', lock: true });
      if (old.deleted_at === null) throw conflict('Only records in the recycle bin can be purged: delete it first');
      await deleteRow(tx.db, tx.schema, object, id);
      await deleteRecordShares(tx.db, tx.schema, object.name, [id]);
      await writeAudit(tx.db, tx.schema, [
        { object: object.name, recordId: id, action: 'purge', userId: actor(tx), changes: {} },
      ]);
      if (object.parent) await this.touchParents(tx, model, object, [old]);
      await this.refreshRelatedRollups(tx, model, object, [{ old, row: null }]);
    });
  }

  /** Related roll-ups over `object` after these writes: the parents they can move are recomputed. */
  private async refreshRelatedRollups(
    tx: TxCtx,
    model: Model,
    object: ObjectModel,
    writes: readonly ChildWrite[],
    depth = 0,
  ) {
    if (depth > MAX_ROLLUP_DEPTH) return;
    for (const { parent, fields, ids } of affectedParents(model, object, writes).values()) {
      await recomputeRelatedRollups(tx.db, tx.schema, model, parent, fields, ids);
      await this.afterRollups(tx, model, parent, ids, depth + 1);
    }
  }

  /**
   * After roll-ups of `parent` moved: formulas reading them, then roll-ups elsewhere that aggregate
   * those values of `parent` (a chain campaign ← deal ← deal lines), a few levels deep at most.
   */
  private async afterRollups(tx: TxCtx, model: Model, parent: ObjectModel, ids: string[], depth: number) {
    await refreshRollupFormulas(this.deps.saveScripts, tx, model, parent, ids);
    if (depth > MAX_ROLLUP_DEPTH || !ids.length) return;
    const consumers = relatedRollupsOf(model, parent.name);
    if (!consumers.length) return;
    const moved = new Set([...parent.rollups, ...formulasAfterRollups(parent)].map((f) => f.name));
    if (!consumers.some((c) => c.field.rollup!.reads.some((r) => moved.has(r)))) return;
    // Every consumer is recomputed for these rows: an "old" without the moved values forces it.
    const rows: Row[] = await tx.db.withSchema(tx.schema).from(parent.table).whereIn('id', ids).select('*');
    const writes = rows.map((row) => ({ old: null, row }));
    await this.refreshRelatedRollups(tx, model, parent, writes, depth);
  }

  /** Applies every object's audit retention (`x-audit: {retainDays}`); a scheduled job calls this. */
  async purgeAudit(ctx: Ctx): Promise<{ deleted: number }> {
    const model = await this.deps.meta.model(ctx);
    return { deleted: await purgeExpiredAudit(ctx.db, ctx.schema, model, this.deps.clock.now()) };
  }

  // ---------------------------------------------------------------- internals

  /**
   * Runs `fn` on the model of `ctx`; when a metadata change dropped a column or table between the
   * request reading the model and its query (42703/42P01), runs it once more on the tenant's current
   * model. Only when `fn` owns its transaction: a failed statement has aborted a caller's one, which
   * then answers 409 (translate-database-error.ts) — never 500.
   */
  /**
   * The records' lookup values replaced by the labels of the records they point at, as `ctx` may
   * read them (a record it may not read keeps its id): texts written for people name things.
   */
  async withLookupNames(ctx: Ctx, objectName: string, records: readonly RecordData[]): Promise<RecordData[]> {
    const { model, object, qa } = await this.prepare(ctx, objectName, 'read');
    const lookups = object.customFields.filter((f) => f.ref && f.column);
    const refs = records.flatMap((r) =>
      lookups.flatMap((f) => (typeof r[f.name] === 'string' ? [{ object: f.ref!, id: r[f.name] as string }] : [])),
    );
    if (!refs.length) return [...records];
    const labels = await lookupLabels(ctx.db, model, object, qa, refs);
    return records.map((r) => {
      const out = { ...r };
      for (const f of lookups) {
        const entry = typeof r[f.name] === 'string' ? labels[r[f.name] as string] : undefined;
        if (entry && 'label' in entry) out[f.name] = entry.label;
      }
      return out;
    });
  }

  private async onFreshModel<T>(ctx: Ctx, fn: (ctx: Ctx) => Promise<T>): Promise<T> {
    try {
      return await fn(ctx);
    } catch (e) {
      const inCallersTransaction = Boolean((ctx as Partial<TxCtx>).uow) || 'isTransaction' in ctx.db;
      if (!isStaleShape(e) || inCallersTransaction) throw e;
      const { metaVersion: _stale, ...current } = ctx;
      return fn(current);
    }
  }

  private async prepare(ctx: Ctx, objectName: string, op: 'read' | 'create') {
    const model = await this.deps.meta.model(ctx);
    const object = model.object(objectName);
    // Objects the user may not read do not exist for them; creating needs only the create right.
    const mustRead = op === 'read';
    // Derived from the model and the reader alone (read-plans.ts): built once per version and reader.
    const qa = await this.plans.getAsync(model, accessKey(ctx, object.name, mustRead), () =>
      queryAccessFor(ctx, model, object, this.deps.permissions, { mustRead }),
    );
    return { model, object, qa };
  }

  /**
   * `prepare` without a promise when its model and the reader's access are built already (every
   * read after the first of a version and reader); else undefined: await `prepare`. The same
   * entries, so the same answer (issue 27: a read need not wait ticks for cached work).
   */
  private preparedNow(ctx: Ctx, objectName: string, op: 'read' | 'create') {
    const model = this.deps.meta.modelIfBuilt?.(ctx);
    if (!model) return undefined;
    const object = model.object(objectName);
    const qa = this.plans.getSettled<QueryAccess>(model, accessKey(ctx, object.name, op === 'read'));
    return qa ? { model, object, qa } : undefined;
  }

  private async insert(
    tx: TxCtx,
    objectName: string,
    payloads: readonly unknown[],
    opts: CreateManyOptions & { single: boolean },
  ): Promise<CreateManyResult> {
    const { model, object, qa } = await this.prepare(tx, objectName, 'create');
    if (!qa.access.can.create) {
      if (!qa.access.can.read) throw notFound(`Unknown object: ${object.name}`);
      throw forbidden(`You may not create ${object.name} records`);
    }
    if (opts.owner !== undefined && !tx.isAdmin) throw forbidden('Only tenant admins may set the owner');
    const owner = opts.owner ?? actor(tx);
    const failed: CreateManyResult['failed'] = [];
    const prepared: { index: number; row: Row; children: Record<string, unknown[]> }[] = [];
    const now = this.deps.clock.now();
    const lookups = await lookupCheck(tx, model, object, this.deps.permissions, payloads);
    for (let i = 0; i < payloads.length; i++) {
      try {
        const payload = payloads[i];
        prepared.push({ index: i, ...(await this.prepareInsert(tx, model, object, qa, payload, owner, now, lookups)) });
      } catch (e) {
        if (opts.single || !isRowError(e)) throw e;
        if (!opts.partial) throw atRow(e as AppError, i);
        failed.push({ row: i, errors: rowErrors(e), code: (e as AppError).code });
      }
    }
    // A new record has no related children yet: its related roll-ups start empty (0 for sums and counts).
    const empty = emptyRelatedRollups(object);
    for (const p of prepared) Object.assign(p.row, empty);
    const columns = readableColumns(object, qa.access);
    // The audit entry goes in the INSERT's own statement, unless roll-ups recomputed after the
    // insert change the row it describes (then it is written from the reloaded row, below).
    const auditInInsert = !opts.partial && !object.rollups.length;
    const user = actor(tx);
    const auditOf = (row: Row): AuditEntry => ({
      object: object.name,
      recordId: row.id as string,
      action: 'create',
      userId: user,
      changes: diffRecords(object, null, row),
      batch: opts.batch ?? null,
      cause: tx.cause ?? null,
    });
    const inserted = opts.partial
      ? await this.insertEach(tx, object, prepared, failed)
      : await insertRows(
          tx.db,
          tx.schema,
          object,
          prepared.map((p) => p.row),
          auditInInsert ? auditOf : undefined,
        ).then((rows) => rows.map((row, k) => ({ row, children: prepared[k]!.children })));
    for (const { row, children } of inserted) {
      for (const [field, items] of Object.entries(children))
        await this.saveChildren(tx, model, object, row, field, items, opts.owner);
    }
    if (object.children.length && object.rollups.length)
      await this.recomputeParents(
        tx,
        model,
        object,
        inserted.map((r) => r.row.id as string),
      );
    const rows = object.rollups.length
      ? await this.reload(
          tx,
          object,
          inserted.map((r) => r.row.id as string),
        )
      : inserted.map((r) => r.row);
    await this.afterWrites(
      tx,
      model,
      object,
      'create',
      rows.map((row) => ({ old: null, row })),
      opts.batch,
      false,
      !auditInInsert,
    );
    const created: RecordData[] = [];
    for (const row of rows) created.push(await this.output(tx, model, object, qa, row, columns, !opts.single));
    return { created, failed };
  }

  /**
   * Partial mode: each chunk in a savepoint; a chunk the database refuses (a duplicate) is retried
   * row by row, so only the offending rows are lost and clean chunks cost one statement.
   */
  private async insertEach(
    tx: TxCtx,
    object: ObjectModel,
    prepared: { index: number; row: Row; children: Record<string, unknown[]> }[],
    failed: CreateManyResult['failed'],
  ) {
    const out: { row: Row; children: Record<string, unknown[]> }[] = [];
    const chunk = 500;
    for (let i = 0; i < prepared.length; i += chunk) {
      const part = prepared.slice(i, i + chunk);
      try {
        const rows = await tx.db.transaction((sp) =>
          insertRows(
            sp,
            tx.schema,
            object,
            part.map((p) => p.row),
          ),
        );
        for (const [k, row] of rows.entries()) out.push({ row, children: part[k]!.children });
        continue;
      } catch (e) {
        if (!isRowError(e)) throw e;
      }
      for (const p of part) {
        try {
          const [row] = await tx.db.transaction((sp) => insertRows(sp, tx.schema, object, [p.row]));
          out.push({ row: row!, children: p.children });
        } catch (e) {
          if (!isRowError(e)) throw e;
          failed.push({ row: p.index, errors: rowErrors(e), code: (e as { code?: string }).code ?? 'CONFLICT' });
        }
      }
    }
    return out;
  }

  private async prepareInsert(
    tx: TxCtx,
    model: Model,
    object: ObjectModel,
    qa: QueryAccess,
    payload: unknown,
    owner: string | null,
    now: Date,
    lookups: LookupErrors,
  ): Promise<{ row: Row; children: Record<string, unknown[]> }> {
    const { values, children } = checkPayload(
      object,
      qa.access,
      await this.withDefaultsFrom(tx, model, object, asObject(payload), lookups),
      'create',
    );
    assertNoRetiredChoice(object, values, undefined, 'The record is not valid');
    assertLookups(lookups, values, 'The record is not valid');
    if (object.parent && values[object.parent.field]) await this.assertParentWritable(tx, model, object, values);
    const hook = await this.deps.hooks.runFilters<BeforeCreatePayload>(tx, RECORD_EVENTS.beforeCreate, {
      object: object.name,
      record: values,
      ...(tx.cause ? { cause: tx.cause } : {}),
    });
    const record = hook.record;
    const scripted = await runSaveScripts(
      this.deps.saveScripts,
      tx,
      model,
      object,
      qa.access,
      { ...record, owner },
      null,
      this.scriptHost(tx),
    );
    const row: Row = { ...columnsOnly(object, record), ...scripted };
    if (hasFormLogic(object)) {
      Object.assign(row, applyFormRules(object, row, null, 'The record is not valid'));
      await assertLookupFilters(tx, model, object, row, null, 'The record is not valid');
    }
    for (const f of object.autonumbers) row[f.column!] = await nextAutonumber(tx.db, tx.schema, f, now);
    row.owner = owner;
    row.created_by = owner === null ? null : actor(tx);
    row.updated_by = actor(tx);
    return { row, children };
  }

  /**
   * Omitted fields with `x-default-from` filled from other records. A lookup naming no record is
   * reported first, so an unknown product reads as such rather than as a missing price.
   */
  private async withDefaultsFrom(
    tx: TxCtx,
    model: Model,
    object: ObjectModel,
    payload: Record<string, unknown>,
    lookups: LookupErrors,
  ): Promise<Record<string, unknown>> {
    if (!defaultSources(object).length) return payload;
    assertLookups(lookups, payload, 'The record is not valid');
    return fillDefaultsFrom(object, payload, async (name, match, field) => {
      const target = model.object(name);
      const qa = await queryAccessFor(tx, model, target, this.deps.permissions, { mustRead: false });
      if (!qa.access.can.read || [field, ...Object.keys(match)].some((k) => qa.access.fields[k] === 'none'))
        return undefined;
      const filter = Object.fromEntries(Object.entries(match).map(([k, v]) => [k, { eq: v }]));
      let where: ReturnType<typeof compileFilter>;
      try {
        where = compileFilter(model, target, filter, qa, 'read');
      } catch (e) {
        // A value of the wrong shape for the matched field (text where an id goes) matches nothing.
        if (isAppError(e) && e.code === 'BAD_REQUEST') return undefined;
        throw e;
      }
      const column = target.field(field).column!;
      const row = await tx.db
        .withSchema(tx.schema)
        .from(target.table)
        .where(where)
        .orderBy([`${target.table}.created_at`, `${target.table}.id`])
        .first(`${target.table}.${column} as value`);
      return row?.value;
    });
  }

  /**
   * The locked current row for a write, after scope, version and approval-lock checks (`passLock`:
   * an admin's override, or the approval engine's own write).
   */
  private async lockForWrite(
    tx: TxCtx,
    model: Model,
    object: ObjectModel,
    qa: QueryAccess,
    id: string,
    op: 'update' | 'delete',
    version: number | undefined,
    passLock = false,
  ): Promise<Row> {
    const old = await guardRecord(tx, model, object, qa, id, { op, lock: true });
    if (version !== undefined && Number(old.version) !== version)
      throw conflict('The record was changed by someone else: reload it and try again', {
        version: Number(old.version),
      });
    if (old.approval_status === 'pending' && !passLock) throw recordLocked();
    return old;
  }

  private async assertScope(
    tx: TxCtx,
    model: Model,
    object: ObjectModel,
    qa: QueryAccess,
    id: string,
    op: 'update' | 'delete',
    deleted: boolean,
  ): Promise<void> {
    if (!qa.access.can[op]) throw forbidden(`You may not ${op} ${object.name} records`);
    if (!qa.access.rowFilter[op]) return;
    const where = [compileFilter(model, object, null, qa, op, { deleted })];
    if (!(await selectOne(tx.db, tx.schema, object, id, ['id'], where)))
      throw forbidden(`You may not ${op} this record`);
  }

  /**
   * Validates and writes a patch; returns the new row, or undefined when nothing changed. `system`:
   * system columns the approval engine sets with the patch (`approval_status`).
   */
  private async applyUpdate(
    tx: TxCtx,
    model: Model,
    object: ObjectModel,
    qa: QueryAccess,
    old: Row,
    body: Record<string, unknown>,
    mode: { override?: boolean; passLock?: boolean; system?: Row } = {},
  ): Promise<Row | undefined> {
    const { override, passLock, system = {} } = mode;
    const { rest, owner } = await takeOwnerChange(tx, qa.access, body);
    const { values: patch, children } = checkPayload(object, qa.access, rest, 'update');
    assertNoRetiredChoice(object, patch, old, 'The changes are not valid');
    const id = old.id as string;
    assertLookups(
      await lookupCheck(tx, model, object, this.deps.permissions, [patch], old),
      patch,
      'The changes are not valid',
    );
    if (object.parent && patch[object.parent.field]) await this.assertParentWritable(tx, model, object, patch);
    const hook = await this.deps.hooks.runFilters<BeforeUpdatePayload>(tx, RECORD_EVENTS.beforeUpdate, {
      object: object.name,
      id,
      patch,
      old: toRecord(old, readableColumns(object, qa.access)),
      ...(override ? { override } : {}),
      ...(tx.cause ? { cause: tx.cause } : {}),
      ...(passLock ? { passLock } : {}),
    });
    const merged = { ...old, ...hook.patch, ...system };
    const scripted = await runSaveScripts(
      this.deps.saveScripts,
      tx,
      model,
      object,
      qa.access,
      merged,
      old,
      this.scriptHost(tx),
    );
    const set: Row = { ...columnsOnly(object, hook.patch), ...scripted, ...(owner ? { owner } : {}), ...system };
    if (hasFormLogic(object)) {
      Object.assign(set, applyFormRules(object, { ...old, ...set }, old, 'The changes are not valid'));
      await assertLookupFilters(tx, model, object, { ...old, ...set }, old, 'The changes are not valid');
    }
    const changed = Object.keys(diffRecords(object, old, { ...old, ...set })).length > 0;
    let row: Row | undefined;
    if (changed) row = await updateRow(tx.db, tx.schema, object, id, set, actor(tx));
    for (const [field, items] of Object.entries(children))
      await this.saveChildren(tx, model, object, old, field, items);
    if (Object.keys(children).length && object.rollups.length) {
      await this.recomputeParents(tx, model, object, [id]);
      const [fresh] = await this.reload(tx, object, [id]);
      if (row || Object.keys(diffRecords(object, old, fresh!)).length) row = fresh;
    }
    if (!row) return undefined;
    // A `record.rowWritten` hook may write the record again (an approval sent back): answer it as it is now.
    if ((await this.afterWrite(tx, model, object, 'update', old, row)).has(id))
      row = (await this.reload(tx, object, [id]))[0] ?? row;
    return row;
  }

  /**
   * Line items given with their parent: items with an `id` are updated, the others created, and
   * the parent's live items missing from the list go to the recycle bin. Each item goes through the
   * child object's own rules (permissions, validation, scripts, audit).
   */
  private async saveChildren(
    tx: TxCtx,
    model: Model,
    parent: ObjectModel,
    parentRow: Row,
    field: string,
    items: unknown[],
    /** Given when an admin creates the parent for someone else: its new lines are that owner's too. */
    owner?: string,
  ): Promise<void> {
    const spec = parent.children.find((c) => c.name === field)!;
    const child = model.object(spec.object);
    const { qa } = await this.prepare(tx, child.name, 'read');
    const parentId = parentRow.id as string;
    const existing = await tx.db
      .withSchema(tx.schema)
      .from(child.table)
      .where(spec.field, parentId)
      .whereNull('deleted_at')
      .pluck('id');
    const keep = new Set<string>();
    const fresh: Record<string, unknown>[] = [];
    for (const [i, raw] of items.entries()) {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
        throw invalidFields('Line items must be objects', { [`${field}.${i}`]: { code: 'not_an_object' } });
      const { id, ...rest } = raw as Record<string, unknown>;
      if (id !== undefined) {
        if (typeof id !== 'string' || !existing.includes(id))
          throw invalidFields('Unknown line item', { [`${field}.${i}.id`]: { code: 'not_a_line_item' } });
        keep.add(id);
        const old = await this.lockForWrite(tx, model, child, qa, id, 'update', undefined);
        await this.wrapChildErrors(field, i, () => this.applyUpdate(tx, model, child, qa, old, rest));
      } else fresh.push({ ...rest, [spec.field]: parentId });
    }
    const gone = existing.filter((id: string) => !keep.has(id));
    for (const id of gone) {
      const old = await this.lockForWrite(tx, model, child, qa, id, 'delete', undefined);
      const [row] = await markDeleted(tx.db, tx.schema, child, [id], actor(tx));
      await this.afterWrite(tx, model, child, 'delete', old, row!, undefined, true);
    }
    if (fresh.length) {
      await this.wrapChildErrors(field, null, () => this.insertChildren(tx, child, fresh, owner));
    }
  }

  private async insertChildren(tx: TxCtx, child: ObjectModel, rows: Record<string, unknown>[], owner?: string) {
    // Marked so the child inserts do not recompute the parent each time: the parent does it once.
    return this.insert({ ...tx, [IN_PARENT]: true } as TxCtx, child.name, rows, {
      single: false,
      ...(owner !== undefined ? { owner } : {}),
    });
  }

  private async wrapChildErrors<T>(field: string, index: number | null, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      const err = e as { fields?: FieldErrors; fieldCodes?: FieldErrorCodes };
      const at = (k: string) => `${field}${index === null ? '' : `.${index}`}.${k}`;
      if (err?.fields) {
        const prefixed: FieldErrors = {};
        for (const [k, v] of Object.entries(err.fields)) prefixed[at(k)] = v;
        (e as { fields: FieldErrors }).fields = prefixed;
      }
      if (err?.fieldCodes)
        err.fieldCodes = Object.fromEntries(Object.entries(err.fieldCodes).map(([k, c]) => [at(k), c]));
      throw e;
    }
  }

  /** A line item's parent must exist and be editable by the user (a child is part of its parent). */
  private async assertParentWritable(tx: TxCtx, model: Model, child: ObjectModel, values: Record<string, unknown>) {
    if ((tx as unknown as Record<symbol, unknown>)[IN_PARENT]) return;
    const spec = child.parent!;
    const parent = model.object(spec.object);
    const { qa } = await this.prepare(tx, parent.name, 'read');
    const id = values[spec.field] as string;
    const where = [compileFilter(model, parent, null, qa, 'read')];
    // Locked before the line is written: sibling saves then queue on the parent instead of
    // deadlocking between the line's foreign-key lock and the roll-up update.
    const row = await selectOne(tx.db, tx.schema, parent, id, ['id', 'approval_status'], where, true);
    if (!row) throw invalidFields('Unknown parent record', { [spec.field]: { code: 'no_such_record' } });
    await this.assertScope(tx, model, parent, qa, id, 'update', false);
    if (row.approval_status === 'pending') throw recordLocked('The parent record is pending approval');
  }

  private async touchParents(tx: TxCtx, model: Model, child: ObjectModel, rows: Row[]) {
    if (!child.parent || (tx as unknown as Record<symbol, unknown>)[IN_PARENT]) return;
    const parent = model.object(child.parent.object);
    const ids = rows.map((r) => r[child.parent!.field]).filter((v): v is string => typeof v === 'string');
    await this.recomputeParents(tx, model, parent, ids);
  }

  /** Roll-ups of these parents, then the formulas that read them. */
  private async recomputeParents(tx: TxCtx, model: Model, parent: ObjectModel, ids: string[]) {
    await recomputeRollups(tx.db, tx.schema, model, parent, ids);
    await this.afterRollups(tx, model, parent, ids, 0);
  }

  private async reload(tx: TxCtx, object: ObjectModel, ids: string[]): Promise<Row[]> {
    if (!ids.length) return [];
    const rows: Row[] = await tx.db.withSchema(tx.schema).from(object.table).whereIn('id', ids).select('*');
    const byId = new Map(rows.map((r) => [r.id as string, r]));
    return ids.map((id) => byId.get(id)!);
  }

  private afterWrite(
    tx: TxCtx,
    model: Model,
    object: ObjectModel,
    action: AfterSavePayload['action'],
    old: Row | null,
    row: Row,
    batch?: string,
    skipParents = false,
  ) {
    return this.afterWrites(tx, model, object, action, [{ old, row }], batch, skipParents);
  }

  /** Audit rows, parent roll-ups, action hooks and the durable after-save event of some writes. */
  private async afterWrites(
    tx: TxCtx,
    model: Model,
    object: ObjectModel,
    action: AfterSavePayload['action'],
    writes: { old: Row | null; row: Row }[],
    batch?: string,
    skipParents = false,
    audit = true,
  ): Promise<Set<string>> {
    if (!writes.length) return new Set();
    const user = actor(tx);
    const entries: AuditEntry[] = [];
    const events: AfterSavePayload[] = [];
    for (const { old, row } of writes) {
      const changes = diffRecords(object, old, row);
      entries.push({
        object: object.name,
        recordId: row.id as string,
        action,
        userId: user,
        changes,
        batch: batch ?? null,
        cause: tx.cause ?? null,
      });
      events.push({
        object: object.name,
        id: row.id as string,
        action,
        record: row,
        old,
        changes,
        ...(tx.cause ? { cause: tx.cause } : {}),
      });
    }
    if (audit) await writeAudit(tx.db, tx.schema, entries);
    const rewritten = new Set<string>();
    if (this.deps.hooks.has(RECORD_EVENTS.rowWritten, object.name))
      for (const [i, e] of events.entries()) {
        const p = await this.deps.hooks.runFilters<RowWrittenPayload>(tx, RECORD_EVENTS.rowWritten, {
          object: e.object,
          id: e.id,
          action,
          record: writes[i]!.row,
          old: writes[i]!.old,
          changes: e.changes,
          ...(tx.cause ? { cause: tx.cause } : {}),
        });
        if (p.rewritten) rewritten.add(e.id);
      }
    await this.refreshRelatedRollups(tx, model, object, writes);
    if (object.parent && !skipParents) {
      await this.touchParents(tx, model, object, [
        ...writes.map((w) => w.row),
        ...writes.flatMap((w) => (w.old ? [w.old] : [])),
      ]);
    }
    const hookEvent =
      action === 'create'
        ? RECORD_EVENTS.afterCreate
        : action === 'delete'
          ? RECORD_EVENTS.afterDelete
          : RECORD_EVENTS.afterUpdate;
    for (const e of events) this.deps.hooks.queueActions(tx, hookEvent, e);
    // In the transaction, after the write: what must commit with the change (webhook deliveries).
    if (this.deps.hooks.has(RECORD_EVENTS.written, object.name)) {
      const written: WrittenPayload = {
        object: object.name,
        action,
        events: events.map((e) => jsonSafe(e) as unknown as AfterSavePayload),
      };
      await this.deps.hooks.runFilters(tx, RECORD_EVENTS.written, written);
    }
    // The events' JSON copy only when something records them (most saves have no afterSave script
    // and no listener for the object).
    const afterSave = action !== 'delete' && scriptsFor(model, object.name, 'afterSave').length > 0;
    const listened = this.savedListeners.some((l) => l.wants(model, object.name, action));
    if (afterSave || listened)
      for (const e of events) {
        const data = jsonSafe(e);
        if (afterSave)
          await this.deps.saveScripts.queueAfterSave(
            tx,
            model,
            object.name,
            data.record as RecordData,
            (data.old as RecordData) ?? null,
          );
        if (listened) await this.deps.outbox.enqueue(tx, SAVED_TOPIC, data);
      }
    return rewritten;
  }

  /**
   * For a set-based bulk writer (the staged import): why its before-save work cannot be skipped
   * (filter hooks beyond the core ones it reproduces in SQL), and whether anything beyond the rows
   * and their audit follows a write of `action` (after-save hooks, rules, roll-ups, webhooks).
   */
  bulkWriteProfile(
    model: Model,
    object: ObjectModel,
    action: 'create' | 'update',
  ): { beforeHooks: string[]; afterWork: boolean; webhooks: boolean } {
    const hooks = this.deps.hooks;
    // Hooks declared for other objects never run for this one (plugins' `objects`).
    const others = (event: string, core: string[]) =>
      hooks.filterSources(event, object.name).filter((s) => !core.includes(s));
    const before =
      action === 'create'
        ? others(RECORD_EVENTS.beforeCreate, ['duplicates'])
        : others(RECORD_EVENTS.beforeUpdate, ['workflows']);
    const afterEvent = action === 'create' ? RECORD_EVENTS.afterCreate : RECORD_EVENTS.afterUpdate;
    const written = others(RECORD_EVENTS.written, ['webhooks']);
    const afterWork =
      hooks.actionSources(afterEvent, object.name).length > 0 ||
      others(RECORD_EVENTS.rowWritten, ['workflows']).length > 0 ||
      written.length > 0 ||
      Boolean(object.parent) ||
      object.children.length > 0 ||
      relatedRollupsOf(model, object.name).length > 0 ||
      scriptsFor(model, object.name, 'afterSave').length > 0 ||
      this.savedListeners.some((l) => l.wants(model, object.name, action));
    return {
      beforeHooks: before,
      afterWork,
      webhooks: hooks.filterSources(RECORD_EVENTS.written).includes('webhooks'),
    };
  }

  /**
   * The after-write work of rows a bulk writer inserted or updated itself, audit excepted (it wrote
   * the audit set-based): row hooks, roll-ups, after-commit hooks, webhooks, afterSave scripts and
   * rules, exactly as `createMany` would run them for these rows.
   */
  async afterBulkWrites(
    tx: TxCtx,
    model: Model,
    object: ObjectModel,
    action: 'create' | 'update',
    writes: { old: Row | null; row: Row }[],
    batch: string,
  ): Promise<void> {
    await this.afterWrites(tx, model, object, action, writes, batch, false, false);
  }

  /** Outbox handler of a saved record: the registered listeners (workflow triggers). */
  private async handleSaved(ctx: TxCtx, event: AfterSavePayload): Promise<void> {
    for (const { listener } of this.savedListeners) await listener(ctx, event);
  }

  private async output(
    tx: Ctx,
    model: Model,
    object: ObjectModel,
    qa: QueryAccess,
    row: Row,
    columns: string[],
    bare = false,
  ): Promise<RecordData> {
    const record = toRecord(row, columns);
    if (!bare) await this.attachChildren(tx, model, object, qa, [record]);
    return record;
  }

  /** Line items of records, as arrays under their field (readable children only, in creation order). */
  private async attachChildren(ctx: Ctx, model: Model, object: ObjectModel, qa: QueryAccess, records: RecordData[]) {
    for (const c of object.children) {
      if (qa.access.fields[c.name] === 'none') continue;
      const child = model.object(c.object);
      const childAccess = qa.related.get(child.name);
      if (!childAccess?.can.read) continue;
      const columns = readableColumns(child, childAccess);
      const where = compileFilter(model, child, null, { ...qa, access: childAccess }, 'read');
      const rows = await ctx.db
        .withSchema(ctx.schema)
        .from(child.table)
        .select(columns.map((col) => `${child.table}.${col}`))
        .whereIn(
          `${child.table}.${child.field(c.field).column}`,
          records.map((r) => r.id as string),
        )
        .where(where)
        .orderBy([`${child.table}.created_at`, `${child.table}.id`]);
      for (const r of records)
        r[c.name] = rows.filter((x: Row) => x[c.field] === r.id).map((x: Row) => toRecord(x, columns));
    }
  }
}

const IN_PARENT = Symbol('records.inParent');
/** Chained roll-ups (a roll-up of a roll-up) follow at most this many levels; cycles stop here. */
const MAX_ROLLUP_DEPTH = 4;

function actor(ctx: Ctx): string | null {
  return ctx.user.id === SYSTEM_USER_ID ? null : ctx.user.id;
}

function assertOverride(ctx: Ctx, override: boolean | undefined): boolean {
  if (override && !ctx.isAdmin) throw forbidden('Only tenant admins may override the approval lock');
  return override === true;
}

/**
 * Field security, then the metadata validator of the operation; line items are split off for
 * their own saves. Fields the user may not read do not exist for them: writing one answers as for
 * an unknown field (400). Fields they may read but not edit answer 403; invalid values 400.
 */
export function checkPayload(
  object: ObjectModel,
  access: ObjectAccess,
  body: Record<string, unknown>,
  op: 'create' | 'update',
): { values: Record<string, unknown>; children: Record<string, unknown[]> } {
  const denied = forbiddenWrites(object, access, body);
  if (Object.keys(denied).length) throw forbidden('You may not edit some of these fields', denied);
  const { known, unknown } = withoutHiddenFields(access, body);
  const checked = object.validators[op](known);
  const message = op === 'create' ? 'The record is not valid' : 'The changes are not valid';
  const unknownCodes: FieldErrorCodes = Object.fromEntries(
    Object.keys(unknown).map((k) => [k, { code: 'unknown_field' as const }]),
  );
  if (!checked.ok)
    throw validationFailed(message, { ...unknown, ...checked.errors }, undefined, {
      ...unknownCodes,
      ...checked.codes,
    });
  if (Object.keys(unknown).length) throw validationFailed(message, unknown, undefined, unknownCodes);
  const values = checked.value;
  const children: Record<string, unknown[]> = {};
  for (const c of object.children) {
    if (values[c.name] !== undefined) children[c.name] = (values[c.name] as unknown[] | null) ?? [];
    delete values[c.name];
  }
  return { values, children };
}

/** Lookups naming records the user may not link to (missing or unreadable alike): 400 on those fields. */
function assertLookups(lookups: LookupErrors, values: Record<string, unknown>, message: string): void {
  const errors = lookups(values);
  if (Object.keys(errors).length)
    throw invalidFields(
      message,
      Object.fromEntries(Object.keys(errors).map((k) => [k, { code: 'no_such_record' as const }])),
      errors,
    );
}

function asObject(payload: unknown): Record<string, unknown> {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    throw badRequest('The body must be a JSON object');
  return payload as Record<string, unknown>;
}

/** `version` from If-Match or the body (the body's is a concurrency token, not a field). */
function expectedVersion(header: number | undefined, body: Record<string, unknown>): number | undefined {
  let version = header;
  if ('version' in body) {
    const v = body.version;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1)
      throw validationFailed('The changes are not valid', { version: 'Must be the positive integer version you read' });
    if (version !== undefined && version !== v) throw badRequest('If-Match and body version disagree');
    version = v;
    delete body.version;
  }
  return version;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function assertId(id: string): void {
  // A malformed id cannot name any record: 404 like any other unknown id.
  if (!UUID.test(id)) throw notFound('No record with this id');
}

/**
 * Turns a row of values (in `columns` order) into a record. Every record of a plan starts as a copy
 * of one template with all its keys, as pg builds its own rows: one object shape for the whole page,
 * no key added one by one.
 */
function recordMaker(columns: readonly string[]): (values: readonly unknown[]) => RecordData {
  const template: RecordData = {};
  for (const c of columns) template[c] = null;
  return (values) => {
    const out = { ...template };
    for (let i = 0; i < columns.length; i += 1) out[columns[i] as string] = values[i];
    return out;
  };
}

/** A page statement compiled once, and how a cursor's values go into it. */
interface PageSql {
  statement: Statement;
  bind(after: (string | null)[] | undefined): readonly unknown[];
}

/** A read-by-id statement compiled once: the id goes into its slots. */
interface OneSql {
  statement: Statement;
  bind(id: string): readonly unknown[];
}

/**
 * Stand-ins for values that change per request (a cursor's values, an id): the statement is built
 * with them once and they mark the slots of its values that each request fills. NUL cannot occur in
 * a PostgreSQL text value, so no real value is ever mistaken for one.
 */
const slot = (i: number) => `\u0000forma-slot-${i}\u0000`;

function slotsOf(values: readonly unknown[]): Map<number, number> {
  const slots = new Map<number, number>();
  values.forEach((v, at) => {
    const m = typeof v === 'string' ? /^\u0000forma-slot-(\d+)\u0000$/.exec(v) : null;
    if (m) slots.set(at, Number(m[1]));
  });
  return slots;
}

function fill(values: readonly unknown[], slots: Map<number, number>, given: readonly unknown[]): unknown[] {
  const out = [...values];
  for (const [at, i] of slots) out[at] = given[i];
  return out;
}

function pageSql(
  ctx: Ctx,
  object: ObjectModel,
  q: Omit<PageQuery, 'after'>,
  after: (string | null)[] | undefined,
): PageSql {
  const stand = after?.map((v, i) => (v === null ? null : slot(i)));
  const native = selectPage(ctx.db, ctx.schema, object, { ...q, ...(stand ? { after: stand } : {}) })
    .toSQL()
    .toNative();
  const slots = slotsOf(native.bindings);
  return {
    statement: statement(native.sql, native.bindings),
    bind: (given) => (slots.size && given ? fill(native.bindings, slots, given) : native.bindings),
  };
}

function oneSql(
  ctx: Ctx,
  model: Model,
  object: ObjectModel,
  qa: QueryAccess,
  columns: readonly string[],
  deleted: boolean,
): OneSql {
  const readable = [compileFilter(model, object, null, qa, 'read', { deleted })];
  const native = selectOne(ctx.db, ctx.schema, object, slot(0), columns, readable).toSQL().toNative();
  const slots = slotsOf(native.bindings);
  return { statement: statement(native.sql, native.bindings), bind: (id) => fill(native.bindings, slots, [id]) };
}

/** The plan key of a list: the reader and every option but the cursor's values. */
function listKey(ctx: Ctx, object: string, opts: ListOptions): string {
  const filter = typeof opts.filter === 'string' ? opts.filter : JSON.stringify(opts.filter ?? null);
  return JSON.stringify([
    'list',
    readerKey(ctx),
    object,
    filter,
    opts.sort ?? null,
    opts.limit ?? null,
    opts.q ?? null,
    opts.fields ?? null,
    opts.expand ?? null,
    Boolean(opts.deleted),
  ]);
}

function getKey(ctx: Ctx, object: string, opts: { fields?: string; expand?: string; deleted?: boolean }): string {
  return JSON.stringify([
    'get',
    readerKey(ctx),
    object,
    opts.fields ?? null,
    opts.expand ?? null,
    Boolean(opts.deleted),
  ]);
}

function parseLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    throw badRequest(`limit must be an integer from 1 to ${MAX_LIMIT}`);
  return limit;
}

function columnsOnly(object: ObjectModel, values: Record<string, unknown>): Row {
  const row: Row = {};
  for (const [k, v] of Object.entries(values)) {
    const f = object.fields.get(k);
    if (f?.column && !f.system) row[f.column] = v;
  }
  return row;
}

/** `q`: every word must appear (case-insensitive) in one of the readable text fields. */
function searchFilter(object: ObjectModel, access: ObjectAccess, q: string | undefined) {
  if (q === undefined || !q.trim()) return undefined;
  if (q.length > MAX_Q) throw badRequest(`q: at most ${MAX_Q} characters`);
  const columns = searchableFields(object)
    .filter((f) => access.fields[f.name] !== 'none')
    .map((f) => `${object.table}.${f.column}`);
  const words = q.trim().split(/\s+/).slice(0, 10);
  return (qb: import('knex').Knex.QueryBuilder) => {
    if (!columns.length) {
      qb.whereRaw('false');
      return;
    }
    for (const w of words) {
      const pattern = `%${escapeLike(w)}%`;
      qb.where((b) => {
        for (const c of columns) b.orWhereRaw(`?? ilike ? escape '\\'`, [c, pattern]);
      });
    }
  };
}

function isRowError(e: unknown): boolean {
  const code = (e as { code?: string })?.code;
  return code === 'VALIDATION_FAILED' || code === 'CONFLICT' || code === 'FORBIDDEN' || code === 'BAD_REQUEST';
}

/** The same error, saying which row of a batch it is about. */
function atRow(e: AppError, row: number): AppError {
  return new AppError(e.code, `Row ${row}: ${e.message}`, {
    ...(e.fields ? { fields: e.fields } : {}),
    ...(e.fieldCodes ? { fieldCodes: e.fieldCodes } : {}),
    details: { ...e.details, row },
  });
}

function rowErrors(e: unknown): FieldErrors {
  const err = e as { fields?: FieldErrors; message?: string };
  return err.fields ?? { _: err.message ?? 'Invalid' };
}

/** Event payloads go through JSON (dates become ISO strings). */
function jsonSafe(e: AfterSavePayload): Record<string, unknown> {
  return JSON.parse(JSON.stringify(e));
}

/**
 * A row the caller locked, as the records engine's own read would answer it (the object's columns
 * only: `select *` may carry more); undefined when it is not that record or lacks a column.
 */
function lockedRow(object: ObjectModel, id: string, row: Row): Row | undefined {
  if (row.id !== id || row.deleted_at != null) return undefined;
  const out: Row = {};
  for (const c of object.columns) {
    if (!(c in row)) return undefined;
    out[c] = row[c];
  }
  return out;
}

/** The read plans' key of a reader's access to an object (`prepare`). */
function accessKey(ctx: Ctx, objectName: string, mustRead: boolean): string {
  return `access\0${readerKey(ctx)}\0${objectName}\0${mustRead}`;
}
