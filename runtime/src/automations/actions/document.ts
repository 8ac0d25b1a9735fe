import { attachDocument } from '../attach-document';
import { messageIssue, renderMessage } from '../message-template';
import type { AutomationActionType } from './action-type';

export interface DocumentAction {
  type: 'document';
  template: string;
  fileName?: string;
}

/** Prints the record with an HTML print template to PDF and attaches it. */
export const documentAction: AutomationActionType<DocumentAction> = {
  type: 'document',
  check(action, c) {
    if (!c.templates.has(action.template))
      c.add(
        `${c.path}/template`,
        `unknown print template "${action.template}" of ${c.object.name}`,
        'unknown_template',
        {
          template: action.template,
        },
      );
    const problem = action.fileName ? messageIssue(action.fileName, new Set(c.object.fields.keys())) : undefined;
    if (problem) c.add(`${c.path}/fileName`, problem.message, problem.code, problem.params);
  },
  async run(action, { services, run, record }) {
    const name = action.fileName ? renderMessage(action.fileName, { record, rule: run.label }) : undefined;
    // Rendered as who caused the run (record owner for schedules), never as the system.
    const author = run.user ? String(run.user.id) : null;
    const file = await attachDocument(services, run.tx, run.object, String(record.id), action.template, {
      author,
      ...(name ? { fileName: name } : {}),
    });
    return { summary: { template: action.template, file: file.id } };
  },
};
