import type { Knex } from 'knex';
import type { Ctx } from '../ctx';
import { notFound } from '../errors';
import type { Model } from '../model/load-model';
import { isIdentifier, SYSTEM_TABLE, tableOf } from '../model/naming';
import { compileFilter } from '../records/compile-query';
import type { FieldAccess, Filter, ObjectAccess } from './object-access';
import type { QueryAccess } from './query-access';
import type { ObjectGrants, ScopeLevel } from './resolve-grants';
import { scopeFilter, type ScopeUser } from './row-predicate';

export type AccessReason =
  | { kind: 'admin' }
  | { kind: 'scope'; scope: Exclude<ScopeLevel, 'none'>; roles: string[] }
  | { kind: 'sharingRule'; role: string; index: number; label?: string; access: 'read' | 'edit' }
  | { kind: 'manualShare'; share: string; user: string | null; role: string | null; level: 'read' | 'edit' };

export type OperationVerdict = {
  allowed: boolean;
  /** Every grant that lets the user do it on this record (empty when denied). */
  reasons: AccessReason[];
  /** Why not, when denied. */
  denial?: string;
};

export type AccessExplanation = {
  object: string;
  record: string;
  user: { id: string; name: string; roles: string[]; active: boolean };
  owner: string | null;
  read: OperationVerdict;
  update: OperationVerdict;
  delete: OperationVerdict;
  /** Restricted fields only (absent: edit). */
  fields: Record<string, FieldAccess>;
};

interface Candidate {
  key: string;
  filter: Filter | null;
  reason: AccessReason;
  /** The user's complete row filter of this operation (the verdicts), instead of `filter` alone. */
  op?: 'read' | 'update' | 'delete';
}

/**
 * Answers why `user` can or cannot read, update or delete one record. Each grant that could apply
 * (role scope, sharing rule, manual share) is tested against the record by the database, compiled
 * by the records engine's own compiler with the user's access to the objects a filter reaches, in one
 * `UNION ALL` query; the verdicts come from the user's full row filters, so the explanation never
 * disagrees with enforcement.
 */
export async function explainAccess(
  ctx: Ctx,
  model: Model,
  input: { object: string; recordId: string; user: ScopeUser; grants: ObjectGrants; qa: QueryAccess },
): Promise<Omit<AccessExplanation, 'user'>> {
  const { object, recordId, user, grants, qa } = input;
  const access = qa.access;
  const obj = model.object(object);
  const db = ctx.db;
  const row = (await db
    .withSchema(ctx.schema)
    .from(tableOf(obj.table))
    .where('id', recordId)
    .whereNull('deleted_at')
    .first('owner')) as { owner: string | null } | undefined;
  if (!row) throw notFound('Record not found');

  const shares = (await db
    .withSchema(ctx.schema)
    .from(SYSTEM_TABLE.recordShares)
    .where({ object, record_id: recordId })
    .andWhere((q) => {
      q.where('user_id', user.id);
      const roles = user.roles.filter(isIdentifier);
      if (roles.length) q.orWhereIn('role', roles);
    })
    .select('id', 'user_id', 'role', 'level')) as Array<{
    id: string;
    user_id: string | null;
    role: string | null;
    level: 'read' | 'edit';
  }>;

  const candidates: Candidate[] = [];
  const ops = ['read', 'update', 'delete'] as const;
  for (const op of ops) {
    candidates.push({ key: `verdict:${op}`, filter: access.rowFilter[op], reason: { kind: 'admin' }, op });
    const level = grants.scopes[op];
    if (level !== 'none')
      candidates.push({
        key: `${op}:scope`,
        filter: scopeFilter(level, user, object),
        reason: { kind: 'scope', scope: level, roles: grants.scopeRoles[op] },
      });
  }
  grants.sharing.forEach((rule, i) => {
    candidates.push({
      key: `rule:${i}`,
      filter: rule.filter,
      reason: {
        kind: 'sharingRule',
        role: rule.role,
        index: rule.index,
        ...(rule.label ? { label: rule.label } : {}),
        access: rule.access,
      },
    });
  });

  const matched = await matching(db, ctx.schema, model, object, recordId, candidates, qa);
  const verdict = (op: (typeof ops)[number]): OperationVerdict => {
    if (grants.admin) return { allowed: true, reasons: [{ kind: 'admin' }] };
    const allowed = access.can[op] && matched.has(`verdict:${op}`);
    const reasons: AccessReason[] = [];
    const scope = candidates.find((c) => c.key === `${op}:scope`);
    if (scope && matched.has(scope.key)) reasons.push(scope.reason);
    if (op !== 'delete') {
      grants.sharing.forEach((rule, i) => {
        if ((op === 'read' || rule.access === 'edit') && matched.has(`rule:${i}`))
          reasons.push((candidates.find((c) => c.key === `rule:${i}`) as Candidate).reason);
      });
      if (access.can[op])
        for (const s of shares)
          if (op === 'read' || s.level === 'edit')
            reasons.push({ kind: 'manualShare', share: s.id, user: s.user_id, role: s.role, level: s.level });
    }
    if (allowed) return { allowed, reasons };
    return { allowed, reasons: [], denial: denial(op, grants, access) };
  };
  return {
    object,
    record: recordId,
    owner: row.owner,
    read: verdict('read'),
    update: verdict('update'),
    delete: verdict('delete'),
    fields: { ...access.fields },
  };
}

function denial(op: 'read' | 'update' | 'delete', grants: ObjectGrants, access: ObjectAccess): string {
  if (!access.can[op]) return `No role of the user grants ${op} on ${grants.object}`;
  const level = grants.scopes[op];
  const scope = level === 'none' ? 'no scope' : `scope "${level}"`;
  return `The record is outside the user's ${op} ${scope}, matches none of their sharing rules and is not shared with them`;
}

/** Keys of the candidates whose filter matches the record: one query, one branch per candidate. */
async function matching(
  db: Knex | Knex.Transaction,
  schema: string,
  model: Model,
  object: string,
  recordId: string,
  candidates: Candidate[],
  qa: QueryAccess,
): Promise<Set<string>> {
  const obj = model.object(object);
  const table = obj.table;
  const branch = (c: Candidate) => {
    // A grant's filter is compiled as the row scope of a read, with the user's access to the
    // objects its dotted paths reach; a verdict uses the user's own filter of the operation.
    const where = c.op
      ? compileFilter(model, obj, null, qa, c.op, { deleted: 'any' })
      : compileFilter(
          model,
          obj,
          null,
          {
            ...qa,
            access: {
              ...qa.access,
              can: { ...qa.access.can, read: true },
              rowFilter: { ...qa.access.rowFilter, read: c.filter },
            },
          },
          'read',
          { deleted: 'any' },
        );
    return db
      .withSchema(schema)
      .from(table)
      .select(db.raw('? as k', [c.key]))
      .where(`${table}.id`, recordId)
      .where(where);
  };
  const [first, ...rest] = candidates;
  if (!first) return new Set();
  const query = branch(first);
  for (const c of rest) query.unionAll(branch(c), true);
  const rows = (await query) as Array<{ k: string }>;
  return new Set(rows.map((r) => r.k));
}
