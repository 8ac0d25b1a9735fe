import { AppError, scriptFailed, validationFailed } from '../errors';
import { ADMIN_ROLE } from '../ctx';
import type { RecordData } from '../scripts';
import { SYSTEM_USER_ID } from '../system-ctx';
import { signLink } from './approval-links';
import { addIsoDuration } from './iso-duration';
import { localLabel, noticeLocales, noticeTexts } from './notice-text';
import { notify } from './notify';
import { plain } from './record-rows';
import { resolveApprovers, type ResolvedApprover } from './resolve-approvers';
import { workflowCause } from './workflow-cause';
import type { Run } from './workflow-env';
import type { Outcome, WorkflowNode } from './workflow-graph';
import { workflowStore as store } from './workflow-store';

/** More automatic nodes in one go than any sane graph has: a guard, validation already forbids loops. */
const MAX_HOPS = 500;

const actorOf = (run: Run) => (run.ctx.user.id === SYSTEM_USER_ID ? null : run.ctx.user.id);

/**
 * Walks the graph from `nodeId` through automatic nodes (conditions, actions) until it waits at an
 * approval step (tasks created) or finishes at an end node. Runs inside the caller's transaction,
 * with the instance and the record locked, so a transition is all or nothing.
 */
export async function advance(run: Run, nodeId: string): Promise<void> {
  let id = nodeId;
  for (let hop = 0; hop < MAX_HOPS; hop += 1) {
    const node = run.graph.node(id);
    if (!node) throw validationFailed(`Workflow ${run.instance.workflow} has no node "${id}"`);
    switch (node.type) {
      case 'start':
        id = run.graph.out(node.id)[0]?.target ?? '';
        break;
      case 'condition':
        id = await chooseBranch(run, node);
        break;
      case 'action':
        await runAction(run, node);
        id = run.graph.out(node.id)[0]?.target ?? '';
        break;
      case 'approval': {
        const next = await openStep(run, node);
        if (!next) return;
        id = next;
        break;
      }
      case 'end':
        await finish(run, node);
        return;
    }
  }
  throw validationFailed(`Workflow ${run.instance.workflow} does not reach a step or an end`);
}

/** The first edge whose condition holds, in edge order, else the default edge. */
async function chooseBranch(run: Run, node: WorkflowNode): Promise<string> {
  const edges = run.graph.out(node.id);
  const guarded = edges.filter((e) => e.data?.default !== true && e.data?.condition);
  const values = await run.env.scripts.evaluateAll(
    run.ctx.tenant,
    `wf:${run.instance.meta_version}`,
    guarded.map((e) => e.data?.condition as string),
    { record: run.record, user: scriptUser(run) },
  );
  const hit = guarded.find((_e, i) => Boolean(values[i])) ?? edges.find((e) => e.data?.default === true);
  await event(run, 'branch', node.id, { edge: hit?.id });
  return hit?.target ?? '';
}

async function runAction(run: Run, node: WorkflowNode): Promise<void> {
  let changes: RecordData = { ...(node.data.set ?? {}) };
  const scriptName = node.data.script;
  if (scriptName) {
    const script = run.model.scripts[scriptName];
    if (!script) throw scriptFailed(`Workflow ${run.instance.workflow}: script "${scriptName}" no longer exists`);
    const result = await run.env.scripts.runScript(
      {
        tenant: run.ctx.tenant,
        version: run.model.version,
        object: run.object.name,
        event: 'action',
        script: { name: scriptName, code: script.code, ...(script.language ? { language: script.language } : {}) },
        record: { ...run.record, ...changes },
        old: null,
        user: scriptUser(run),
      },
      run.env.records.scriptHost(run.ctx),
    );
    if (Object.keys(result.errors).length)
      throw scriptFailed(
        `Workflow ${run.instance.workflow}: script "${scriptName}" refused the record`,
        {},
        result.errors,
      );
    changes = { ...changes, ...result.changes };
  }
  await setFields(run, node, changes);
  await event(run, 'action', node.id, { set: changes });
  if (node.data.document) await attachDocumentOf(run, node, node.data.document);
}

