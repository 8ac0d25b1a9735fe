import type { Knex } from 'knex';
import { SYSTEM_TABLE as T } from '../model/naming';
import { NOTICE_LOCALE_SQL, type NoticeLocale } from './notice-text';

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

/** A notice written in each recipient's own language: one text per language, chosen in SQL. */
export interface LocalizedNotice {
  user: string;
  kind: string;
  data?: Record<string, unknown>;
  texts: Record<NoticeLocale, { title: string; email?: { subject: string; body: string } }>;
}

/**
 * The CTEs that write `notices` (their notifications and, where a text has an e-mail, the e-mail of
 * an active recipient) inside a larger statement of the caller's transaction: the recipients'
 * language and address are read by the same statement, so a step's notices cost no round trip of
 * their own and still exist exactly when the transition committed.
 */
export function noticeCtes(schema: string, notices: readonly LocalizedNotice[], at: Date): SqlPart {
  if (!notices.length) return { sql: '', bindings: [] };
  const rows = notices.map((n) => ({
    user_id: n.user,
    kind: n.kind,
    data: n.data ?? {},
    texts: Object.fromEntries(
      Object.entries(n.texts).map(([lang, t]) => [
        lang,
        {
          title: t.title.slice(0, 500),
          ...(t.email ? { subject: t.email.subject.slice(0, 500), body: t.email.body } : {}),
        },
      ]),
    ),
  }));
  return {
    sql: `notice_rows as (
        select v.user_id, v.kind, v.data, v.texts -> (${NOTICE_LOCALE_SQL('u.locale')}) as text, u.email, u.active
        from jsonb_to_recordset(?::jsonb) as v(user_id uuid, kind text, data jsonb, texts jsonb)
        left join ?? as u on u.id = v.user_id
      ), notices_written as (
        insert into ?? (user_id, kind, title, body, data, created_at)
        select user_id, kind, text ->> 'title', null, data, ? from notice_rows
      ), emails_written as (
        insert into ?? (to_address, subject, body, created_at)
        select email, text ->> 'subject', text ->> 'body', ? from notice_rows
        where active and (text ->> 'subject') is not null
      )`,
    bindings: [
      JSON.stringify(rows),
      `${schema}.${T.users}`,
      `${schema}.${T.notifications}`,
      at,
      `${schema}.${T.emailOutbox}`,
      at,
    ],
  };
}

/** A fragment of a statement and its bindings (knex raw: `?` values, `??` identifiers). */
export interface SqlPart {
  sql: string;
  bindings: Knex.RawBinding[];
}

/** Writes notices in one statement of their own (when no other statement of the step carries them). */
export async function notifyAll(
  trx: Knex.Transaction,
  schema: string,
  notices: readonly LocalizedNotice[],
  at: Date,
): Promise<void> {
  const part = noticeCtes(schema, notices, at);
  if (part.sql) await trx.raw(`with ${part.sql} select 1`, part.bindings);
}
