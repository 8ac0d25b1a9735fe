import { APPROVED, OUTCOME_FIELD, REJECTED } from './palette-texts';
import { signLink } from '../approval-links';
import { addIsoDuration } from '../iso-duration';
import { localLabel, noticeLocales, noticeTexts } from '../notice-text';
import { notify } from '../notify';
import { type ResolvedApprover, resolveApprovers, resolveFallback } from '../resolve-approvers';
import { event } from '../transition';
import type { Run } from '../workflow-env';
import type { WorkflowNode } from '../workflow-graph';
import { workflowStore as store } from '../workflow-store';
import type { WorkflowNodeType } from './node-type';

/** Waits for people: one task per resolved approver, left by an `approved` and a `rejected` edge. */
export const approvalNode: WorkflowNodeType = {
  type: 'approval',
  automatic: false,
  validate(n, c) {
    if (!n.data.approvers?.length)
      c.issue(
        `${c.path}/data/approvers`,
        [n.id],
        'an approval step needs at least one approver',
        'approval_no_approver',
      );
    const approved = c.out.filter((e) => e.data?.outcome === 'approved');
    const rejected = c.out.filter((e) => e.data?.outcome === 'rejected');
    if (approved.length !== 1)
      c.issue(c.path, [n.id], 'an approval step needs exactly one "approved" edge', 'approval_approved_edge');
    if (rejected.length !== 1)
      c.issue(c.path, [n.id], 'an approval step needs exactly one "rejected" edge', 'approval_rejected_edge');
    if (approved.length + rejected.length !== c.out.length)
      c.issue(c.path, [n.id], 'every edge leaving an approval step needs data.outcome', 'approval_edge_outcome');
    const esc = n.data.escalation;
    if (esc && !esc.to && !esc.decide)
      c.issue(
        `${c.path}/data/escalation`,
        [n.id],
        'an escalation needs "to" (an approver) or "decide"',
        'escalation_empty',
      );
    if (esc?.to && esc.decide)
      c.issue(
        `${c.path}/data/escalation`,
        [n.id],
        'an escalation either reassigns ("to") or decides, not both',
        'escalation_both',
      );
  },
  async simulate(node, visit) {
    const decision = visit.decisions[node.id] ?? 'approved';
    return { decision, edge: visit.graph.outcomeEdge(node.id, decision) };
  },
  async execute(run, node) {
    return (await openStep(run, node)) ?? null;
  },
  palette: {
    label: { en: 'Approval', 'zh-CN': '审批' },
    order: 1,
    icon: 'user-check',
    color: '#a5b4fc',
    accent: '#6366f1',
    initialData: { approvers: [], mode: 'any' },
    handles: [
      { id: 'approved', label: APPROVED, edgeData: { outcome: 'approved' } },
      { id: 'rejected', label: REJECTED, edgeData: { outcome: 'rejected' } },
    ],
    fields: [
      { key: 'approvers', widget: 'approvers' },
      {
        key: 'mode',
        widget: 'select',
        label: { en: 'Who must approve', 'zh-CN': '需要谁审批' },
        options: [
          { value: 'any', label: { en: 'Any one approver', 'zh-CN': '任意一人' } },
          { value: 'all', label: { en: 'All approvers', 'zh-CN': '全部审批人' } },
        ],
      },
      { key: 'escalation', widget: 'escalation' },
    ],
    edgeFields: [OUTCOME_FIELD('outcome', { en: 'Taken when the step is', 'zh-CN': '当步骤结果为' })],
    summary: { parts: ['approvers', 'mode:all'], separator: ' · ' },
  },
};

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
    const found = await resolveFallback(ctx.db, ctx.schema, at, {
      escalationTo: esc?.to,
      fallbackRole: run.graph.definition.fallbackRole,
    });
    assignees = found.assignees;
    await event(run, 'escalated', node.id, {
      reason: 'no approver',
      to: assignees.map((a) => a.assignee),
      fallback: found.fallback,
      ...(found.role ? { role: found.role, roleLabel: run.model.roles[found.role]?.label ?? found.role } : {}),
    });
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
