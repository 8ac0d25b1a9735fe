import type { Knex } from 'knex';
import type { Logger } from '../logger';
import type { Model } from '../model/load-model';
import { PLATFORM_SCHEMA, SYSTEM_TABLE as T, tenantSchema } from '../model/naming';
import { systemCtx } from '../system-ctx';
import { runInUnitOfWork } from '../tx/unit-of-work';
import { createTasks } from './nodes/approval';
import { event } from './transition';
import { concludeStep } from './decide';
import { loadRun } from './load-run';
import { resolveFallback } from './resolve-approvers';
import { decisionReason } from './workflow-cause';
import type { WorkflowEnv } from './workflow-env';
import { workflowStore as store } from './workflow-store';

export interface EscalationReport {
  escalated: number;
  decided: number;
  failed: number;
}

/**
 * The escalation sweep: every open task whose stored deadline has passed at `now` is reassigned
 * (`escalation.to`, else the admins) or decides its step (`escalation.decide`). Each task is handled
 * in its own transaction under the instance lock and re-checked there, and tasks are claimed with
 * SKIP LOCKED, so several processes (pg-boss workers) may sweep at once without acting twice.
 * `only` limits the sweep to one tenant (a test's sweep at its own clock must not act on tasks of
 * other tenants sharing the database).
 */
export async function escalateDue(
  db: Knex,
  env: WorkflowEnv,
  modelOf: (tenant: string) => Promise<Model>,
  now: Date,
  logger: Logger,
  only?: string,
): Promise<EscalationReport> {
  const report: EscalationReport = { escalated: 0, decided: 0, failed: 0 };
  const active = db.withSchema(PLATFORM_SCHEMA).from('tenants').where('status', 'active');
  const tenants: string[] = await (only ? active.where('id', only) : active).pluck('id');
  for (const tenant of tenants) {
    const schema = tenantSchema(tenant);
    const due = await db
      .withSchema(schema)
      .from(T.wfTasks)
      .where('status', 'open')
      .where('due_at', '<=', now)
      .orderBy('due_at')
      .limit(500)
      .select('id', 'instance_id');
    for (const { id, instance_id } of due) {
      try {
        const outcome = await escalateTask(db, env, tenant, await modelOf(tenant), id, instance_id, now);
        if (outcome) report[outcome] += 1;
      } catch (err) {
        report.failed += 1;
        logger.error({ err, tenant, task: id }, 'escalation failed');
      }
    }
  }
  return report;
}

async function escalateTask(
  db: Knex,
  env: WorkflowEnv,
  tenant: string,
  model: Model,
  taskId: string,
  instanceId: string,
  now: Date,
): Promise<'escalated' | 'decided' | undefined> {
  const base = await systemCtx(db, tenant);
  return runInUnitOfWork(base, async (tx) => {
    const instance = await tx.db
      .withSchema(tx.schema)
      .from(T.wfInstances)
      .where({ id: instanceId })
      .forUpdate()
      .skipLocked()
      .first();
    if (instance?.status !== 'pending') return undefined;
    const task = await store.lockTask(tx.db, tx.schema, taskId);
    if (task?.status !== 'open' || !task.due_at || task.due_at > now) return undefined;
    const run = await loadRun(tx, env, model, instance, { text: ', escalation', ref: { step: task.node } });
    run.now = now;
    const node = run.graph.node(task.node);
    const esc = node?.data.escalation;
    if (!node || !esc) return undefined;
    if (esc.decide) {
      run.reason = decisionReason(instance.definition, task.node, esc.decide);
      await store.updateTask(tx.db, tx.schema, task.id, {
        status: esc.decide,
        decided_at: now,
        comment: 'Decided on escalation',
      });
      await event(run, 'auto_decided', task.node, { outcome: esc.decide, reason: 'deadline' }, { task: task.id });
      await concludeStep(run, task.node, esc.decide);
      return 'decided';
    }
    const at = { submitter: instance.submitted_by, record: run.record, now };
    // The target first; when it is nobody (no manager, an empty role), the workflow's fallback role,
    // then the admins: a deadline never passes the task to nobody.
    const found = await resolveFallback(tx.db, tx.schema, at, {
      escalationTo: esc.to,
      fallbackRole: run.graph.definition.fallbackRole,
    });
    const targets = found.assignees;
    await store.updateTask(tx.db, tx.schema, task.id, { status: 'escalated', decided_at: now });
    // The escalated tasks get no deadline of their own: an escalation fires once per task.
    await createTasks(
      run,
      node,
      task.visit,
      targets.map((t) => ({ ...t, delegatedFrom: task.assignee })),
      null,
    );
    await event(
      run,
      'escalated',
      task.node,
      {
        reason: 'deadline',
        from: task.assignee,
        to: targets.map((t) => t.assignee),
        // Said only when the escalation target itself found nobody.
        ...(found.fallback !== 'escalation' ? { fallback: found.fallback } : {}),
        ...(found.role ? { role: found.role, roleLabel: run.model.roles[found.role]?.label ?? found.role } : {}),
      },
      { task: task.id },
    );
    return 'escalated';
  });
}
