import { NEXT } from './palette-texts';
import { scriptFailed } from '../../errors';
import type { RecordData } from '../../scripts';
import { event, scriptUser, setFields } from '../transition';
import type { Run } from '../workflow-env';
import type { WorkflowNode } from '../workflow-graph';
import { onlyEdge, type WorkflowNodeType } from './node-type';

/** Sets fields (literal values, then an action script's changes) and may attach a document. */
export const actionNode: WorkflowNodeType = {
  type: 'action',
  automatic: true,
  validate(node, c) {
    if (c.out.length !== 1) c.issue(c.path, [node.id], 'an action node needs exactly one outgoing edge', 'action_out');
    if (!node.data.set && !node.data.script && !node.data.document)
      c.issue(`${c.path}/data`, [node.id], 'an action node needs "set", "script" or "document"', 'action_empty');
  },
  // Scripts are not run in a simulation: the literal fields reach the following conditions.
  async simulate(node, visit) {
    const edge = onlyEdge(visit.graph, node);
    return node.data.set ? { edge, set: node.data.set, record: { ...visit.record, ...node.data.set } } : { edge };
  },
  async execute(run, node) {
    await runAction(run, node);
    return run.graph.out(node.id)[0]?.target ?? '';
  },
  palette: {
    label: { en: 'Action', 'zh-CN': '动作' },
    order: 3,
    icon: 'zap',
    color: '#c4b5fd',
    accent: '#8b5cf6',
    handles: [{ id: 'out', label: NEXT }],
    fields: [
      { key: 'set', widget: 'field-values' },
      { key: 'script', widget: 'script' },
    ],
    summary: { parts: ['set', 'script'], separator: ', ' },
  },
};

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
