/**
 * E-mail to case: a message received at a tenant's inbound address becomes a record (a service case)
 * or, when it answers one, an entry in that record's timeline; a user's reply from the record goes
 * out through the e-mail outbox with headers that bring the customer's next answer back to it.
 *
 * Every record change goes through the records engine with a change cause of kind `email`; the
 * message ids of what came in and went out are kept in `_inbound_mail` for threading, duplicate
 * deliveries and loop detection (docs/email-to-case.md).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { AddressObject, ParsedMail } from 'mailparser';
import { changeCause } from '../change-cause';
import type { Clock } from '../clock';
import type { Ctx } from '../ctx';
import type { FileService } from '../documents/file-service';
import { badRequest, isAppError, notFound, validationFailed } from '../errors';
import { mailparser } from '../lazy-module';
import type { Logger } from '../logger';
import type { Model, ObjectModel } from '../model/load-model';
import { SYSTEM_TABLE as T } from '../model/naming';
import type { RecordData } from '../records/record-hooks';
import type { RecordService } from '../records/record-service';
import type { RateLimiter } from '../security/rate-limiter';
import { systemCtx } from '../system-ctx';
import { runInUnitOfWork, type TxCtx } from '../tx/unit-of-work';
import { automaticReason, normaliseId, referencedIds, subjectTokens } from './classify-message';
import {
  type InboundAddress,
  type InboundMailSettings,
  InboundMailSettingsStore,
  parseInboundMailSettings,
} from './inbound-mail-settings';

export interface InboundMailConfig {
  /** Largest message accepted (bytes, the SMTP SIZE limit); bigger ones are refused with 552. */
  maxBytes: number;
  /** Messages one sender address may deliver per hour, across tenants (more: 450, try later). */
  perSenderPerHour: number;
}

export const defaultInboundMailConfig: InboundMailConfig = { maxBytes: 25 * 1024 * 1024, perSenderPerHour: 30 };

export type ReceiveOutcome =
  | { kind: 'created'; object: string; id: string; automatic: boolean; acknowledged: boolean }
  | { kind: 'commented'; object: string; id: string; automatic: boolean }
  | { kind: 'duplicate' | 'loop'; reason: string };

export interface ReplyResult {
  /** The outbox row. */
  id: string;
  to: string;
  subject: string;
  messageId: string;
}

/** What `replyTarget` tells a screen before it offers a reply box. */
export interface ReplyTarget {
  /** An inbound address receives records of this object, so replies can go out from it. */
  receives: boolean;
  /** The user may update the record, as replying needs. */
  allowed: boolean;
  /** The customer's address the reply would go to; null when the record has none. */
  to: string | null;
  subject: string | null;
}

/** Longest text kept from a message body in a record field that has no length of its own. */
const MAX_BODY_CHARS = 10_000;
const MAX_REPLY_CHARS = 20_000;

/** Fields the records are written through, found by convention on the configured object. */
interface CaseShape {
  object: ObjectModel;
  subject?: string;
  body?: string;
  contact?: string;
  account?: string;
  channel?: string;
  number?: string;
  /** The timeline object a follow-up message becomes (activity) and its link to the case. */
  comment?: { object: ObjectModel; link: string };
}

interface Sender {
  /** Lower-cased. */
  address: string;
  /** As the message wrote it. */
  written: string;
  name: string;
}

export class InboundMailService {
  readonly settings: InboundMailSettingsStore;

  constructor(
    private readonly deps: {
      db: Knex;
      meta: { model(ctx: Ctx): Promise<Model> };
      records: RecordService;
      files: FileService;
      limiter: RateLimiter;
      clock: Clock;
      logger: Logger;
    },
    readonly config: InboundMailConfig,
  ) {
    this.settings = new InboundMailSettingsStore(deps.db);
  }

  /** The tenant and address settings of a recipient, or undefined when nobody receives there. */
  recipient(address: string) {
    return this.settings.find(address);
  }

