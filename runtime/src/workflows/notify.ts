import type { Knex } from 'knex';
import { SYSTEM_TABLE as T } from '../model/naming';

export interface Notice {
  user: string;
  kind: string;
  title: string;
  body?: string;
  data?: Record<string, unknown>;
  /** Also queue an e-mail (to the user's address) with this text. */
  email?: { subject: string; body: string };
}

/**
 * In-app notification plus, when asked, an e-mail row, written in the caller's transaction: a
 * notice exists exactly when the change that caused it committed (nothing lost, nothing doubled).
 */
export async function notify(trx: Knex.Transaction, schema: string, notice: Notice, at: Date): Promise<void> {
  await trx
    .withSchema(schema)
    .insert({
      user_id: notice.user,
      kind: notice.kind,
      title: notice.title.slice(0, 500),
      body: notice.body ?? null,
      data: JSON.stringify(notice.data ?? {}),
      created_at: at,
    })
    .into(T.notifications);
  if (!notice.email) return;
  const user = await trx.withSchema(schema).from(T.users).where({ id: notice.user, active: true }).first('email');
  if (!user) return;
  await trx
    .withSchema(schema)
    .insert({
      to_address: user.email,
      subject: notice.email.subject.slice(0, 500),
      body: notice.email.body,
      created_at: at,
    })
    .into(T.emailOutbox);
}
