import { scriptFailed } from '../errors';
import type { Model } from '../model/load-model';
import { SYSTEM_TABLE as T } from '../model/naming';
import type { RecordService } from '../records/record-service';
import type { RecordData, ScriptActions, ScriptEngine } from '../scripts';
import type { TxCtx } from '../tx/unit-of-work';
import { notify } from '../workflows/notify';
import { attachDocument, type DocumentServices } from './attach-document';
import type { AutomationAction, Recipient } from './automation-types';
import { renderMessage } from './message-template';
import { PERSON_TOKEN, resolveTokens } from './resolve-tokens';
import { runStore } from './run-store';

/** The services actions use. */
export interface ActionServices extends DocumentServices {
  records: Pick<RecordService, 'update' | 'createMany'>;
  scripts: ScriptEngine;
  /** Action scripts (the `script` action). */
  scriptActions: Pick<ScriptActions, 'runAction'>;
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
}

/** What one action did, kept on the run for the runs API. */
export type ActionSummary = Record<string, unknown> & { type: AutomationAction['type'] };

/**
 * Runs a rule's actions in order on one record. `set` and `script` write the record through the
 * records engine (validation, save scripts, audit, roll-ups) as the tenant's system identity; every
 * record version a rule writes is marked so the rule is not triggered again by its own write.
 * Throws on the first failing action: the caller rolls back the run's savepoint and records why.
 */
export async function runActions(
  services: ActionServices,
  run: ActionRun,
  actions: readonly AutomationAction[],
): Promise<ActionSummary[]> {
  const done: ActionSummary[] = [];
  let record = run.record;
  for (const action of actions) {
    switch (action.type) {
      case 'set': {
        const changes = await valuesOf(services, run, record, action);
        const updated = await services.records.update(run.tx, run.object, String(record.id), changes);
        record = { ...record, ...updated };
        await markWrite(run, String(record.id), record.version);
        done.push({ type: 'set', fields: Object.keys(changes) });
        break;
      }
      case 'create': {
        const values = await valuesOf(services, run, record, action);
        // Nobody behind the owner spec (no manager, say): the rule's record's owner gets it.
        const owner = (action.owner ? (await recipients(run, record, [action.owner]))[0] : undefined) ?? record.owner;
        const { created } = await services.records.createMany(
          run.tx,
          action.object,
          [values],
          owner ? { owner: String(owner) } : {},
        );
        const id = String(created[0]?.id);
        await markWrite(run, id, created[0]?.version ?? 1);
        done.push({ type: 'create', object: action.object, id });
        break;
      }
      case 'notify': {
        const users = await recipients(run, record, action.to);
        const data = { record, old: run.old ?? {}, rule: run.label };
        const title = renderMessage(action.title, data);
        const body = action.message ? renderMessage(action.message, data) : '';
        for (const user of users)
          await notify(
            run.tx.db,
            run.tx.schema,
            {
              user,
              kind: 'automation',
              title,
              ...(body ? { body } : {}),
              data: { rule: run.rule, object: run.object, record: record.id },
              ...(action.email === false ? {} : { email: { subject: title, body: body || title } }),
            },
            run.now,
          );
        done.push({ type: 'notify', users });
        break;
      }
      case 'script': {
        const result = await services.scriptActions.runAction(
          run.tx,
          run.object,
          String(record.id),
          action.script,
          (action.params ?? {}) as RecordData,
        );
        if (result.record) record = { ...record, ...result.record };
        if (Object.keys(result.changes).length) await markWrite(run, String(record.id), record.version);
        done.push({ type: 'script', script: action.script, changed: Object.keys(result.changes) });
        break;
      }
      case 'document': {
        const name = action.fileName ? renderMessage(action.fileName, { record, rule: run.label }) : undefined;
        // Rendered as who caused the run (record owner for schedules), never as the system.
        const author = run.user ? String(run.user.id) : null;
        const file = await attachDocument(services, run.tx, run.object, String(record.id), action.template, {
          author,
          ...(name ? { fileName: name } : {}),
        });
        done.push({ type: 'document', template: action.template, file: file.id });
        break;
      }
    }
  }
  return done;
}

async function markWrite(run: ActionRun, record: string, version: unknown): Promise<void> {
  await runStore.markWrite(
    run.tx.db,
    run.tx.schema,
    { rule: run.rule, record, period: `v${Number(version)}` },
    run.depth + 1,
    run.now,
  );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A person token (`$owner`, `$managerOfOwner`, `$managerOf:<field>`) as a recipient form. */
function personOf(value: unknown): Recipient | undefined {
  const m = typeof value === 'string' ? PERSON_TOKEN.exec(value) : null;
  if (!m) return undefined;
  const word = m[1] as string;
  return word.startsWith('managerOf:') ? { managerOf: word.slice('managerOf:'.length) } : (word as Recipient);
}

/**
 * Literal values (time and person tokens resolved; a person token finding nobody leaves its field out)
 * merged with expressions
 * evaluated in the sandbox over the triggering record.
 */
async function valuesOf(
  services: ActionServices,
  run: ActionRun,
  record: RecordData,
  action: { values?: Record<string, unknown>; expressions?: Record<string, string> },
): Promise<RecordData> {
  const out: RecordData = resolveTokens({ ...(action.values ?? {}) }, run.now);
  for (const [field, v] of Object.entries(out)) {
    const who = personOf(v);
    if (!who) continue;
    // Nobody there (no manager, say): the field is left as it is rather than emptied.
    const user = (await recipients(run, record, [who]))[0];
    if (user) out[field] = user;
    else delete out[field];
  }
  const entries = Object.entries(action.expressions ?? {});
  if (!entries.length) return out;
  let values: unknown[];
  try {
    values = await services.scripts.evaluateAll(
      run.tx.tenant,
      run.model.version,
      entries.map(([, e]) => e),
      { record, old: run.old, user: run.user as never },
    );
  } catch (e) {
    throw scriptFailed(`Rule ${run.rule}: an expression failed: ${(e as Error).message}`);
  }
  entries.forEach(([field], i) => {
    out[field] = values[i] ?? null;
  });
  return out;
}

/** Active users a notification (or a created record's owner) goes to, without duplicates. */
async function recipients(run: ActionRun, record: RecordData, to: readonly Recipient[]): Promise<string[]> {
  const { db, schema } = run.tx;
  const ids: string[] = [];
  const roles: string[] = [];
  for (const r of to) {
    if (r === 'owner') ids.push(String(record.owner ?? ''));
    else if (r === 'managerOfOwner' || 'managerOf' in r) {
      const of = record[r === 'managerOfOwner' ? 'owner' : r.managerOf];
      const user =
        typeof of === 'string' && UUID.test(of)
          ? await db.withSchema(schema).from(T.users).where('id', of).first('manager')
          : undefined;
      if (user?.manager) ids.push(String(user.manager));
    } else if ('user' in r) ids.push(r.user);
    else if ('field' in r) {
      const v = record[r.field];
      if (typeof v === 'string') ids.push(v);
    } else roles.push(r.role);
  }
  const uuids = ids.filter((id) => UUID.test(id));
  const q = db
    .withSchema(schema)
    .from(T.users)
    .where('active', true)
    .where((w) => {
      w.whereIn('id', uuids);
      if (roles.length) w.orWhereRaw('?? && ?::text[]', ['roles', roles]);
    })
    .orderBy('id')
    .pluck('id');
  const found = new Set<string>(((await q) as unknown[]).map(String));
  // Keep the order the rule names them in (the first is a created record's owner).
  return [...new Set([...uuids.filter((id) => found.has(id)), ...found])];
}
