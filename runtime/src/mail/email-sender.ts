import fs from 'node:fs/promises';
import type { Knex } from 'knex';
import { fileBodyPath } from '../documents/file-service';
import type { Logger } from '../logger';
import { PLATFORM_SCHEMA, SYSTEM_TABLE as T, tenantSchema } from '../model/naming';

/** What the sender needs of a mail transport (a nodemailer transporter fits). */
export interface MailTransport {
  sendMail(
    msg: {
      from: string;
      to: string;
      subject: string;
      text: string;
      attachments?: Array<{ filename: string; content: Buffer; contentType: string }>;
    } & Partial<Threading>,
  ): Promise<unknown>;
}

/**
 * Headers that thread an e-mail into a conversation (inbound-mail/: replies from a case), kept in
 * the outbox row's `threading` column. `headers` holds extra ones such as `Auto-Submitted`.
 */
export interface Threading {
  messageId: string;
  inReplyTo: string;
  references: string[];
  replyTo: string;
  headers: Record<string, string>;
}

export interface EmailSenderOptions {
  from: string;
  /** Attempts before a row is given up (it stays in the outbox with its last error). */
  maxAttempts?: number;
  /** Rows per tenant per run. */
  batchSize?: number;
  /** Delay after the n-th failed attempt (n ≥ 1). */
  backoffMs?: (attempts: number) => number;
  /** The files directory (`FILES_DIR`) where attachments stored on disk live; absent: all in the database. */
  filesDir?: string;
}

export interface SendReport {
  sent: number;
  failed: number;
}

const defaultBackoff = (n: number) => Math.min(60_000 * 2 ** (n - 1), 6 * 3_600_000);

/**
 * Sends due rows of every active tenant's `_email_outbox`. Each row is claimed in its own
 * transaction with FOR UPDATE SKIP LOCKED and the transaction stays open while the SMTP server
 * answers, so several server processes may run this at once without sending a row twice; a crash
 * mid-send rolls the claim back and the row is tried again (at-least-once, as SMTP allows no better).
 */
export async function sendOutbox(
  db: Knex,
  transport: MailTransport,
  opts: EmailSenderOptions,
  now: Date,
  logger: Logger,
  only?: string[],
): Promise<SendReport> {
  const maxAttempts = opts.maxAttempts ?? 8;
  const batchSize = opts.batchSize ?? 100;
  const backoff = opts.backoffMs ?? defaultBackoff;
  const report: SendReport = { sent: 0, failed: 0 };
  const q = db.withSchema(PLATFORM_SCHEMA).from('tenants').where('status', 'active');
  if (only) q.whereIn('id', only);
  const tenants: string[] = await q.pluck('id');
  for (const tenant of tenants) {
    const schema = tenantSchema(tenant);
    for (let i = 0; i < batchSize; i++) {
      const outcome = await db.transaction(async (trx) => {
        const row = await trx
          .withSchema(schema)
          .from(T.emailOutbox)
          .whereNull('sent_at')
          .where('attempts', '<', maxAttempts)
          .where((w) => w.whereNull('next_attempt_at').orWhere('next_attempt_at', '<=', now))
          .orderBy('created_at')
          .forUpdate()
          .skipLocked()
          .first('id', 'to_address', 'subject', 'body', 'attempts', 'attachment_file', 'threading');
        if (!row) return undefined;
        const rows = trx.withSchema(schema).table(T.emailOutbox).where('id', row.id);
        try {
          const attachments = row.attachment_file
            ? [await attachment(trx, schema, tenant, row.attachment_file, opts.filesDir)]
            : undefined;
          await transport.sendMail({
            from: opts.from,
            to: row.to_address,
            subject: row.subject,
            text: row.body,
            ...(attachments ? { attachments } : {}),
            ...threadingOf(row.threading),
          });
          await rows.update({ sent_at: now, attempts: row.attempts + 1, last_error: null, next_attempt_at: null });
          return 'sent' as const;
        } catch (err) {
          const attempts = row.attempts + 1;
          await rows.update({
            attempts,
            last_error: String((err as Error)?.message ?? err).slice(0, 1000),
            next_attempt_at: new Date(now.getTime() + backoff(attempts)),
          });
          logger.warn({ err, tenant, email: row.id, attempts }, 'e-mail not sent');
          return 'failed' as const;
        }
      });
      if (!outcome) break;
      report[outcome] += 1;
    }
  }
  return report;
}

/** Only the known threading keys of a row's `threading` column reach the transport. */
function threadingOf(value: unknown): Partial<Threading> {
  if (!value || typeof value !== 'object') return {};
  const v = value as Record<string, unknown>;
  const out: Partial<Threading> = {};
  if (typeof v.messageId === 'string') out.messageId = v.messageId;
  if (typeof v.inReplyTo === 'string') out.inReplyTo = v.inReplyTo;
  if (Array.isArray(v.references)) out.references = v.references.filter((r): r is string => typeof r === 'string');
  if (typeof v.replyTo === 'string') out.replyTo = v.replyTo;
  if (v.headers && typeof v.headers === 'object')
    out.headers = Object.fromEntries(
      Object.entries(v.headers as Record<string, unknown>).filter(
        (e): e is [string, string] => typeof e[1] === 'string',
      ),
    );
  return out;
}

/** The `_files` row an e-mail carries; a file deleted meanwhile fails the attempt (the row keeps the error). */
async function attachment(trx: Knex.Transaction, schema: string, tenant: string, id: string, dir?: string) {
  const file = await trx
    .withSchema(schema)
    .from(T.files)
    .where('id', id)
    .first('name', 'content_type', 'size', 'content');
  if (!file) throw new Error('The attachment was deleted before the e-mail was sent');
  let content: Buffer = file.content;
  // An empty body means "in the files directory" (documents/file-service.ts).
  if (content.length === 0 && file.size > 0) {
    if (!dir) throw new Error('The attachment is stored in a files directory that is not configured');
    content = await fs.readFile(fileBodyPath(dir, tenant, id));
  }
  return { filename: file.name as string, content, contentType: file.content_type as string };
}
