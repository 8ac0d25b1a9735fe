/**
 * Runs a metadata change: one transaction under the tenant's advisory lock, the data checks first,
 * then every in-transaction step of the plan with a short `lock_timeout` (so the DDL never queues
 * readers behind it; the whole attempt is retried instead), then the new version row. Any failure
 * rolls everything back: the previous version stays fully in place.
 */
import type { MetadataDocument } from '@forma/metadata';
import type { Knex } from 'knex';
import { AppError, conflict } from '../errors';
import type { DataCheck, MigrationPlan, PlanStep } from './plan-migration';

export type CheckFailure = {
  path: string;
  object: string;
  field?: string;
  count: number;
  message: string;
};

export interface Prepared<S = unknown> {
  next: MetadataDocument;
  plan: MigrationPlan;
  summary: S;
  /** Extra writes in the same transaction (e.g. the template layer), after the steps. */
  afterSteps?: (trx: Knex.Transaction) => Promise<void>;
}

/**
 * Where the tenant's metadata versions live (the metadata service's `_meta_*` tables, meta-store.ts):
 * the lock that serializes changes, the current version, and the new version row.
 */
export interface MetadataVersions {
  lock(trx: Knex.Transaction, tenant: string): Promise<void>;
  currentVersion(trx: Knex.Transaction, schema: string): Promise<number>;
  document(trx: Knex.Transaction, schema: string, version: number): Promise<MetadataDocument>;
  insertVersion(
    trx: Knex.Transaction,
    schema: string,
    row: {
      version: number;
      document: MetadataDocument;
      plan: unknown;
      summary: unknown;
      author: string | null;
      author_name: string | null;
      source: string;
      created_at: Date;
    },
  ): Promise<void>;
}

export interface ApplyMigrationInput<S> {
  versions: MetadataVersions;
  tenant: string;
  schema: string;
  author: { id: string | null; name: string | null };
  source: string;
  allowDestructive: boolean;
  /** Works out the next document from the current one, under the lock; null means "no change". */
  prepare(current: { version: number; document: MetadataDocument }, trx: Knex.Transaction): Promise<Prepared<S> | null>;
}

export interface ApplyOutcome<S> {
  version: number;
  changed: boolean;
  document: MetadataDocument;
  plan: MigrationPlan | null;
  summary: S | null;
}

export interface ApplyOptions {
  lockTimeoutMs: number;
  maxAttempts: number;
  now: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

const RETRYABLE = new Set(['55P03', '40P01', '40001']);

/** Counts the rows each check finds; every non-zero count is a failure. */
export async function runChecks(db: Knex | Knex.Transaction, checks: readonly DataCheck[]): Promise<CheckFailure[]> {
  const failures: CheckFailure[] = [];
  for (const c of checks) {
    const r = await db.raw(c.sql);
    const count = Number(r.rows[0]?.n ?? 0);
    if (count > 0) {
      failures.push({
        path: c.path,
        object: c.object,
        ...(c.field ? { field: c.field } : {}),
        count,
        message: `${count} ${c.problem}`,
      });
    }
  }
  return failures;
}

export function checkConflict(failures: CheckFailure[]): AppError {
  return conflict(`The change does not fit the existing data: ${failures.map((f) => f.message).join('; ')}`, {
    checks: failures,
  });
}

export function destructiveConflict(steps: readonly PlanStep[]): AppError {
  const destructive = steps.filter((s) => s.destructive);
  return conflict(
    `The change is destructive (${destructive.map((s) => s.description).join('; ')}); repeat it with allowDestructive=true to proceed`,
    {
      destructive: destructive.map(({ kind, sql, description, object, field }) => ({
        kind,
        sql,
        description,
        object,
        field,
      })),
    },
  );
}

/**
 * SQLSTATEs that mean "the database as it is refuses this step": data a cast or constraint rejects
 * (22, 23), objects made outside Forma that depend on what the step drops (2B), or that already hold
 * a name the step wants (duplicate table/column/object). The client can act on these; anything else
 * is a fault and stays a 500.
 */
const DATA_STATE = new Set(['42P07', '42701', '42710']);

function stepFailure(step: PlanStep, index: number, e: unknown): AppError {
  const pg = e as { code?: string; message?: string };
  const cls = pg.code?.slice(0, 2);
  if (cls === '22' || cls === '23' || cls === '2B' || (pg.code && DATA_STATE.has(pg.code))) {
    return conflict(`Step ${index + 1} (${step.description}) failed on existing data: ${pg.message}`, {
      step: { index, kind: step.kind, sql: step.sql },
    });
  }
  throw e;
}

export async function applyMigration<S>(
  db: Knex,
  input: ApplyMigrationInput<S>,
  opts: ApplyOptions,
): Promise<ApplyOutcome<S>> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(async (trx) => {
        const { versions } = input;
        await versions.lock(trx, input.tenant);
        const version = await versions.currentVersion(trx, input.schema);
        const document = await versions.document(trx, input.schema, version);
        const prepared = await input.prepare({ version, document }, trx);
        if (!prepared) return { version, changed: false, document, plan: null, summary: null };
        const { plan } = prepared;
        const failures = await runChecks(trx, plan.checks);
        if (failures.length) throw checkConflict(failures);
        if (plan.destructive && !input.allowDestructive) throw destructiveConflict(plan.steps);

        await trx.raw(`SET LOCAL lock_timeout = ${Math.max(1, Math.trunc(opts.lockTimeoutMs))}`);
        for (const [i, step] of plan.steps.entries()) {
          if (step.phase !== 'transaction') continue;
          try {
            await trx.raw(step.sql);
          } catch (e) {
            throw stepFailure(step, i, e);
          }
        }
        await prepared.afterSteps?.(trx);
        const nextVersion = version + 1;
        await versions.insertVersion(trx, input.schema, {
          version: nextVersion,
          document: prepared.next,
          plan: plan.steps.map(({ action: _action, ...s }) => s),
          summary: prepared.summary,
          author: input.author.id,
          author_name: input.author.name,
          source: input.source,
          created_at: opts.now(),
        });
        return { version: nextVersion, changed: true, document: prepared.next, plan, summary: prepared.summary };
      });
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code && RETRYABLE.has(code)) {
        if (attempt < opts.maxAttempts) {
          await sleep(Math.min(2000, 50 * 2 ** attempt + Math.floor(Math.random() * 50)));
          continue;
        }
        throw new AppError('UNAVAILABLE', 'The tables are busy; the metadata change was not applied. Please retry.');
      }
      throw e;
    }
  }
}
