import { OUTCOME_FIELD } from './palette-texts';
import { localLabel, NOTICE_LOCALES, noticeTexts } from '../notice-text';
import type { LocalizedNotice } from '../notify';
import { eventRow, setFields } from '../transition';
import type { Outcome } from '../workflow-graph';
import { workflowStore as store } from '../workflow-store';
import type { WorkflowNodeType } from './node-type';

/** Ends the instance with an outcome; its fields and the outcome land on the record in one write. */
export const endNode: WorkflowNodeType = {
  type: 'end',
  automatic: false,
  validate(node, c) {
    if (c.out.length) c.issue(c.path, [node.id], 'an end node cannot have outgoing edges', 'end_out');
    if (node.data.outcome !== 'approved' && node.data.outcome !== 'rejected')
      c.issue(
        `${c.path}/data/outcome`,
        [node.id],
        'an end node needs an outcome: "approved" or "rejected"',
        'end_outcome',
      );
  },
  async simulate(node) {
    return { end: node.data.outcome ?? null };
  },
  async execute(run, node) {
    const outcome = (node.data.outcome ?? 'rejected') as Outcome;
    const { ctx, instance } = run;
    await setFields(run, node, { ...(node.data.set ?? {}) }, outcome);
    if (!run.tasksClosed) await store.cancelOpenTasks(ctx.db, ctx.schema, instance.id, run.now);
    run.tasksClosed = true;
    const recordName = String(run.record[run.object.labelField] ?? instance.record_id);
    // The state, the history and the submitter's notice (in their language) in one statement.
    const state = await store.finishInstance(
      ctx.db,
      ctx.schema,
      instance.id,
      { status: outcome, current_node: node.id, finished_at: run.now },
      eventRow(run, 'completed', node.id, { outcome }),
      [
        {
          user: instance.submitted_by,
          kind: `approval.${outcome}`,
          data: { instance: instance.id, object: instance.object, record: instance.record_id, outcome },
          texts: Object.fromEntries(
            NOTICE_LOCALES.map((lang) => [
              lang,
              {
                title: noticeTexts(lang).outcome(
                  `${localLabel(run.object.label, run.object.i18n as never, lang)} ${recordName}`,
                  outcome,
                ),
              },
            ]),
          ) as LocalizedNotice['texts'],
        },
      ],
    );
    run.instance = { ...instance, ...state };
    return null;
  },
  palette: {
    label: { en: 'End', 'zh-CN': '结束' },
    order: 4,
    icon: 'circle-stop',
    color: '#cbd5e1',
    accent: '#64748b',
    initialData: { outcome: 'approved' },
    handles: [],
    fields: [OUTCOME_FIELD('outcome', { en: 'Outcome', 'zh-CN': '结果' }), { key: 'set', widget: 'field-values' }],
    summary: { parts: ['outcome', 'set'], separator: ' · ' },
    variant: {
      key: 'outcome',
      icons: { approved: 'circle-check' },
      accents: { approved: '#16a34a', rejected: '#dc2626' },
    },
  },
};