/**
 * A document is a by-product of the transition, never a reason to refuse it: a missing template or a
 * failing render is written to the history (in a savepoint, so the transition's work stands).
 */
async function attachDocumentOf(run: Run, node: WorkflowNode, template: string): Promise<void> {
  try {
    if (!run.env.attachDocument) throw new Error('document generation is not available');
    const attach = run.env.attachDocument;
    const file = await run.ctx.db.transaction((sp) =>
      attach(
        { ...run.ctx, db: sp, uow: { ...run.ctx.uow, trx: sp } },
        run.object.name,
        run.instance.record_id,
        template,
        // The workflow's author: who submitted (or saved, for a start on save), whoever decides the step.
        run.instance.submitted_by,
      ),
    );
    await event(run, 'document', node.id, { template, file: file.id, name: file.name });
  } catch (err) {
    run.env.logger.warn({ err, workflow: run.instance.workflow, node: node.id }, 'workflow document failed');
    await event(run, 'document', node.id, { template, error: (err as Error).message?.slice(0, 500) ?? 'failed' });
  }
}

/**
 * Saves a node's fields (and the outcome, at an end node) through the records engine, like a plain
 * update of the record (validation, hooks, scripts, formulas, roll-ups, audit, after-save rules), as
 * the transition's author and through the approval lock, with the transition as its cause.
 */
async function setFields(
  run: Run,
  node: WorkflowNode,
  fields: RecordData,
  status?: 'approved' | 'rejected',
): Promise<void> {
  if (!Object.keys(fields).length && !status) return;
  try {
    const row = await run.env.records.systemUpdate(run.ctx, run.object.name, run.instance.record_id, fields, {
      cause: workflowCause(run, node),
      passLock: true,
      ...(status ? { approvalStatus: status } : {}),
    });
    run.record = plain(row);
  } catch (e) {
    if (!(e instanceof AppError) || e.code !== 'VALIDATION_FAILED') throw e;
    throw validationFailed(`Workflow ${run.instance.workflow} sets fields that are not valid: ${e.message}`, e.fields);
  }
}

/**
 * Opens a visit of an approval step: one task per resolved approver. An approver set that resolves
 * to nobody escalates at once (to the escalation target, else to the tenant's admins), or decides
 * when the escalation says so; returns the next node then, else undefined (waiting).
 */
async function openStep(run: Run, node: WorkflowNode): Promise<string | undefined> {
  const { ctx, instance } = run;
  const at = { submitter: instance.submitted_by, record: run.record, now: run.now };
  let assignees = await resolveApprovers(ctx.db, ctx.schema, node.data.approvers ?? [], at);
  const esc = node.data.escalation;
  if (!assignees.length) {
    if (esc?.decide) {
      await event(run, 'auto_decided', node.id, { outcome: esc.decide, reason: 'no approver' });
      return run.graph.outcomeEdge(node.id, esc.decide)?.target;
    }
    if (esc?.to) assignees = await resolveApprovers(ctx.db, ctx.schema, [esc.to], at);
    if (!assignees.length) assignees = await resolveApprovers(ctx.db, ctx.schema, [{ role: ADMIN_ROLE }], at);
    await event(run, 'escalated', node.id, { reason: 'no approver', to: assignees.map((a) => a.assignee) });
  }
  const visit = (await store.lastVisit(ctx.db, ctx.schema, instance.id, node.id)) + 1;
  const due = esc?.after ? addIsoDuration(run.now, esc.after) : null;
  await createTasks(run, node, visit, assignees, due);
  await store.updateInstance(ctx.db, ctx.schema, instance.id, { current_node: node.id });
  run.instance = { ...instance, current_node: node.id, rev: instance.rev + 1 };
  return undefined;
}

