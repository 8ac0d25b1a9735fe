/**
 * Finds existing records that match new ones under the object's duplicate rules, in one query per
 * rule for any number of new records: `(norm(a), norm(b)) in (select * from unnest(?, ?))`, within
 * the reader's read scope (a user is never told about records they cannot see).
 */
import type { Knex } from 'knex';
import type { Ctx } from '../ctx';
import { duplicateFound } from '../errors';
import type { FilterHook } from '../events/hook-bus';
import type { MetaService } from '../meta/meta-service';
import type { Model, ObjectModel } from '../model/load-model';
import type { PermissionEngine } from '../permissions/object-access';
import type { TxCtx } from '../tx/unit-of-work';
import { compileFilter, type QueryAccess } from './compile-query';
import { type DuplicateRule, duplicateKey, duplicateRules, keyString } from './duplicate-keys';
import type { BeforeCreatePayload } from './record-hooks';
import { queryAccessFor } from '../permissions/query-access';

export interface DuplicateCandidate {
  id: string;
  /** The candidate's label field (what a user recognises it by). */
  label: unknown;
}

export interface DuplicateMatch {
  rule: DuplicateRule;
  candidates: DuplicateCandidate[];
}

/** Candidates listed per rule and record; more are counted as matches but not listed. */
export const MAX_CANDIDATES = 5;
/** Column types a rule can compare as text (numbers would need their scale; arrays their order). */
const COMPARABLE = new Set(['text', 'varchar', 'uuid', 'date']);

const ALLOW = Symbol('records.allowDuplicates');

/** The same context, allowed to create likely duplicates (`?allowDuplicates=true`, imports). */
export function allowDuplicates<C extends Ctx>(ctx: C): C {
  return { ...ctx, [ALLOW]: true };
}

export function duplicatesAllowed(ctx: Ctx): boolean {
  return (ctx as unknown as Record<symbol, unknown>)[ALLOW] === true;
}

/**
 * SQL of the comparable form of a column; keep in step with `normalizeDuplicateValue`
 * (NFKC, trimmed, inner whitespace collapsed, lower case).
 */
function normalizedSql(column: string): { sql: string; bindings: string[] } {
  return { sql: "lower(regexp_replace(btrim(normalize(??::text, NFKC)), '\\s+', ' ', 'g'))", bindings: [column] };
}

export function comparableRules(object: ObjectModel): DuplicateRule[] {
  return duplicateRules(object).filter((rule) =>
    rule.every((f) => COMPARABLE.has(object.field(f).columnType?.base ?? '')),
  );
}

/**
 * For each record (same index), the rules it matches with their candidates; an empty list means
 * no likely duplicate. `exclude` leaves out given record ids (an update compares against others).
 */
export async function findDuplicateCandidates(
  db: Knex | Knex.Transaction,
  model: Model,
  object: ObjectModel,
  qa: QueryAccess,
  records: readonly Record<string, unknown>[],
): Promise<DuplicateMatch[][]> {
  const out: DuplicateMatch[][] = records.map(() => []);
  const t = object.table;
  const label = object.field(object.labelField).column ?? 'id';
  for (const rule of comparableRules(object)) {
    const wanted = new Map<string, number[]>();
    const columns: string[][] = rule.map(() => []);
    records.forEach((r, i) => {
      const key = duplicateKey(rule, r);
      if (!key) return;
      const k = keyString(rule, key);
      const list = wanted.get(k);
      if (list) list.push(i);
      else {
        wanted.set(k, [i]);
        key.forEach((v, j) => {
          columns[j]?.push(v);
        });
      }
    });
    if (!wanted.size) continue;
    const exprs = rule.map((f) => normalizedSql(`${t}.${object.field(f).column}`));
    const qb = db
      .withSchema(qa.schema)
      .from(t)
      .select(`${t}.id`, db.raw('?? as ??', [`${t}.${label}`, '__label']))
      .where(compileFilter(model, object, null, qa, 'read'))
      .whereRaw(
        `(${exprs.map((e) => e.sql).join(', ')}) in (select * from unnest(${rule.map(() => '?::text[]').join(', ')}))`,
        [...exprs.flatMap((e) => e.bindings), ...columns],
      );
    exprs.forEach((e, j) => {
      qb.select(db.raw(`${e.sql} as ??`, [...e.bindings, `__k${j}`]));
    });
    const rows: Record<string, unknown>[] = await qb.limit(wanted.size * MAX_CANDIDATES + 1000);
    const byKey = new Map<string, DuplicateCandidate[]>();
    for (const row of rows) {
      const k = keyString(
        rule,
        rule.map((_f, j) => String(row[`__k${j}`])),
      );
      const list = byKey.get(k) ?? [];
      if (list.length < MAX_CANDIDATES) list.push({ id: row.id as string, label: row.__label });
      byKey.set(k, list);
    }
    for (const [k, indexes] of wanted) {
      const candidates = byKey.get(k);
      if (!candidates?.length) continue;
      for (const i of indexes) out[i]?.push({ rule, candidates });
    }
  }
  return out;
}

export interface DuplicateServiceDeps {
  meta: Pick<MetaService, 'model'>;
  permissions: PermissionEngine;
}

export class DuplicateService {
  constructor(private readonly deps: DuplicateServiceDeps) {}

  /** Likely duplicates of one (new) record among the records the user may read. */
  async findDuplicates(ctx: Ctx, objectName: string, record: Record<string, unknown>): Promise<DuplicateMatch[]> {
    const model = await this.deps.meta.model(ctx);
    const object = model.object(objectName);
    const qa = await queryAccessFor(ctx, model, object, this.deps.permissions);
    const [matches] = await findDuplicateCandidates(ctx.db, model, object, qa, [record]);
    return matches ?? [];
  }

  /**
   * `record.beforeCreate` filter: refuses a likely duplicate with 409 DUPLICATE and the candidates,
   * unless the context allows duplicates. Objects without rules cost nothing.
   */
  readonly beforeCreate: FilterHook<BeforeCreatePayload> = async (ctx: TxCtx, payload) => {
    if (duplicatesAllowed(ctx)) return;
    const model = await this.deps.meta.model(ctx);
    const object = model.objects.get(payload.object);
    if (!object || !comparableRules(object).length) return;
    const matches = await this.findDuplicates(ctx, object.name, payload.record);
    if (matches.length) throw duplicateError(object, matches);
  };
}

export function duplicateError(object: ObjectModel, matches: DuplicateMatch[]) {
  const fields = [...new Set(matches.flatMap((m) => m.rule))];
  return duplicateFound(
    `This ${object.label.toLowerCase()} looks like an existing one (same ${fields.join(', ')}); add ?allowDuplicates=true to create it anyway`,
    { duplicates: matches },
  );
}
