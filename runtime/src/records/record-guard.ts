/**
 * "This record, as this user": the one way a service gets a record by id. The record must exist,
 * be live (or in the recycle bin, when asked) and lie inside the user's read scope — otherwise 404,
 * the same answer as for an id that never existed, so existence does not leak. An operation on top
 * (`update`, `delete`) must also be granted on the object and on this row: 403, since the user can
 * see the record. Records engine, files, shares, approvals, documents and plugins all ask here.
 */
import type { Knex } from 'knex';
import type { Ctx } from '../ctx';
import { forbidden, notFound } from '../errors';
import type { Model, ObjectModel } from '../model/load-model';
import type { PermissionEngine } from '../permissions/object-access';
import { type QueryAccess, queryAccessFor } from '../permissions/query-access';
import { compileFilter } from './compile-query';
import { selectOne } from './read-sql';
import type { Row } from './write-sql';

export interface GuardOptions {
  /** Besides reading: the operation the caller is about to do (its scope must hold the row). */
  op?: 'update' | 'delete';
  /** Live records (default), the recycle bin (`true`) or either (`'any'`). */
  deleted?: boolean | 'any';
  /** Lock the row for the rest of the transaction (`FOR UPDATE`). */
  lock?: boolean;
  /** Columns to read (default: every column; filter them before answering). */
  columns?: readonly string[];
  /**
   * More expressions read with the row in the same statement, by name (`__…`: never a field name),
   * answered on the returned row (e.g. the approval engine's pending instance of the record).
   */
  also?: Readonly<Record<string, Knex.Raw>>;
}

// Answer column of the operation's scope check (not a field name: fields start with a letter).
const IN_OP_SCOPE = '__in_op_scope';

export interface GuardedRecord {
  model: Model;
  object: ObjectModel;
  qa: QueryAccess;
  /** The stored row, every column: callers answer with the readable ones only. */
  row: Row;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `id` can name a record at all (a malformed one is a 404 like any other unknown id). */
export function isRecordId(id: unknown): id is string {
  return typeof id === 'string' && UUID.test(id);
}

/** The record as `ctx.user` may reach it, with the access the caller already built for the query. */
export async function guardRecord(
  ctx: Ctx,
  model: Model,
  object: ObjectModel,
  qa: QueryAccess,
  id: string,
  opts: GuardOptions = {},
): Promise<Row> {
  // A malformed id cannot name any record: 404 like any other unknown id.
  if (!isRecordId(id)) throw notFound(`No ${object.name} with this id`);
  const deleted = opts.deleted ?? false;
  const readable = [compileFilter(model, object, null, qa, 'read', { deleted })];
  const op = opts.op;
  // The operation's row scope is answered by the same statement (a correlated `select true where
  // <scope>` beside the columns), not by a second one: still 404 outside the read scope first,
  // then 403 outside the operation's.
  const scoped = op && qa.access.can[op] && qa.access.rowFilter[op];
  let also = opts.also;
  if (scoped) {
    const inScope = compileFilter(model, object, null, qa, op, { deleted });
    also = {
      ...also,
      [IN_OP_SCOPE]: ctx.db.raw('?', [ctx.db.queryBuilder().select(ctx.db.raw('true')).where(inScope)]),
    };
  }
  const columns = opts.columns ?? object.columns;
  const row = await selectOne(ctx.db, ctx.schema, object, id, columns, readable, opts.lock, also);
  if (!row) throw notFound(`No ${object.name} with this id`);
  if (op) {
    if (!qa.access.can[op]) throw forbidden(`You may not ${op} ${object.name} records`);
    if (scoped) {
      const inside = row[IN_OP_SCOPE] === true;
      delete row[IN_OP_SCOPE];
      if (!inside) throw forbidden(`You may not ${op} this record`);
    }
  }
  return row;
}

/** `guardRecord` for a caller that starts from names: the model's object and the user's access. */
export async function resolveRecord(
  ctx: Ctx,
  model: Model,
  engine: PermissionEngine,
  objectName: string,
  id: string,
  opts: GuardOptions = {},
): Promise<GuardedRecord> {
  const object = model.object(objectName);
  const qa = await queryAccessFor(ctx, model, object, engine);
  const row = await guardRecord(ctx, model, object, qa, id, opts);
  return { model, object, qa, row };
}
