/**
 * The customer portal (docs/portal.md): contacts of accounts with portal access sign in with a
 * single-use e-mailed link and see their own account's cases, orders and invoices, open cases,
 * comment on them and attach files.
 *
 * A portal user acts through the records engine like anyone else, with the tenant's portal role
 * (the role whose metadata has `portal`): its `account` scopes compile to the same SQL row
 * predicates as staff scopes, filled with the session's account, and its field levels hide the
 * internal fields. Nothing here filters after fetching. The portal user has no staff identity (its
 * id is the system's, so records it creates have no owner and say no staff member made them); its
 * contact is written on what it creates.
 */
import type { Knex } from 'knex';
import type { RoleDefinition } from '@forma/metadata';
import type { Clock } from '../clock';
import type { RuntimeConfig } from '../config';
import type { Ctx, SessionUser } from '../ctx';
import { advisoryKey } from '../db/advisory-lock';
import type { FileMeta, FileService, FileUpload } from '../documents/file-service';
import { badRequest, notFound, rateLimited, unauthenticated, validationFailed } from '../errors';
import type { MetaService } from '../meta/meta-service';
import type { Model, ObjectModel } from '../model/load-model';
import { isTenantId, qualified, SYSTEM_TABLE as T, tableOf, tenantSchema } from '../model/naming';
import type { PermissionEngine } from '../permissions/object-access';
import type { RecordData } from '../records/record-hooks';
import type { ListResult, RecordService } from '../records/record-service';
import { SYSTEM_USER_ID, systemCtx } from '../system-ctx';
import { hashToken, newSessionToken, tenantOfToken } from '../auth/session-token';

export interface PortalSettings {
  role: string;
  lists: string[];
  cases?: string;
  /** The fields of the "open a case" form; nothing else may be sent. */
  caseForm?: string[];
  comments?: string;
}

export interface PortalField {
  name: string;
  label: string;
  i18n?: unknown;
  kind: string;
  editable: boolean;
  required: boolean;
  /** Choices of a select: value → English label and translations. */
  options?: Array<{ value: string; label: string; i18n?: Record<string, string> }>;
  maxLength?: number;
}

export interface PortalObject {
  name: string;
  label: string;
  i18n?: unknown;
  labelField: string;
  fields: PortalField[];
}

export interface PortalMe {
  contact: { id: string; name: string; email: string };
  account: { id: string; name: string };
  lists: PortalObject[];
  cases: PortalObject | null;
  comments: PortalObject | null;
}

export interface PortalComment {
  id: string;
  body: string;
  createdAt: string;
  /** Written by the signed-in contact (else by the service team or another contact of the account). */
  mine: boolean;
  author: string | null;
}

export interface PortalCase {
  record: RecordData;
  comments: PortalComment[];
  files: Array<Pick<FileMeta, 'id' | 'name' | 'size' | 'contentType' | 'createdAt'>>;
}

export interface PortalDeps {
  db: Knex;
  config: Pick<RuntimeConfig, 'portal' | 'publicUrl'>;
  clock: Clock;
  meta: Pick<MetaService, 'model'>;
  records: Pick<RecordService, 'list' | 'get' | 'create' | 'resolve'>;
  permissions: PermissionEngine;
  files: Pick<FileService, 'list' | 'upload' | 'download'>;
}