export async function createTasks(
  run: Run,
  node: WorkflowNode,
  visit: number,
  assignees: ResolvedApprover[],
  due: Date | null,
): Promise<void> {
  const { ctx, instance } = run;
  const tasks = await store.insertTasks(
    ctx.db,
    ctx.schema,
    assignees.map((a) => ({
      instance_id: instance.id,
      node: node.id,
      visit,
      assignee: a.assignee,
      delegated_from: a.delegatedFrom,
      due_at: due,
      created_at: run.now,
    })),
  );
  const locales = await noticeLocales(
    ctx.db,
    ctx.schema,
    tasks.map((t) => t.assignee),
  );
  for (const t of tasks) {
    // In the approver's language: object and step labels from x-i18n, the sentence from notice-text.
    const lang = locales.get(t.assignee) ?? 'en';
    const text = noticeTexts(lang);
    const label = localLabel(node.data.label ?? node.id, node.data['x-i18n'] as never, lang);
    const what = `${localLabel(run.object.label, run.object.i18n as never, lang)} ${String(run.record[run.object.labelField] ?? run.instance.record_id)}`;
    const links = await Promise.all(
      (['approved', 'rejected'] as const).map((decision) =>
        signLink(run.env.secrets, {
          tenant: ctx.tenant,
          task: t.id,
          decision,
          exp: run.now.getTime() + run.env.linkTtlMs,
        }),
      ),
    );
    const url = (token: string) => `${run.env.publicUrl}/api/approvals/links/${token}`;
    await notify(
      ctx.db,
      ctx.schema,
      {
        user: t.assignee,
        kind: 'approval.task',
        title: text.taskTitle(what, label),
        data: { task: t.id, instance: instance.id, object: instance.object, record: instance.record_id },
        email: {
          subject: text.taskSubject(what),
          body: text.taskBody(what, label, url(links[0] as string), url(links[1] as string)),
        },
      },
      run.now,
    );
  }
}

/** Ends the instance: the end node's fields and outcome land on the record in the same write. */
async function finish(run: Run, node: WorkflowNode): Promise<void> {
  const outcome = (node.data.outcome ?? 'rejected') as Outcome;
  const { ctx, instance } = run;
  await setFields(run, node, { ...(node.data.set ?? {}) }, outcome);
  await store.cancelOpenTasks(ctx.db, ctx.schema, instance.id, run.now);
  await store.updateInstance(ctx.db, ctx.schema, instance.id, {
    status: outcome,
    current_node: node.id,
    finished_at: run.now,
  });
  run.instance = { ...instance, status: outcome, current_node: node.id, finished_at: run.now, rev: instance.rev + 1 };
  await event(run, 'completed', node.id, { outcome });
  const lang = (await noticeLocales(ctx.db, ctx.schema, [instance.submitted_by])).get(instance.submitted_by) ?? 'en';
  const what = `${localLabel(run.object.label, run.object.i18n as never, lang)} ${String(run.record[run.object.labelField] ?? instance.record_id)}`;
  await notify(
    ctx.db,
    ctx.schema,
    {
      user: instance.submitted_by,
      kind: `approval.${outcome}`,
      title: noticeTexts(lang).outcome(what, outcome),
      data: { instance: instance.id, object: instance.object, record: instance.record_id, outcome },
    },
    run.now,
  );
}

export async function event(
  run: Run,
  action: string,
  node: string | null,
  data: Record<string, unknown> = {},
  extra: { task?: string; comment?: string | null } = {},
): Promise<void> {
  await store.insertEvent(run.ctx.db, run.ctx.schema, {
    instance_id: run.instance.id,
    task_id: extra.task ?? null,
    object: run.instance.object,
    record_id: run.instance.record_id,
    action,
    node,
    actor: actorOf(run),
    actor_name: run.ctx.user.name,
    comment: extra.comment ?? null,
    data,
    at: run.now,
  });
}

export function scriptUser(run: Run) {
  const { id, email, name, roles, manager } = run.ctx.user;
  return { id, email, name, roles, manager };
}
