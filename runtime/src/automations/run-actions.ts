import type { WebhookService } from '../webhooks/webhook-service';
import { validationFailed } from '../errors';
import type { Model } from '../model/load-model';
import type { RecordService } from '../records/record-service';
import type { RecordData, ScriptActions, ScriptEngine } from '../scripts';
import type { TxCtx } from '../tx/unit-of-work';
import { automationAction } from './actions/action-registry';
import type { DocumentServices } from './attach-document';
import type { SurveyInviter } from './actions/send-survey';
import type { AutomationAction } from './automation-types';
import { renderMessage } from './message-template';

/** The services actions use. */
export interface ActionServices extends DocumentServices {
  records: Pick<RecordService, 'update' | 'createMany' | 'withLookupNames'>;
  scripts: ScriptEngine;
  /** Action scripts (the `script` action). */
  scriptActions: Pick<ScriptActions, 'runAction'>;
  /** Webhook subscriptions (the `webhook` action). */
  webhooks: Pick<WebhookService, 'sendForRule'>;
  /** Satisfaction survey invitations (the `send_survey` action). */
  surveys: SurveyInviter;
}

/** One rule's run on one record: everything the actions read. */
export interface ActionRun {
  /** The tenant's system identity, in the run's transaction (a savepoint). */
  tx: TxCtx;
  model: Model;
  rule: string;
  label: string;
  object: string;
  record: RecordData;
  old: RecordData | null;
  /** Who caused the run (null for schedules), for `user` in expressions. */
  user: RecordData | null;
  depth: number;
  now: Date;
  /** A test run: the caller rolls everything back, and kinds that are not `transactional` are only described. */
  dryRun?: boolean;
}

/** What one action did, kept on the run for the runs API. */
export type ActionSummary = Record<string, unknown> & { type: string };

/**
 * Runs a rule's actions in order on one record, each by its kind (actions/, plugins add kinds).
 * `set` and `script` write the record through the records engine (validation, save scripts, audit,
 * roll-ups) as the tenant's system identity; every record version a rule writes is marked so the
 * rule is not triggered again by its own write. Throws on the first failing action: the caller
 * rolls back the run's savepoint and records why.
 */
export async function runActions(
  services: ActionServices,
  run: ActionRun,
  actions: readonly AutomationAction[],
  /** Filled as actions complete, so a caller still knows what ran before a failure. */
  done: ActionSummary[] = [],
): Promise<ActionSummary[]> {
  let record = run.record;
  for (const action of actions) {
    const kind = automationAction(action.type);
    // A plugin's action kind that is no longer installed: the run fails with a reason, visibly.
    if (!kind) throw validationFailed(`Rule ${run.rule}: unknown action type "${action.type}"`);
    if (run.dryRun && !kind.transactional) {
      done.push({ type: action.type, notRun: true });
      continue;
    }
    const current = record;
    const result = await kind.run(action, {
      services,
      run,
      record: current,
      render: (text) => renderMessage(text, { record: current, old: run.old ?? {}, rule: run.label }),
      renderNamed: async (text) => {
        const [record, old] = await services.records.withLookupNames(run.tx, run.object, [current, run.old ?? {}]);
        return renderMessage(text, { record, old, rule: run.label });
      },
    });
    if (result.record) record = result.record;
    done.push({ type: action.type, ...result.summary });
  }
  return done;
}
