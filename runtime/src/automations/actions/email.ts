import { SYSTEM_TABLE as T } from '../../model/naming';
import { authorCtx } from '../attach-document';
import type { Recipient } from '../automation-types';
import { messageIssue } from '../message-template';
import type { AutomationActionType } from './action-type';
import { checkRecipient } from './check-values';
import { recipients } from './recipients';

export interface EmailAction {
  type: 'email';
  to: Recipient[];
  /** An HTML print template of the rule's object: the body. */
  template: string;
  subject: string;
}

/**
 * An e-mail whose body is the record printed with a print template (as plain text), queued in the
 * e-mail outbox for each recipient. Rendered with the permissions of who caused the run (the owner
 * for schedules), like the `document` action: hidden fields print blank.
 */
export const emailAction: AutomationActionType<EmailAction> = {
  type: 'email',
  transactional: true,
  check(action, c) {
    action.to.forEach((r, j) => {
      checkRecipient(c.model, c.object, r, `${c.path}/to/${j}`, c);
    });
    if (!c.templates.has(action.template))
      c.add(
        `${c.path}/template`,
        `unknown print template "${action.template}" of ${c.object.name}`,
        'unknown_template',
        {
          template: action.template,
        },
      );
    const problem = messageIssue(action.subject, new Set(c.object.fields.keys()));
    if (problem) c.add(`${c.path}/subject`, problem.message, problem.code, problem.params);
  },
  async run(action, { services, run, record, renderNamed }) {
    const id = String(record.id);
    const as = await authorCtx(run.tx, run.object, id, run.user ? String(run.user.id) : null);
    const body = await services.documents.printText(as, run.object, id, action.template);
    const subject = (await renderNamed(action.subject)).slice(0, 500);
    const users = await recipients(run, record, action.to);
    const rows = users.length
      ? await run.tx.db
          .withSchema(run.tx.schema)
          .from(T.users)
          .whereIn('id', users)
          .where('active', true)
          .select('email')
      : [];
    if (rows.length)
      await run.tx.db
        .withSchema(run.tx.schema)
        .insert(rows.map((u: { email: string }) => ({ to_address: u.email, subject, body, created_at: run.now })))
        .into(T.emailOutbox);
    return { summary: { users, subject, template: action.template } };
  },
};
