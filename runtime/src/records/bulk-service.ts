/**
 * Bulk actions on a list selection (update a field, hand records to another owner, delete): every
 * record goes through the records engine's ordinary `update`/`delete` — permissions, validation,
 * approval lock, hooks, save scripts, audit, automations — one unit of work per record, so one
 * refusal never undoes the others. Each call is a bounded synchronous batch (at most `MAX_BULK_IDS`
 * ids, or `MAX_BULK_PAGE` records of a filter followed by a cursor): the client calls again with
 * `next` and shows progress between calls, so no request holds the event loop or the pool for long
 * and no job queue is needed (docs/records.md, "Bulk actions").
 *
 * A record the caller cannot read is refused as "not found" without its label, exactly like a
 * missing id: the report never says more than `GET …/:id` would.
 */
import { randomUUID } from 'node:crypto';
import { type ChangeCause, changeCause } from '../change-cause';
import type { Ctx } from '../ctx';
import { badRequest, type FieldErrors, isAppError, validationFailed } from '../errors';
import type { FieldErrorCodes } from '../field-error-codes';
import type { MetaService } from '../meta/meta-service';
import type { RecordService } from './record-service';

export const MAX_BULK_IDS = 200;
export const MAX_BULK_PAGE = 200;
export const DEFAULT_BULK_PAGE = 100;
const MAX_CHANGED_FIELDS = 50;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type BulkAction = 'update' | 'delete';

/** One id, optionally at the version the client saw (a different current version is refused). */
export type BulkTarget = string | { id: string; version?: number };

export interface BulkRequest {
  action: BulkAction;
  /** `update`: field → value; `owner` hands the records to another active user. */
  changes?: Record<string, unknown>;
  /** The selection: at most MAX_BULK_IDS ids… */
  ids?: readonly BulkTarget[];
  /** …or every record of a filter (the records filter language), a page per call. */
  filter?: unknown;
  /** The `next` of the previous call (filter mode). */
  cursor?: string;
  /** Records per call in filter mode (default 100, at most 200). */
  limit?: number;
}

export interface BulkRefusal {
  id: string;
  /** The record's label field, or null when the caller may not read the record. */
  label: string | null;
  code: string;
  reason: string;
  fields?: FieldErrors;
  /** `{code, params}` of (some of) `fields`, so clients can say them in their user's language. */
  fieldErrors?: FieldErrorCodes;
}

export interface BulkReport {
  /** Ids changed (or deleted) by this call. */
  done: string[];
  refused: BulkRefusal[];
  /** Filter mode: pass as `cursor` to process the next page; null when this was the last. */
  next: string | null;
  /** Filter mode, first call: how many records the filter matches for the caller. */
  total?: number;
  /** One id for every call of the same bulk action, in the audit entries' cause (`ref.bulk`). */
  bulk: string;
}

export interface BulkDeps {
  meta: Pick<MetaService, 'model'>;
  records: RecordService;
}

export class BulkService {
  constructor(private readonly deps: BulkDeps) {}

  async run(ctx: Ctx, objectName: string, req: BulkRequest & { bulk?: string }): Promise<BulkReport> {
    const model = await this.deps.meta.model(ctx);
    const object = model.object(objectName);
    if (req.action !== 'update' && req.action !== 'delete') throw badRequest('action must be "update" or "delete"');
    const changes = req.action === 'update' ? checkChanges(req.changes, (f) => isWritableName(object, f)) : undefined;
    if ((req.ids === undefined) === (req.filter === undefined))
      throw badRequest('Give either "ids" (a selection) or "filter" (every matching record)');
    const bulk = req.bulk && UUID.test(req.bulk) ? req.bulk : randomUUID();
    const labelField = object.labelField;
    const fields = labelField === 'id' ? 'id' : `id,${labelField}`;

    // Which targets exist for this caller, with their labels: read as the caller, so nothing leaks.
    let targets: { id: string; version?: number }[];
    let readable: Map<string, string | null>;
    let next: string | null = null;
    let total: number | undefined;
    if (req.ids !== undefined) {
      targets = checkIds(req.ids);
      // Asked even for an empty selection: an object the caller may not read answers 404 either way.
      const page = await this.deps.records.list(ctx, object.name, {
        filter: targets.length ? { id: { in: targets.map((t) => t.id) } } : { id: { isNull: true } },
        fields,
        limit: MAX_BULK_IDS,
      });
      readable = new Map(page.items.map((r) => [r.id as string, labelOf(r[labelField])]));
    } else {
      const limit = req.limit === undefined ? DEFAULT_BULK_PAGE : req.limit;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_BULK_PAGE)
        throw badRequest(`limit must be 1 to ${MAX_BULK_PAGE}`);
      // Keyset over id: records changed by this call never move the next page (a stage change that
      // takes a record out of the filter cannot make the next call skip or repeat one).
      const page = await this.deps.records.list(ctx, object.name, {
        filter: req.filter,
        sort: 'id',
        fields,
        limit,
        ...(req.cursor ? { cursor: req.cursor } : { count: true }),
      });
      targets = page.items.map((r) => ({ id: r.id as string }));
      readable = new Map(page.items.map((r) => [r.id as string, labelOf(r[labelField])]));
      next = page.nextCursor;
      total = page.total;
    }

