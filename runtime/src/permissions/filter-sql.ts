import type { Knex } from 'knex';
import { badRequest } from '../errors';
import type { Model, ObjectModel } from '../model/load-model';
import { columnOf, SYSTEM_TABLE, tableOf } from '../model/naming';
import type { Filter } from './object-access';
import { inTeamOfQuery, sharedWithQuery } from './scope-sql';

export interface FilterSqlScope {
  db: Knex | Knex.Transaction;
  schema: string;
  model: Model;
  object: string;
}

/** Applies `filter` to a query (used as `q.where((w) => whereFilter(w, scope, filter))`). */
export type FilterCompiler = (qb: Knex.QueryBuilder, scope: FilterSqlScope, filter: Filter) => void;

const USER_FIELDS = new Set(['id', 'name', 'email']);
const COMPARE: Record<string, string> = { eq: '=', gt: '>', gte: '>=', lt: '<', lte: '<=' };

function likeEscape(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Compiles the records filter language, plus the internal `$inTeamOf` / `$sharedWith` operators,
 * into a knex WHERE: role scopes and sharing rules evaluated by the database (the explainer, share
 * checks). Identifiers are resolved through the model and bound by knex, values are bindings. The
 * records engine compiles user filters with its own compiler; both must agree on these semantics.
 */
export const whereFilter: FilterCompiler = (qb, scope, filter) => {
  compile(qb, scope, scope.model.object(scope.object), filter, 0);
};

function compile(qb: Knex.QueryBuilder, scope: FilterSqlScope, obj: ObjectModel, filter: unknown, depth: number) {
  if (depth > 20) throw badRequest('Filter nested too deeply');
  if (!filter || typeof filter !== 'object' || Array.isArray(filter)) throw badRequest('A filter must be an object');
  for (const [key, value] of Object.entries(filter)) {
    if (key === 'and' || key === 'or') {
      if (!Array.isArray(value)) throw badRequest(`"${key}" takes a list of filters`);
      if (value.length === 0) {
        if (key === 'or') qb.whereRaw('false');
        continue;
      }
      qb.where((group) => {
        for (const sub of value) {
          if (key === 'and') group.where((w) => compile(w, scope, obj, sub, depth + 1));
          else group.orWhere((w) => compile(w, scope, obj, sub, depth + 1));
        }
      });
      continue;
    }
    if (!value || typeof value !== 'object' || Array.isArray(value))
      throw badRequest(`Conditions on "${key}" must be an object of operators`);
    const [head, tail, ...rest] = key.split('.');
    if (rest.length) throw badRequest(`Unknown field "${key}"`);
    const field = obj.fields.get(head ?? '');
    if (!field?.column) throw badRequest(`Unknown field "${key}"`);
    const column = `${obj.table}.${columnOf(field.column)}`;
    if (tail === undefined) {
      for (const [op, operand] of Object.entries(value)) condition(qb, scope, obj, column, op, operand);
      continue;
    }
    // A lookup's field: `account.name` → account in (select id from account where name …).
    if (!field.ref) throw badRequest(`Unknown field "${key}"`);
    if (field.ref === 'user') {
      if (!USER_FIELDS.has(tail)) throw badRequest(`Unknown field "${key}"`);
      const sub = scope.db.withSchema(scope.schema).from(SYSTEM_TABLE.users).select('id');
      for (const [op, operand] of Object.entries(value))
        condition(sub, scope, obj, `${SYSTEM_TABLE.users}.${tail}`, op, operand);
      qb.whereIn(column, sub);
      continue;
    }
    const target = scope.model.object(field.ref);
    const targetField = target.fields.get(tail);
    if (!targetField?.column) throw badRequest(`Unknown field "${key}"`);
    const sub = scope.db.withSchema(scope.schema).from(tableOf(target.table)).select('id');
    for (const [op, operand] of Object.entries(value))
      condition(sub, scope, target, `${target.table}.${columnOf(targetField.column)}`, op, operand);
    qb.whereIn(column, sub);
  }
}

function condition(
  qb: Knex.QueryBuilder,
  scope: FilterSqlScope,
  obj: ObjectModel,
  column: string,
  op: string,
  operand: unknown,
) {
  const scalar = (v: unknown) => {
    if (v !== null && !['string', 'number', 'boolean'].includes(typeof v)) throw badRequest(`Invalid value for ${op}`);
    return v as string | number | boolean | null;
  };
  const list = (v: unknown) => {
    if (!Array.isArray(v)) throw badRequest(`${op} takes a list`);
    return v.map(scalar).filter((x) => x !== null) as Array<string | number | boolean>;
  };
  switch (op) {
    case 'eq':
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const v = scalar(operand);
      if (v === null) {
        if (op === 'eq') qb.whereNull(column);
        else qb.whereRaw('false');
      } else qb.where(column, COMPARE[op] as string, v);
      return;
    }
    case 'ne': {
      const v = scalar(operand);
      if (v === null) qb.whereNotNull(column);
      else qb.whereRaw('?? is distinct from ?', [column, v]);
      return;
    }
    case 'in':
      qb.whereIn(column, list(operand));
      return;
    case 'nin': {
      const values = list(operand);
      qb.where((w) => {
        w.whereNotIn(column, values).orWhereNull(column);
      });
      return;
    }
    case 'contains': {
      const v = scalar(operand);
      if (typeof v !== 'string') throw badRequest('contains takes a string');
      if (obj.fields.get(column.split('.')[1] ?? '')?.resultKind === 'multiselect')
        qb.whereRaw('?? @> array[?]::text[]', [column, v]);
      else qb.whereRaw("?? ilike ? escape '\\'", [column, `%${likeEscape(v)}%`]);
      return;
    }
    case 'startsWith': {
      const v = scalar(operand);
      if (typeof v !== 'string') throw badRequest('startsWith takes a string');
      qb.whereRaw("?? ilike ? escape '\\'", [column, `${likeEscape(v)}%`]);
      return;
    }
    case 'isNull':
      if (operand === true) qb.whereNull(column);
      else if (operand === false) qb.whereNotNull(column);
      else throw badRequest('isNull takes true or false');
      return;
    case '$inTeamOf':
      qb.whereIn(column, inTeamOfQuery(scope.db, scope.schema, operand));
      return;
    case '$sharedWith':
      qb.whereIn(column, sharedWithQuery(scope.db, scope.schema, obj.name, operand));
      return;
    default:
      throw badRequest(`Unknown operator "${op}"`);
  }
}