  /** One unit of a sender's hourly budget (a looping auto-responder stops here). */
  takeSenderBudget(sender: string) {
    return this.deps.limiter.take(`inbound-mail:${sender.trim().toLowerCase()}`, 1, this.config.perSenderPerHour, 3600);
  }

  async getSettings(tenant: string): Promise<InboundMailSettings> {
    return this.settings.read(tenant);
  }

  /** Replaces a tenant's inbound addresses; each names an object of its model and an active user. */
  async putSettings(tenant: string, body: unknown): Promise<InboundMailSettings> {
    const settings = parseInboundMailSettings(body);
    const ctx = await systemCtx(this.deps.db, tenant);
    await this.settings.read(tenant); // 404 for an unknown tenant before anything else.
    const model = await this.deps.meta.model(ctx);
    const fields: Record<string, string> = {};
    for (const [i, a] of settings.addresses.entries()) {
      const object = model.objects.get(a.object);
      if (!object) fields[`addresses.${i}.object`] = `no object "${a.object}" in this tenant`;
      else if (!shapeOf(model, object).subject) fields[`addresses.${i}.object`] = 'has no text field for the subject';
      const user = await ctx.db.withSchema(ctx.schema).from(T.users).where({ id: a.owner, active: true }).first('id');
      if (!user) fields[`addresses.${i}.owner`] = 'no active user with this id';
    }
    if (Object.keys(fields).length) throw validationFailed('Invalid inbound e-mail settings', fields);
    await this.settings.write(tenant, settings);
    return settings;
  }