    const cause: ChangeCause = changeCause(
      'bulk',
      `bulk ${req.action === 'delete' ? 'delete' : `update of ${Object.keys(changes!).join(', ')}`} by ${ctx.user.name}`,
      { bulk },
    );
    const acting: Ctx = { ...ctx, cause };
    const done: string[] = [];
    const refused: BulkRefusal[] = [];
    for (const t of targets) {
      if (!readable.has(t.id)) {
        refused.push({ id: t.id, label: null, code: 'NOT_FOUND', reason: `No ${object.name} with this id` });
        continue;
      }
      const opts = t.version === undefined ? {} : { version: t.version };
      try {
        if (req.action === 'delete') await this.deps.records.delete(acting, object.name, t.id, opts);
        else await this.deps.records.update(acting, object.name, t.id, { ...changes }, opts);
        done.push(t.id);
      } catch (e) {
        // A refusal of one record is reported with it; a fault of the server stops the batch.
        if (!isAppError(e) || e.status >= 500) throw e;
        refused.push({
          id: t.id,
          label: readable.get(t.id) ?? null,
          code: e.code,
          reason: e.message,
          ...(e.fields ? { fields: e.fields } : {}),
          ...(e.fieldCodes ? { fieldErrors: e.fieldCodes } : {}),
        });
      }
    }
    return { done, refused, next, ...(total !== undefined ? { total } : {}), bulk };
  }
}

function labelOf(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

function isWritableName(
  object: { fields: ReadonlyMap<string, unknown>; customFields: readonly { name: string }[] },
  f: string,
) {
  return f === 'owner' || object.customFields.some((c) => c.name === f);
}

/** The changes of a bulk update: a small object of known fields (checked once, not per record). */
function checkChanges(changes: unknown, known: (field: string) => boolean): Record<string, unknown> {
  if (!changes || typeof changes !== 'object' || Array.isArray(changes))
    throw badRequest('changes must be an object of field values');
  const keys = Object.keys(changes);
  if (!keys.length) throw badRequest('changes must name at least one field');
  if (keys.length > MAX_CHANGED_FIELDS) throw badRequest(`changes may name at most ${MAX_CHANGED_FIELDS} fields`);
  const unknown: FieldErrors = {};
  for (const k of keys) if (!known(k)) unknown[k.slice(0, 100)] = 'Unknown field';
  if (Object.keys(unknown).length) throw validationFailed('The changes name unknown fields', unknown);
  return changes as Record<string, unknown>;
}

function checkIds(ids: readonly BulkTarget[]): { id: string; version?: number }[] {
  if (!Array.isArray(ids)) throw badRequest('ids must be an array');
  if (ids.length > MAX_BULK_IDS)
    throw badRequest(`At most ${MAX_BULK_IDS} ids per call: send the rest in the next one`);
  const seen = new Set<string>();
  const out: { id: string; version?: number }[] = [];
  for (const t of ids) {
    const id = typeof t === 'string' ? t : t?.id;
    const version = typeof t === 'object' && t ? t.version : undefined;
    if (typeof id !== 'string' || !UUID.test(id)) throw badRequest('ids must be record ids (uuid)');
    if (version !== undefined && !(Number.isInteger(version) && version >= 0))
      throw badRequest('version must be a whole number');
    const key = id.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ id: key, ...(version !== undefined ? { version } : {}) });
  }
  return out;
}