/** Fields the portal never shows, whatever the role says: who in the company did what, and when. */
const INTERNAL_SYSTEM = new Set(['owner', 'created_by', 'updated_by', 'deleted_at', 'approval_status', 'version']);
/** Fields the portal sets from the session: the body never chooses them. */
const FROM_SESSION = new Set(['account', 'contact']);
const LINK_REFUSED = 'This sign-in link is not valid any more: ask for a new one';
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export class PortalService {
  constructor(private readonly deps: PortalDeps) {}

  // ---------------------------------------------------------------- sign-in

  /**
   * Queues a sign-in link when `email` belongs to a contact of an account with portal access and
   * the tenant has a portal role; says nothing either way (the route answers 202), so addresses
   * cannot be probed. Requests are counted per e-mail and per client address before anything is
   * looked up: past either limit, 429.
   */
  async requestLink(input: { tenant: string; email: string; ip: string }): Promise<void> {
    const email = input.email.trim().toLowerCase();
    if (!isTenantId(input.tenant) || email.length > 320) return;
    const schema = tenantSchema(input.tenant);
    const { db, clock, config } = this.deps;
    try {
      await this.countRequest(schema, email, input.ip);
    } catch (e) {
      if (isMissingRelation(e)) return;
      throw e;
    }
    if (!EMAIL.test(email)) return;
    const ctx = await systemCtx(db, input.tenant);
    const model = await this.deps.meta.model(ctx);
    if (!portalSettings(model)) return;
    const contact = await this.findContact(schema, model, email);
    if (!contact) return;
    const token = newSessionToken(input.tenant);
    const now = clock.now();
    const minutes = config.portal.linkTtlMinutes;
    const link = `${config.publicUrl}/portal/${input.tenant}/verify#token=${encodeURIComponent(token)}`;
    await db.transaction(async (trx) => {
      await trx
        .withSchema(schema)
        .insert({
          token_hash: hashToken(token),
          contact_id: contact.id,
          account_id: contact.account,
          created_at: now,
          expires_at: new Date(now.getTime() + minutes * 60_000),
        })
        .into(T.portalLinks);
      await trx
        .withSchema(schema)
        .insert({
          to_address: contact.email,
          subject: 'Your sign-in link / 您的登录链接',
          body: [
            `Hello ${contact.name},`,
            '',
            `Sign in to the customer portal with this link. It works once, for ${minutes} minutes:`,
            link,
            '',
            `您好，${contact.name}：`,
            `请用此链接登录客户门户。链接只能使用一次，${minutes} 分钟内有效：`,
            link,
            '',
            'If you did not ask for it, ignore this e-mail. / 如果不是您本人申请，请忽略此邮件。',
          ].join('\n'),
          created_at: now,
        })
        .into(T.emailOutbox);
    });
  }

  /**
   * Spends a link and opens a portal session. The same answer for an unknown, tampered, used or
   * expired link; a link used twice at once opens one session.
   */
  async redeem(input: { tenant: string; token: string; ip: string }): Promise<{ token: string; me: PortalMe }> {
    const tenant = tenantOfToken(input.token);
    if (!tenant || tenant !== input.tenant) throw unauthenticated(LINK_REFUSED);
    const schema = tenantSchema(tenant);
    const now = this.deps.clock.now();
    const session = newSessionToken(tenant);
    try {
      await this.deps.db.transaction(async (trx) => {
        const [link] = (await trx
          .withSchema(schema)
          .from(T.portalLinks)
          .where('token_hash', hashToken(input.token))
          .whereNull('used_at')
          .andWhere('expires_at', '>', now)
          .update({ used_at: now })
          .returning(['contact_id', 'account_id'])) as Array<{ contact_id: string; account_id: string }>;
        if (!link) throw unauthenticated(LINK_REFUSED);
        await trx
          .withSchema(schema)
          .insert({
            token_hash: hashToken(session),
            contact_id: link.contact_id,
            account_id: link.account_id,
            created_at: now,
            expires_at: new Date(now.getTime() + this.deps.config.portal.sessionTtlHours * 3_600_000),
            ip: input.ip,
          })
          .into(T.portalSessions);
      });
    } catch (e) {
      if (isMissingRelation(e)) throw unauthenticated(LINK_REFUSED);
      throw e;
    }
    const ctx = await this.authenticate(tenant, session);
    if (!ctx) throw unauthenticated(LINK_REFUSED);
    return { token: session, me: await this.me(ctx) };
  }

  /**
   * A portal session's context, or null. The session must belong to `tenant` (the route's), and its
   * contact must still belong to an account with portal access: taking access away (or moving the
   * contact to another account) ends the session on its next request.
   */
  async authenticate(tenant: string, token: string, requestId?: string): Promise<Ctx | null> {
    if (tenantOfToken(token) !== tenant) return null;
    const schema = tenantSchema(tenant);
    const { db } = this.deps;
    let row:
      | { contact_id: string; account_id: string; email: string | null; name: string | null; meta_version: number }
      | undefined;
    try {
      row = await db
        .from({ s: qualified(schema, T.portalSessions) })
        .join({ c: qualified(schema, tableOf('contact')) }, 'c.id', 's.contact_id')
        .join({ a: qualified(schema, tableOf('account')) }, 'a.id', 's.account_id')
        .where('s.token_hash', hashToken(token))
        .andWhere('s.expires_at', '>', this.deps.clock.now())
        .andWhereRaw('?? = ??', ['c.account', 's.account_id'])
        .whereNull('c.deleted_at')
        .whereNull('a.deleted_at')
        .andWhere('a.portal_access', true)
        .first(
          's.contact_id',
          's.account_id',
          'c.email',
          db.raw("coalesce(nullif(trim(concat_ws(' ', ??, ??)), ''), ??) as name", [
            'c.first_name',
            'c.last_name',
            'c.email',
          ]),
          db.raw('(select ?? from ??) as ??', ['version', qualified(schema, T.metaState), 'meta_version']),
        );
    } catch (e) {
      // A tenant without the CRM's contacts and accounts (or without the portal tables) has no portal.
      if (isMissingRelation(e) || isMissingColumn(e)) return null;
      throw e;
    }
    if (!row) return null;
    const base = await this.portalRole(tenant, schema, row.meta_version);
    if (!base) return null;
    const user: SessionUser = {
      id: SYSTEM_USER_ID,
      email: row.email ?? '',
      name: row.name ?? '',
      roles: [base.role],
      manager: null,
      locale: null,
      portal: { contact: row.contact_id, account: row.account_id },
    };
    return {
      tenant,
      schema,
      user,
      isAdmin: false,
      db,
      metaVersion: row.meta_version,
      ...(requestId ? { requestId } : {}),
    };
  }

  async logout(token: string): Promise<void> {
    const tenant = tenantOfToken(token);
    if (!tenant) return;
    try {
      await this.deps.db
        .withSchema(tenantSchema(tenant))
        .from(T.portalSessions)
        .where('token_hash', hashToken(token))
        .delete();
    } catch (e) {
      if (!isMissingRelation(e)) throw e;
    }
  }

  // ---------------------------------------------------------------- reads

  /** Who is signed in and what the portal shows them (objects and fields, from the portal role). */
  async me(ctx: Ctx): Promise<PortalMe> {
    const { portal, model, settings } = await this.prepare(ctx);
    const [account] = await this.accountName(ctx, portal.account);
    const describe = (name: string | undefined) =>
      name && model.objects.has(name)
        ? this.describe(ctx, model.object(name), name === settings.cases ? settings.caseForm : undefined)
        : Promise.resolve(null);
    const lists = (await Promise.all(settings.lists.map((o) => describe(o)))).filter((o): o is PortalObject => !!o);
    return {
      contact: { id: portal.contact, name: ctx.user.name, email: ctx.user.email },
      account,
      lists: lists.filter((o) => o.fields.length > 0),
      cases: await describe(settings.cases),
      comments: await describe(settings.comments),
    };
  }

  /** One page of a portal list, newest first, with the fields the portal shows. */
  async list(ctx: Ctx, object: string, opts: { cursor?: string; limit?: number } = {}): Promise<ListResult> {
    const { model, settings } = await this.prepare(ctx);
    if (!settings.lists.includes(object) || !model.objects.has(object)) throw notFound(`Unknown list: ${object}`);
    const fields = await this.shown(ctx, model.object(object));
    return this.deps.records.list(ctx, object, {
      fields: fields.join(','),
      sort: '-created_at',
      limit: opts.limit ?? 50,
      ...(opts.cursor ? { cursor: opts.cursor } : {}),
    });
  }

  async get(ctx: Ctx, object: string, id: string): Promise<RecordData> {
    const { model, settings } = await this.prepare(ctx);
    if (!settings.lists.includes(object) || !model.objects.has(object)) throw notFound(`Unknown list: ${object}`);
    const fields = await this.shown(ctx, model.object(object));
    return this.deps.records.get(ctx, object, id, { fields: fields.join(',') });
  }

  /** A case with its conversation and files; 404 outside the portal user's account. */
  async getCase(ctx: Ctx, id: string): Promise<PortalCase> {
    const { model, settings, portal } = await this.prepare(ctx);
    const cases = this.casesObject(model, settings);
    const record = await this.deps.records.get(ctx, cases, id, {
      fields: (await this.shown(ctx, model.object(cases))).join(','),
    });
    const comments: PortalComment[] = [];
    if (settings.comments && model.objects.has(settings.comments)) {
      const link = this.commentLink(model, settings.comments, cases);
      const page = await this.deps.records.list(ctx, settings.comments, {
        filter: { [link]: { eq: id } },
        sort: 'created_at',
        limit: 500,
        fields: 'id,body,contact,created_at',
        expand: 'contact',
      });
      for (const c of page.items) {
        const contact = c.contact as string | { id: string; label?: string } | null | undefined;
        const contactId = typeof contact === 'string' ? contact : (contact?.id ?? null);
        comments.push({
          id: c.id as string,
          body: String(c.body ?? ''),
          createdAt: new Date(c.created_at as string).toISOString(),
          mine: contactId === portal.contact,
          author: contactId === portal.contact ? ctx.user.name : null,
        });
      }
    }
    const files = (await this.deps.files.list(ctx, cases, id)).map((f) => ({
      id: f.id,
      name: f.name,
      size: f.size,
      contentType: f.contentType,
      createdAt: f.createdAt,
    }));
    return { record, comments, files };
  }

  // ---------------------------------------------------------------- writes

  /**
   * Opens a case for the signed-in contact: the account and contact come from the session, whatever
   * the body says; the other fields go through the records engine (field security, validation,
   * scripts) like any save.
   */
  async openCase(ctx: Ctx, body: unknown): Promise<RecordData> {
    const { model, settings, portal } = await this.prepare(ctx);
    const cases = this.casesObject(model, settings);
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('The body must be a JSON object');
    const form = new Set(settings.caseForm ?? []);
    const payload: Record<string, unknown> = {};
    const refused: Record<string, string> = {};
    for (const [k, v] of Object.entries(body)) {
      if (FROM_SESSION.has(k)) continue;
      if (form.has(k)) payload[k] = v;
      else refused[k] = 'Not a field of the case form';
    }
    if (Object.keys(refused).length) throw validationFailed('The case is not valid', refused);
    const created = await this.deps.records.create(ctx, cases, {
      ...payload,
      account: portal.account,
      contact: portal.contact,
    });
    return this.get(ctx, cases, created.id as string).catch(() => created);
  }

  async addComment(ctx: Ctx, caseId: string, text: string): Promise<PortalComment> {
    const { model, settings, portal } = await this.prepare(ctx);
    const cases = this.casesObject(model, settings);
    if (!settings.comments || !model.objects.has(settings.comments)) throw notFound('This portal has no comments');
    // The case must be the portal user's to read (404 otherwise) before anything is written to it.
    await this.deps.records.resolve(ctx, cases, caseId, { columns: ['id'] });
    const link = this.commentLink(model, settings.comments, cases);
    const created = await this.deps.records.create(ctx, settings.comments, {
      [link]: caseId,
      body: text,
      account: portal.account,
      contact: portal.contact,
    });
    return {
      id: created.id as string,
      body: text,
      createdAt: new Date(created.created_at as string).toISOString(),
      mine: true,
      author: ctx.user.name,
    };
  }

  async upload(ctx: Ctx, caseId: string, file: FileUpload): Promise<FileMeta> {
    const { model, settings } = await this.prepare(ctx);
    return this.deps.files.upload(ctx, this.casesObject(model, settings), caseId, file);
  }

  async download(ctx: Ctx, caseId: string, fileId: string) {
    const { model, settings } = await this.prepare(ctx);
    return this.deps.files.download(ctx, this.casesObject(model, settings), caseId, fileId);
  }

  // ---------------------------------------------------------------- helpers

  private async prepare(ctx: Ctx) {
    const portal = ctx.user.portal;
    if (!portal) throw unauthenticated('Sign in to the customer portal');
    const model = await this.deps.meta.model(ctx);
    const settings = portalSettings(model);
    if (!settings || !ctx.user.roles.includes(settings.role)) throw unauthenticated('Sign in to the customer portal');
    return { portal, model, settings };
  }

  private casesObject(model: Model, settings: PortalSettings): string {
    if (!settings.cases || !model.objects.has(settings.cases)) throw notFound('This portal has no cases');
    return settings.cases;
  }

  /** The comments object's lookup to the cases object. */
  private commentLink(model: Model, comments: string, cases: string): string {
    const field = model.object(comments).customFields.find((f) => f.ref === cases);
    if (!field) throw notFound('This portal has no comments');
    return field.name;
  }

  /** Fields the portal shows of an object: readable ones, minus internal system fields. */
  private async shown(ctx: Ctx, object: ObjectModel): Promise<string[]> {
    const access = await this.deps.permissions.objectAccess(ctx, object.name);
    const out: string[] = [];
    for (const f of object.fields.values()) {
      if (!f.column || INTERNAL_SYSTEM.has(f.name) || f.ref === 'user') continue;
      if ((access.fields[f.name] ?? 'edit') === 'none') continue;
      out.push(f.name);
    }
    return out;
  }

  private async describe(ctx: Ctx, object: ObjectModel, form?: readonly string[]): Promise<PortalObject | null> {
    const access = await this.deps.permissions.objectAccess(ctx, object.name);
    if (!access.can.read) return null;
    const shown = new Set(await this.shown(ctx, object));
    const fields: PortalField[] = [];
    for (const f of object.customFields) {
      if (!shown.has(f.name) || f.children) continue;
      const level = access.fields[f.name] ?? 'edit';
      const labels = (f.definition as { 'x-enum-labels'?: Record<string, string> })['x-enum-labels'];
      const zh = (f.i18n as Record<string, { enum?: Record<string, string> }> | undefined)?.['zh-CN']?.enum;
      fields.push({
        name: f.name,
        label: f.label,
        ...(f.i18n ? { i18n: f.i18n } : {}),
        kind: f.kind,
        editable: level === 'edit' && !f.readOnly && !!form?.includes(f.name),
        required: f.required,
        ...(f.maxLength ? { maxLength: f.maxLength } : {}),
        ...(f.enum
          ? {
              options: f.enum.map((v) => ({
                value: v,
                label: labels?.[v] ?? v,
                ...(zh?.[v] ? { i18n: { 'zh-CN': zh[v] } } : {}),
              })),
            }
          : {}),
      });
    }
    return {
      name: object.name,
      label: object.label,
      ...(object.i18n ? { i18n: object.i18n } : {}),
      labelField: object.labelField,
      fields,
    };
  }

  /** The portal user's own account's name (their account, so no grant on accounts is needed). */
  private async accountName(ctx: Ctx, account: string): Promise<[{ id: string; name: string }]> {
    const row = await ctx.db.withSchema(ctx.schema).from(tableOf('account')).where('id', account).first('name');
    return [{ id: account, name: String(row?.name ?? '') }];
  }

  private async findContact(schema: string, model: Model, email: string) {
    if (!model.objects.has('contact') || !model.objects.has('account')) return undefined;
    if (!model.object('account').fields.has('portal_access')) return undefined;
    const { db } = this.deps;
    const row = (await db
      .from({ c: qualified(schema, tableOf('contact')) })
      .join({ a: qualified(schema, tableOf('account')) }, 'a.id', 'c.account')
      .whereRaw('lower(??) = ?', ['c.email', email])
      .whereNull('c.deleted_at')
      .whereNull('a.deleted_at')
      .andWhere('a.portal_access', true)
      .orderBy('c.created_at')
      .first(
        'c.id',
        'c.account',
        'c.email',
        db.raw("coalesce(nullif(trim(concat_ws(' ', ??, ??)), ''), ??) as name", [
          'c.first_name',
          'c.last_name',
          'c.email',
        ]),
      )) as { id: string; account: string; email: string; name: string } | undefined;
    return row;
  }

  /** Counts one sign-in request, or refuses it (429) past the e-mail's or the address's limit. */
  private async countRequest(schema: string, email: string, ip: string): Promise<void> {
    const { maxRequestsPerEmail, maxRequestsPerIp, windowMinutes } = this.deps.config.portal;
    const now = this.deps.clock.now();
    const since = new Date(now.getTime() - windowMinutes * 60_000);
    const refused = await this.deps.db.transaction(async (trx) => {
      // One lock per tenant: counting and recording are one step, so a burst cannot pass the limit.
      await trx.raw('select pg_advisory_xact_lock(?)', [advisoryKey(`portal-login:${schema}`)]);
      const table = () => trx.withSchema(schema).from(T.portalLoginRequests).where('at', '>', since);
      const [byEmail, byIp] = await Promise.all([
        table().where('email', email).first(trx.raw('count(*)::int as n')),
        table().where('ip', ip).first(trx.raw('count(*)::int as n')),
      ]);
      if ((byEmail?.n ?? 0) >= maxRequestsPerEmail || (byIp?.n ?? 0) >= maxRequestsPerIp) return true;
      await trx.withSchema(schema).insert({ at: now, ip, email }).into(T.portalLoginRequests);
      // Old requests say nothing any more: kept small without a job.
      await trx
        .withSchema(schema)
        .from(T.portalLoginRequests)
        .where('at', '<', new Date(since.getTime() - windowMinutes * 60_000))
        .delete();
      return false;
    });
    if (refused) throw rateLimited('Too many sign-in requests; try again later', windowMinutes * 60);
  }

  /** The role whose metadata makes it the portal's, at the session's metadata version. */
  private async portalRole(tenant: string, schema: string, version: number): Promise<PortalSettings | null> {
    const ctx: Ctx = { ...(await systemCtx(this.deps.db, tenant)), schema, metaVersion: version };
    return portalSettings(await this.deps.meta.model(ctx));
  }
}

/** The tenant's portal role and what it shows: the first role (by name) with `portal` settings. */
export function portalSettings(model: Pick<Model, 'roles'>): PortalSettings | null {
  for (const name of Object.keys(model.roles).sort()) {
    const role = model.roles[name] as (RoleDefinition & { portal?: Omit<PortalSettings, 'role'> }) | undefined;
    if (role?.portal) return { role: name, ...role.portal };
  }
  return null;
}

function isMissingRelation(e: unknown): boolean {
  const code = (e as { code?: string } | null)?.code;
  return code === '42P01' || code === '3F000';
}

function isMissingColumn(e: unknown): boolean {
  return (e as { code?: string } | null)?.code === '42703';
}
