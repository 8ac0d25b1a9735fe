import type { Knex } from 'knex';
import { SYSTEM_TABLE as T } from '../model/naming';
import type { RunOutcome } from './automation-types';

export interface RunKey {
  rule: string;
  record: string;
  /** `v<version>` for create/update rules (the record version that triggered it), the schedule period otherwise. */
  period: string;
}

export type RunView = {
  id: string;
  rule: string;
  object: string | null;
  record: string;
  trigger: string | null;
  period: string;
  outcome: string;
  error: string | null;
  actions: unknown[];
  depth: number;
  actor: string | null;
  at: string;
  finishedAt: string | null;
};

export interface RunQuery {
  rule?: string;
  record?: string;
  outcome?: RunOutcome;
  limit?: number;
}

/** `_automation_runs`: the idempotence key of each run, and its outcome for the runs API. */
export const runStore = {
  /**
   * Claims (rule, record, period): true when this caller inserted it. A concurrent claimer waits on the
   * unique key and then sees the conflict, so two processes never both act.
   */
  async claim(
    trx: Knex.Transaction,
    schema: string,
    key: RunKey,
    run: { object: string; trigger: string; depth: number; actor: string | null; at: Date },
  ): Promise<boolean> {
    const rows = await trx
      .withSchema(schema)
      .insert({
        rule: key.rule,
        record_id: key.record,
        period: key.period,
        object: run.object,
        trigger: run.trigger,
        depth: run.depth,
        actor: run.actor,
        at: run.at,
        outcome: 'running',
      })
      .into(T.automationRuns)
      .onConflict(['rule', 'record_id', 'period'])
      .ignore()
      .returning('id');
    return rows.length > 0;
  },

  async finish(
    db: Knex | Knex.Transaction,
    schema: string,
    key: RunKey,
    result: { outcome: RunOutcome; error?: string; actions: unknown[]; at: Date },
  ): Promise<void> {
    await db
      .withSchema(schema)
      .table(T.automationRuns)
      .where({ rule: key.rule, record_id: key.record, period: key.period })
      .update({
        outcome: result.outcome,
        error: result.error?.slice(0, 2000) ?? null,
        actions: JSON.stringify(result.actions),
        finished_at: result.at,
      });
  },

  /**
   * Marks a record version written by a rule: that rule is not triggered again by its own write (the
   * key is taken), and other rules triggered by it run one level deeper (the loop guard).
   */
  async markWrite(trx: Knex.Transaction, schema: string, key: RunKey, depth: number, at: Date): Promise<void> {
    await trx
      .withSchema(schema)
      .insert({
        rule: key.rule,
        record_id: key.record,
        period: key.period,
        outcome: 'write',
        depth,
        at,
        finished_at: at,
      })
      .into(T.automationRuns)
      .onConflict(['rule', 'record_id', 'period'])
      .ignore();
  },

  /** How deep in a chain of rules this record version was written (0: by a person). */
  async depthOf(db: Knex | Knex.Transaction, schema: string, record: string, period: string): Promise<number> {
    const row = await db
      .withSchema(schema)
      .from(T.automationRuns)
      .where({ record_id: record, period, outcome: 'write' })
      .max({ depth: 'depth' })
      .first();
    return Number(row?.depth ?? 0);
  },

  /** Records among `records` that already have a run of `rule` in `period`. */
  async done(db: Knex, schema: string, rule: string, period: string, records: string[]): Promise<Set<string>> {
    if (!records.length) return new Set();
    const ids = await db
      .withSchema(schema)
      .from(T.automationRuns)
      .where({ rule, period })
      .whereIn('record_id', records)
      .pluck('record_id');
    return new Set(ids.map(String));
  },

  async list(db: Knex, schema: string, q: RunQuery): Promise<RunView[]> {
    const query = db
      .withSchema(schema)
      .from(T.automationRuns)
      .whereNot('outcome', 'write')
      .orderBy([
        { column: 'at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(q.limit ?? 100);
    if (q.rule) query.where('rule', q.rule);
    if (q.record) query.where('record_id', q.record);
    if (q.outcome) query.where('outcome', q.outcome);
    const rows = await query.select();
    return rows.map((r: Record<string, unknown>) => ({
      id: String(r.id),
      rule: String(r.rule),
      object: (r.object as string | null) ?? null,
      record: String(r.record_id),
      trigger: (r.trigger as string | null) ?? null,
      period: String(r.period),
      outcome: String(r.outcome),
      error: (r.error as string | null) ?? null,
      actions: (r.actions as unknown[]) ?? [],
      depth: Number(r.depth),
      actor: (r.actor as string | null) ?? null,
      at: (r.at as Date).toISOString(),
      finishedAt: r.finished_at ? (r.finished_at as Date).toISOString() : null,
    }));
  },
};
