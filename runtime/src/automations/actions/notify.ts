import { notify } from '../../workflows/notify';
import type { Recipient } from '../automation-types';
import { messageIssue } from '../message-template';
import type { AutomationActionType } from './action-type';
import { checkRecipient } from './check-values';
import { recipientsOrAdmins } from './recipients';

export interface NotifyAction {
  type: 'notify';
  to: Recipient[];
  title: string;
  message?: string;
  email?: boolean;
}

/** An in-app notification (and, unless `email: false`, an e-mail) to people named by the rule. */
export const notifyAction: AutomationActionType<NotifyAction> = {
  type: 'notify',
  transactional: true,
  check(action, c) {
    action.to.forEach((r, j) => {
      checkRecipient(c.model, c.object, r, `${c.path}/to/${j}`, c);
    });
    const fields = new Set(c.object.fields.keys());
    for (const key of ['title', 'message'] as const) {
      const text = action[key];
      const problem = text === undefined ? undefined : messageIssue(text, fields);
      if (problem) c.add(`${c.path}/${key}`, problem.message, problem.code, problem.params);
    }
  },
  async run(action, { run, record, renderNamed }) {
    const { users, fallback } = await recipientsOrAdmins(run, record, action.to);
    // "Deal {{record.account}} won" names the account, not its id.
    const title = await renderNamed(action.title);
    const body = action.message ? await renderNamed(action.message) : '';
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
    return { summary: { users, title, ...(fallback ? { fallback: fallback.to, note: fallback.reason } : {}) } };
  },
};