  /**
   * Takes one message delivered to `entry.address` of `tenant`. A malformed message that cannot be
   * parsed at all is refused (400); a missing object or owner is a configuration fault (thrown, so the
   * listener answers "try later" and the sender's server keeps the message).
   */
  async receive(tenant: string, entry: InboundAddress, raw: Buffer, envelopeFrom: string): Promise<ReceiveOutcome> {
    let mail: ParsedMail;
    try {
      mail = await mailparser().simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true, keepCidLinks: false });
    } catch (err) {
      throw badRequest(`The message could not be read: ${String((err as Error)?.message ?? err).slice(0, 200)}`);
    }
    const sender = senderOf(mail, envelopeFrom);
    if (!sender) throw badRequest('The message names no sender address');
    // A message without a Message-ID still gets a stable one, so a retried delivery is seen as a duplicate.
    const messageId = mail.messageId
      ? normaliseId(mail.messageId)
      : `sha256-${createHash('sha256').update(raw).digest('hex')}@forma.invalid`;
    const subject = (mail.subject ?? '').replace(/\s+/g, ' ').trim();
    const base = await systemCtx(this.deps.db, tenant);
    const ctx: Ctx = {
      ...base,
      cause: changeCause('email', `E-mail from ${sender.address}: ${subject || '(no subject)'}`, {
        messageId,
        to: entry.address,
      }),
    };
    const settings = await this.settings.read(tenant);
    if (settings.addresses.some((a) => a.address === sender.address))
      return { kind: 'loop', reason: 'sent from one of our own inbound addresses' };
    const seen = await this.seen(ctx, messageId);
    if (seen === 'out') return { kind: 'loop', reason: 'one of our own messages came back' };
    if (seen === 'in') return { kind: 'duplicate', reason: 'this message was received before' };
    const automatic = automaticReason(mail.headers, envelopeFrom);

    const model = await this.deps.meta.model(ctx);
    const object = model.objects.get(entry.object);
    if (!object) throw new Error(`Inbound address ${entry.address}: tenant ${tenant} has no object "${entry.object}"`);
    const shape = shapeOf(model, object);
    const contact = await this.matchContact(ctx, model, sender);
    const { kept, skipped } = this.attachments(mail);
    const text = bodyText(mail, sender, skipped);

    return runInUnitOfWork(ctx, async (tx) => {
      const existing = await this.thread(tx, shape, mail, subject, sender.address);
      let outcome: ReceiveOutcome;
      let recordId: string;
      if (existing) {
        recordId = existing;
        await this.comment(tx, shape, recordId, subject, text, contact);
        if (!automatic) await this.customerAnswered(tx, shape, recordId);
        outcome = { kind: 'commented', object: object.name, id: recordId, automatic: Boolean(automatic) };
      } else {
        const payload: RecordData = {};
        if (shape.subject) payload[shape.subject] = clip(subject || '(no subject)', object, shape.subject);
        if (shape.body) payload[shape.body] = clip(text, object, shape.body);
        if (shape.channel) payload[shape.channel] = 'email';
        if (contact && shape.contact) payload[shape.contact] = contact.id;
        if (contact?.account && shape.account) payload[shape.account] = contact.account;
        const { created } = await this.deps.records.createMany(tx, object.name, [payload], { owner: entry.owner });
        recordId = String(created[0]?.id);
        const acknowledged = entry.acknowledge && !automatic;
        outcome = { kind: 'created', object: object.name, id: recordId, automatic: Boolean(automatic), acknowledged };
      }
      for (const file of kept) {
        try {
          await this.deps.files.attachGenerated(tx, object.name, recordId, file);
        } catch (e) {
          // The files service refuses before writing (a name or body it will not take): the
          // message is still worth keeping without that one file. Anything else fails the message.
          if (!isAppError(e) || !['BAD_REQUEST', 'TOO_LARGE'].includes(e.code)) throw e;
          this.deps.logger.warn({ err: e, tenant, file: file.name }, 'inbound mail: attachment not kept');
        }
      }
      await tx.db
        .withSchema(tx.schema)
        .insert({
          message_id: messageId,
          direction: 'in',
          object: object.name,
          record_id: recordId,
          address: sender.address,
          subject: subject.slice(0, 500),
          automatic: Boolean(automatic),
          created_at: this.deps.clock.now(),
        })
        .into(T.inboundMail);
      if (outcome.kind === 'created' && outcome.acknowledged) {
        const number = await this.numberOf(tx, shape, recordId);
        await this.queue(tx, shape, recordId, entry, {
          to: sender.address,
          subject: threadSubject(subject, number),
          body:
            `We have received your message${number ? ` and opened case ${number}` : ''}.\n` +
            'Reply to this e-mail to add to it.\n',
          createdBy: null,
          // RFC 3834: an automatic answer says so, so the other side's responder stays quiet.
          headers: { 'Auto-Submitted': 'auto-replied' },
        });
      }
      return outcome;
    });
  }

  /**
   * A user's answer from a record: queued in the e-mail outbox to the record's correspondent (the
   * last person who wrote in, else its contact), with the record's number in the subject and
   * In-Reply-To/References of the conversation, so the customer's next reply threads back here.
   * Replying needs the record's update scope.
   */
  async reply(ctx: Ctx, objectName: string, id: string, input: { body: unknown }): Promise<ReplyResult> {
    const body = typeof input.body === 'string' ? input.body.trim() : '';
    if (!body) throw validationFailed('The reply is empty', { body: 'required' });
    if (body.length > MAX_REPLY_CHARS)
      throw validationFailed('The reply is too long', { body: `at most ${MAX_REPLY_CHARS} characters` });
    const settings = await this.settings.read(ctx.tenant);
    const entry = settings.addresses.find((a) => a.object === objectName);
    await this.deps.records.resolve(ctx, objectName, id, { columns: ['id'], op: 'update' });
    if (!entry) throw badRequest(`No inbound e-mail address receives ${objectName} records; replies go out from one`);
    const { shape, to, subject } = await this.correspondent(ctx, objectName, id);
    if (!to) throw badRequest('This record has no customer e-mail address to reply to');
    return runInUnitOfWork(ctx, (tx) =>
      this.queue(tx, shape, id, entry, { to, subject, body, createdBy: ctx.user.id, headers: {} }),
    );
  }

  /**
   * Whether `reply` would accept a reply on this record, and where it would go, so a screen offers
   * the reply box only where sending can work. A record outside the read scope is not found; the
   * missing update scope or inbound address is an answer, not an error, because most records of
   * most objects simply take no replies.
   */
  async replyTarget(ctx: Ctx, objectName: string, id: string): Promise<ReplyTarget> {
    await this.deps.records.resolve(ctx, objectName, id, { columns: ['id'] });
    const settings = await this.settings.read(ctx.tenant);
    if (!settings.addresses.some((a) => a.object === objectName))
      return { receives: false, allowed: false, to: null, subject: null };
    const allowed = await this.deps.records.resolve(ctx, objectName, id, { columns: ['id'], op: 'update' }).then(
      () => true,
      (e) => {
        if (isAppError(e) && e.code === 'FORBIDDEN') return false;
        throw e;
      },
    );
    const { to, subject } = await this.correspondent(ctx, objectName, id);
    return { receives: true, allowed, to: to ?? null, subject };
  }

  /** Who a reply about the record goes to (the last person who wrote in, else its contact) and its subject. */
  private async correspondent(
    ctx: Ctx,
    objectName: string,
    id: string,
  ): Promise<{ shape: CaseShape; to: string | undefined; subject: string }> {
    const model = await this.deps.meta.model(ctx);
    const object = model.objects.get(objectName);
    if (!object) throw notFound(`Unknown object: ${objectName}`);
    const shape = shapeOf(model, object);
    const record = await this.deps.records.get(ctx, objectName, id);
    const lastIn = await ctx.db
      .withSchema(ctx.schema)
      .from(T.inboundMail)
      .where({ object: objectName, record_id: id, direction: 'in', automatic: false })
      .orderBy('created_at', 'desc')
      .first('address', 'subject');
    let to: string | undefined = lastIn?.address;
    if (!to && shape.contact && typeof record[shape.contact] === 'string') {
      const c = await this.deps.records
        .get(ctx, 'contact', record[shape.contact] as string, { fields: 'id,email' })
        .catch(() => undefined);
      if (typeof c?.email === 'string' && c.email) to = c.email;
    }
    const number = shape.number ? String(record[shape.number] ?? '') : '';
    const baseSubject =
      (shape.subject && typeof record[shape.subject] === 'string' ? record[shape.subject] : lastIn?.subject) ?? '';
    return { shape, to, subject: threadSubject(String(baseSubject), number) };
  }

  /** Queues one threaded e-mail about a record and remembers its Message-ID as ours. */
  private async queue(
    tx: TxCtx,
    shape: CaseShape,
    recordId: string,
    entry: InboundAddress,
    mail: { to: string; subject: string; body: string; createdBy: string | null; headers: Record<string, string> },
  ): Promise<ReplyResult> {
    const history = await tx.db
      .withSchema(tx.schema)
      .from(T.inboundMail)
      .where({ object: shape.object.name, record_id: recordId })
      .orderBy('created_at', 'desc')
      .limit(20)
      .select('message_id', 'direction');
    const lastIn = history.find((h: { direction: string }) => h.direction === 'in');
    const domain = entry.address.split('@')[1] ?? 'forma.invalid';
    const messageId = `forma.${randomUUID()}@${domain}`;
    const now = this.deps.clock.now();
    const [row] = await tx.db
      .withSchema(tx.schema)
      .insert({
        to_address: mail.to,
        subject: mail.subject,
        body: mail.body,
        created_at: now,
        object: shape.object.name,
        record_id: recordId,
        created_by: mail.createdBy,
        threading: JSON.stringify({
          messageId: `<${messageId}>`,
          ...(lastIn ? { inReplyTo: `<${lastIn.message_id}>` } : {}),
          references: history.map((h: { message_id: string }) => `<${h.message_id}>`).reverse(),
          replyTo: entry.address,
          headers: mail.headers,
        }),
      })
      .into(T.emailOutbox)
      .returning('id');
    await tx.db
      .withSchema(tx.schema)
      .insert({
        message_id: messageId,
        direction: 'out',
        object: shape.object.name,
        record_id: recordId,
        address: mail.to,
        subject: mail.subject.slice(0, 500),
        created_at: now,
      })
      .into(T.inboundMail);
    return { id: row.id, to: mail.to, subject: mail.subject, messageId: `<${messageId}>` };
  }

  private async seen(ctx: Ctx, messageId: string): Promise<'in' | 'out' | undefined> {
    const rows = await ctx.db
      .withSchema(ctx.schema)
      .from(T.inboundMail)
      .where({ message_id: messageId })
      .pluck('direction');
    return rows.includes('out') ? 'out' : rows.includes('in') ? 'in' : undefined;
  }

  /**
   * The record a message answers: one whose messages its In-Reply-To/References name (ids are
   * long random strings, so knowing one means having been in the conversation), else a record whose
   * number the subject names — only when the sender already wrote about it or is its contact, so a
   * guessed number cannot post into someone else's case.
   */
  private async thread(tx: TxCtx, shape: CaseShape, mail: ParsedMail, subject: string, sender: string) {
    const refs = referencedIds(mail.inReplyTo, mail.references);
    if (refs.length) {
      const rows = await tx.db
        .withSchema(tx.schema)
        .from(T.inboundMail)
        .whereIn('message_id', refs)
        .where('object', shape.object.name)
        .select('message_id', 'record_id');
      for (const ref of refs) {
        const hit = rows.find((r: { message_id: string }) => r.message_id === ref);
        if (hit && (await this.live(tx, shape, hit.record_id))) return hit.record_id as string;
      }
    }
    const tokens = subjectTokens(subject);
    if (!shape.number || !tokens.length) return undefined;
    const page = await this.deps.records.list(tx, shape.object.name, {
      filter: { [shape.number]: { in: tokens } },
      fields: ['id', shape.contact].filter(Boolean).join(','),
      limit: 1,
    });
    const record = page.items[0];
    if (!record) return undefined;
    const id = String(record.id);
    const wrote = await tx.db
      .withSchema(tx.schema)
      .from(T.inboundMail)
      .where({ object: shape.object.name, record_id: id, address: sender })
      .first('id');
    if (wrote) return id;
    if (shape.contact && typeof record[shape.contact] === 'string') {
      const c = await this.deps.records
        .get(tx, 'contact', record[shape.contact] as string, { fields: 'id,email' })
        .catch(() => undefined);
      if (typeof c?.email === 'string' && c.email.toLowerCase() === sender) return id;
    }
    return undefined;
  }

  /** A record deleted since (in the recycle bin) takes no more mail: the answer opens a new case. */
  private async live(tx: TxCtx, shape: CaseShape, id: string): Promise<boolean> {
    try {
      await this.deps.records.resolve(tx, shape.object.name, id, { columns: ['id'] });
      return true;
    } catch (e) {
      if (isAppError(e) && e.code === 'NOT_FOUND') return false;
      throw e;
    }
  }

  /**
   * A case waiting for the customer is theirs to move again once they answer: `waiting` →
   * `in_progress` (when the object's status has both). A case locked by a pending approval keeps
   * its status; the answer is recorded all the same.
   */
  private async customerAnswered(tx: TxCtx, shape: CaseShape, id: string) {
    const status = shape.object.fields.get('status');
    if (!status?.enum?.includes('waiting') || !status.enum.includes('in_progress')) return;
    const current = await this.deps.records.get(tx, shape.object.name, id, { fields: 'id,status' });
    if (current.status !== 'waiting') return;
    try {
      await this.deps.records.systemUpdate(
        tx,
        shape.object.name,
        id,
        { status: 'in_progress' },
        {
          cause: tx.cause ?? changeCause('email', 'E-mail from the customer'),
        },
      );
    } catch (e) {
      if (!isAppError(e) || !['RECORD_LOCKED', 'CONFLICT'].includes(e.code)) throw e;
    }
  }

  /** A follow-up message as an activity on the record's timeline (an e-mail, done). */
  private async comment(
    tx: TxCtx,
    shape: CaseShape,
    recordId: string,
    subject: string,
    text: string,
    contact: { id: string; account: string | null } | undefined,
  ) {
    const target = shape.comment;
    if (!target) return; // Without a timeline object the message is kept only as its files and its message row.
    const o = target.object;
    const payload: RecordData = { [target.link]: recordId };
    if (o.labelField !== 'id' && o.labelField !== target.link)
      payload[o.labelField] = clip(subject || '(no subject)', o, o.labelField);
    const body = ['notes', 'description', 'body', 'comment'].find((f) => isText(o, f) && f !== o.labelField);
    if (body) payload[body] = clip(text, o, body);
    if (o.fields.get('type')?.enum?.includes('email')) payload.type = 'email';
    if (o.fields.get('status')?.enum?.includes('done')) payload.status = 'done';
    if (contact && o.fields.get('contact')?.ref === 'contact') payload.contact = contact.id;
    if (contact?.account && o.fields.get('account')?.ref === 'account') payload.account = contact.account;
    // Owned like the case (whoever it is assigned to now), so it shows where the case does.
    const owner = await this.deps.records.get(tx, shape.object.name, recordId, { fields: 'id,owner' });
    await this.deps.records.createMany(tx, o.name, [payload], {
      ...(typeof owner.owner === 'string' ? { owner: owner.owner } : {}),
    });
  }

  /** The contact whose e-mail is the sender's (the oldest, when several share it). */
  private async matchContact(ctx: Ctx, model: Model, sender: Sender) {
    const contact = model.objects.get('contact');
    if (!contact?.fields.get('email')) return undefined;
    const withAccount = contact.fields.get('account')?.ref === 'account';
    const page = await this.deps.records.list(ctx, 'contact', {
      // As written in the message and lower-cased: contacts are usually typed one of these ways.
      filter: { email: { in: [...new Set([sender.address, sender.written])] } },
      sort: 'created_at',
      fields: withAccount ? 'id,account' : 'id',
      limit: 1,
    });
    const hit = page.items[0];
    if (!hit) return undefined;
    return { id: String(hit.id), account: typeof hit.account === 'string' ? hit.account : null };
  }

  /** Attachments within the file size limit; the others are named in the text instead. */
  private attachments(mail: ParsedMail) {
    const kept: Array<{ name: string; contentType: string; data: Buffer }> = [];
    const skipped: string[] = [];
    for (const a of mail.attachments ?? []) {
      // A name that is only a path or dots ("..", "a/") would be refused by the files service.
      const base = (a.filename ?? '').split(/[\\/]/).pop()?.trim() ?? '';
      const name = base && base !== '.' && base !== '..' ? base : `attachment-${kept.length + skipped.length + 1}`;
      if (!a.content?.length) continue;
      if (a.content.length > this.deps.files.maxBytes) {
        skipped.push(`${name} (${a.content.length} bytes, over the ${this.deps.files.maxBytes}-byte file limit)`);
        continue;
      }
      kept.push({ name, contentType: a.contentType || 'application/octet-stream', data: a.content });
    }
    return { kept, skipped };
  }

  private async numberOf(tx: TxCtx, shape: CaseShape, id: string): Promise<string> {
    if (!shape.number) return '';
    const r = await this.deps.records.get(tx, shape.object.name, id, { fields: `id,${shape.number}` });
    return String(r[shape.number] ?? '');
  }
}

