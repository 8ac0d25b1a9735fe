import { APPROVED, OUTCOME_FIELD, REJECTED } from './palette-texts';
import { signLink } from '../approval-links';
import { addIsoDuration } from '../iso-duration';
import { randomUUID } from 'node:crypto';
import { localLabel, NOTICE_LOCALES, noticeTexts } from '../notice-text';
import type { LocalizedNotice } from '../notify';
import {
  approverKeys,
  approversOfRows,
  type ResolvedApprover,
  resolveApprovers,
  resolveFallback,
} from '../resolve-approvers';
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
  const approvers = node.data.approvers ?? [];
  const fetched = run.prefetched;
  run.prefetched = undefined;
  const keys = fetched?.node === node.id ? approverKeys(approvers, run.record) : undefined;
  // Read by an earlier statement of this transition for the record as it is now: same answer.
  let assignees =
    fetched && keys && sameKeys(keys, fetched.keys)
      ? await approversOfRows(ctx.db, ctx.schema, fetched.rows, run.now)
      : await resolveApprovers(ctx.db, ctx.schema, approvers, at);
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
  const due = esc?.after ? addIsoDuration(run.now, esc.after) : null;
  // The instance is locked (or new) in this transaction, so its state after the step is known here:
  // the step moves with the tasks' statement, not in a round trip of its own.
  const stepped = await createTasks(run, node, null, assignees, due, { stepInstance: true });
  if (!stepped) await store.updateInstance(ctx.db, ctx.schema, instance.id, { current_node: node.id });
  run.instance = { ...instance, current_node: node.id, rev: instance.rev + 1 };
  return undefined;
}

/**
 * One task per assignee at a visit of the step (`null`: its next visit), each with its notice and
 * e-mail in the assignee's language: all of it one statement.
 */
export async function createTasks(
  run: Run,
  node: WorkflowNode,
  visit: number | null,
  assignees: ResolvedApprover[],
  due: Date | null,
  /** Also moves the instance to this step (`current_node`, one more `rev`) in the same statement; answers whether it did (no tasks: nothing written). */
  opts: { stepInstance?: boolean } = {},
): Promise<boolean> {
  const { ctx, instance } = run;
  const linkOf = async (task: string, decision: 'approved' | 'rejected') =>
    `${run.env.publicUrl}/api/approvals/links/${await signLink(run.env.secrets, {
      tenant: ctx.tenant,
      task,
      decision,
      exp: run.now.getTime() + run.env.linkTtlMs,
    })}`;
  const rows = assignees.map((a) => ({
    instance_id: instance.id,
    node: node.id,
    visit,
    assignee: a.assignee,
    delegated_from: a.delegatedFrom,
    due_at: due,
    created_at: run.now,
  }));
  // Links are signed before the statement, so they need the task ids first: the store makes them.
  const ids = rows.map(() => randomUUID());
  const links = await Promise.all(ids.map(async (id) => [await linkOf(id, 'approved'), await linkOf(id, 'rejected')]));
  const label = node.data.label ?? node.id;
  const recordName = String(run.record[run.object.labelField] ?? run.instance.record_id);
  run.tasksClosed = false;
  if (!rows.length) return false;
  await store.insertTasksWithNotices(
    ctx.db,
    ctx.schema,
    rows.map((r, i) => ({ ...r, id: ids[i] as string })),
    assignees.map((a, i) => {
      const [approve, reject] = links[i] as [string, string];
      return {
        user: a.assignee,
        kind: 'approval.task',
        data: { task: ids[i], instance: instance.id, object: instance.object, record: instance.record_id },
        // Object and step labels from x-i18n, the sentence from notice-text, in every language.
        texts: Object.fromEntries(
          NOTICE_LOCALES.map((lang) => {
            const text = noticeTexts(lang);
            const step = localLabel(label, node.data['x-i18n'] as never, lang);
            const what = `${localLabel(run.object.label, run.object.i18n as never, lang)} ${recordName}`;
            return [
              lang,
              {
                title: text.taskTitle(what, step),
                email: { subject: text.taskSubject(what), body: text.taskBody(what, step, approve, reject) },
              },
            ];
          }),
        ) as LocalizedNotice['texts'],
      };
    }),
    run.now,
    opts.stepInstance ? { id: instance.id, current_node: node.id } : undefined,
  );
  return opts.stepInstance === true;
}

const sameKeys = (a: readonly (string | null)[], b: readonly (string | null)[]) =>
  a.length === b.length && a.every((k, i) => k === b[i]);
