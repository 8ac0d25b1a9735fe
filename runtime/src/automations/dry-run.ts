import type { Ctx } from '../ctx';
import { badRequest, forbidden, notFound } from '../errors';
import type { MetaService } from '../meta/meta-service';
import { SYSTEM_TABLE as T } from '../model/naming';
import type { RecordService } from '../records/record-service';
import { type RecordData, scriptUserOf } from '../scripts';
import { systemUser } from '../system-ctx';
import type { Clock } from '../clock';
import { runInUnitOfWork } from '../tx/unit-of-work';
import { type AutomationEngine, errorText } from './automation-engine';
import type { AutomationRule } from './automation-types';
import { type ActionServices, type ActionSummary, runActions } from './run-actions';

export interface DryRunInput {
  /** A published rule's name, or the name a draft will be published under. */
  name?: string;
  /** A draft (the editor's current state): checked as publishing would check it. */
  rule?: AutomationRule;
  record: string;
}

export type DryRunResult = {
  rule: string;
  record: { id: string; label: string };
  /** Whether the record matches the rule's `when` filter (null: the rule has none). */
  when: boolean | null;
  /** The `condition` expression's value (null: the rule has none). */
  condition: boolean | null;
  /** Whether a save of this record would run the actions (the trigger aside). */
  wouldRun: boolean;
  /** What each action did in the rolled-back run, with people's names; `notRun` for kinds only described. */
  actions: Array<ActionSummary & { people?: Array<{ id: string; name: string }> }>;
  /** Why the actions failed (the run would be recorded as failed), or null. */
  error: string | null;
};

type Deps = ActionServices & {
  records: Pick<RecordService, 'get' | 'update' | 'createMany'>;
  meta: MetaService;
  clock: Clock;
};

const ROLLBACK = Symbol('dry run');
const DRAFT_NAME = 'draft';

/**
 * A test run: the rule's filter and condition on the record as it is, then its actions for real as the
 * tenant's system identity inside one transaction that is always rolled back — so the answer shows
 * the values they would write and the people they would notify, and nothing changes (no record,
 * notification, e-mail or run is kept). Action kinds whose effects leave the database (documents,
 * plugin kinds) are listed as not run.
 */
export async function dryRunRule(
  engine: AutomationEngine,
  deps: Deps,
  ctx: Ctx,
  input: DryRunInput,
): Promise<DryRunResult> {
  if (!ctx.isAdmin) throw forbidden('Tenant admins only');
  const name = input.name ?? DRAFT_NAME;
  let rule = input.rule;
  if (rule) {
    // The same checks as publishing (schema, names, filters, expressions): 400 with each issue's path.
    await deps.meta.plan(ctx, { automations: { [name]: rule } });
  } else {
    const model = await deps.meta.model(ctx);
    rule = (model.document as { automations?: Record<string, AutomationRule> }).automations?.[name];
    if (!input.name) throw badRequest('Give the rule to test ("rule") or the name of a published one ("name")');
    if (!rule) throw notFound(`No automation rule "${name}"`);
  }
  const draft = rule;
  const model = await deps.meta.model(ctx);
  const object = model.objects.get(draft.object);
  if (!object) throw notFound(`No object "${draft.object}"`);
  const record = (await deps.records.get(ctx, draft.object, input.record)) as RecordData;
  const user = scriptUserOf(ctx) as unknown as RecordData;
  const now = deps.clock.now();
  let result: DryRunResult | undefined;
  try {
    await runInUnitOfWork(ctx, async (tx) => {
      const when =
        draft.when && Object.keys(draft.when).length
          ? await engine.matchesWhen(tx, draft, String(record.id), now)
          : null;
      const condition = draft.condition
        ? ((await engine.conditions(ctx.tenant, model, [[name, draft]], { record, old: null, user }))[0] ?? false)
        : null;
      const done: ActionSummary[] = [];
      let error: string | null = null;
      const system = { ...tx, user: systemUser(), isAdmin: true };
      try {
        await tx.db.transaction(async (sp) => {
          await runActions(
            deps,
            {
              tx: { ...system, db: sp, uow: { ...tx.uow, trx: sp } },
              model,
              rule: name,
              label: draft.label,
              object: draft.object,
              record,
              old: null,
              user,
              depth: 0,
              now,
              dryRun: true,
            },
            draft.actions,
            done,
          );
        });
      } catch (e) {
        error = errorText(e);
      }
      const label = record[object.labelField];
      result = {
        rule: name,
        record: {
          id: String(record.id),
          label: label === null || label === undefined ? String(record.id) : String(label),
        },
        when,
        condition,
        wouldRun: when !== false && condition !== false,
        actions: await withPeople(tx.db, tx.schema, done),
        error,
      };
      throw ROLLBACK;
    });
  } catch (e) {
    if (e !== ROLLBACK) throw e;
  }
  return result as DryRunResult;
}

/** Adds the names of the users an action names (`users`), since people read names, not ids. */
async function withPeople(db: Ctx['db'], schema: string, actions: ActionSummary[]): Promise<DryRunResult['actions']> {
  const ids = [...new Set(actions.flatMap((a) => (Array.isArray(a.users) ? a.users.map(String) : [])))];
  if (!ids.length) return actions;
  const rows: Array<{ id: string; name: string }> = await db
    .withSchema(schema)
    .from(T.users)
    .whereIn('id', ids)
    .select('id', 'name');
  const names = new Map(rows.map((r) => [String(r.id), r.name]));
  return actions.map((a) =>
    Array.isArray(a.users)
      ? { ...a, people: a.users.map((id) => ({ id: String(id), name: names.get(String(id)) ?? String(id) })) }
      : a,
  );
}