/** The fields of `object` e-mail writes, by their conventional names (docs/email-to-case.md). */
function shapeOf(model: Model, object: ObjectModel): CaseShape {
  const has = (name: string) => {
    const f = object.fields.get(name);
    return f && !f.system && !f.readOnly ? f : undefined;
  };
  const subject = isText(object, 'subject')
    ? 'subject'
    : isText(object, object.labelField) && !object.fields.get(object.labelField)?.readOnly
      ? object.labelField
      : undefined;
  const body = ['description', 'body', 'notes'].find((f) => isText(object, f) && f !== subject);
  const number = object.autonumbers[0]?.name;
  const contact = has('contact')?.ref === 'contact' ? 'contact' : undefined;
  const account = has('account')?.ref === 'account' ? 'account' : undefined;
  const channel = has('channel')?.enum?.includes('email') ? 'channel' : undefined;
  // Prefer `activity`, then any other timeline object with a lookup to this one.
  const timeline = [...model.objects.values()]
    .filter((o) => o.definition['x-timeline'] === true)
    .sort((a, b) => (a.name === 'activity' ? -1 : b.name === 'activity' ? 1 : a.name.localeCompare(b.name)));
  let comment: CaseShape['comment'];
  for (const o of timeline) {
    const link = o.customFields.find((f) => f.ref === object.name && !f.readOnly);
    if (link) {
      comment = { object: o, link: link.name };
      break;
    }
  }
  return {
    object,
    ...(subject ? { subject } : {}),
    ...(body ? { body } : {}),
    ...(contact ? { contact } : {}),
    ...(account ? { account } : {}),
    ...(channel ? { channel } : {}),
    ...(number ? { number } : {}),
    ...(comment ? { comment } : {}),
  };
}

function isText(object: ObjectModel, name: string): boolean {
  const f = object.fields.get(name);
  return Boolean(
    f &&
      !f.system &&
      !f.readOnly &&
      !f.enum &&
      f.columnType &&
      f.valueSchema?.type === 'string' &&
      !f.ref &&
      !f.valueSchema.format,
  );
}

function clip(value: string, object: ObjectModel, field: string): string {
  const max = object.fields.get(field)?.maxLength ?? MAX_BODY_CHARS;
  return value.length > max ? `${value.slice(0, max - 1)}…` : value;
}

function senderOf(mail: ParsedMail, envelopeFrom: string): Sender | undefined {
  const from = (Array.isArray(mail.from) ? mail.from[0] : mail.from) as AddressObject | undefined;
  const first = from?.value?.find((v) => typeof v.address === 'string' && v.address.includes('@'));
  const written = (first?.address ?? envelopeFrom ?? '').trim();
  if (!written.includes('@') || written.length > 254) return undefined;
  return { address: written.toLowerCase(), written, name: (first?.name ?? '').trim().slice(0, 200) };
}

/** The message as people read it: who sent it, its text, and which attachments were not kept. */
function bodyText(mail: ParsedMail, sender: Sender, skipped: string[]): string {
  const from = sender.name ? `${sender.name} <${sender.address}>` : sender.address;
  const text = (mail.text ?? '').replace(/\r\n/g, '\n').trim();
  const lines = [`From: ${from}`, '', text || '(no text)'];
  if (skipped.length) lines.push('', 'Attachments not kept:', ...skipped.map((s) => `- ${s}`));
  return lines.join('\n').slice(0, MAX_BODY_CHARS);
}

/** `Re: <subject> [<number>]`, without stacking prefixes or repeating the number. */
function threadSubject(subject: string, number: string): string {
  const bare = subject.replace(/^\s*((re|aw|fwd?|sv|回复|答复)\s*:\s*)+/i, '').trim() || '(no subject)';
  const tagged = number && !bare.includes(`[${number}]`) ? `${bare} [${number}]` : bare;
  return `Re: ${tagged}`.slice(0, 250);
}
