import { randomUUID } from 'node:crypto';
import type { SurveyDefinition } from '@forma/metadata';
import type { Knex } from 'knex';
import { changeCause } from '../change-cause';
import type { Clock } from '../clock';
import type { Ctx } from '../ctx';
import { AppError, conflict, rateLimited, validationFailed } from '../errors';
import type { Model } from '../model/load-model';
import { PLATFORM_SCHEMA, SYSTEM_TABLE as T } from '../model/naming';
import type { RecordService } from '../records/record-service';
import type { RecordData } from '../scripts';
import type { InstallationSecrets } from '../security/installation-secrets';
import type { RateLimiter } from '../security/rate-limiter';
import { systemCtx } from '../system-ctx';
import { runInUnitOfWork, type TxCtx } from '../tx/unit-of-work';
import { addIsoDuration } from '../workflows/iso-duration';
import { answerValues, type PublicSurvey, publicSurvey, type SurveyLocale, surveyLocale } from './survey-answers';
import { signSurveyLink, verifySurveyLink } from './survey-links';

export interface SurveyDeps {
  db: Knex;
  meta: { model(ctx: Ctx): Promise<Model> };
  records: Pick<RecordService, 'get' | 'createMany'>;
  secrets: InstallationSecrets;
  limiter: RateLimiter;
  clock: Clock;
  config: { publicUrl: string; surveys: { publicPerMinute: number } };
}

export interface InviteInput {
  survey: string;
  /** The rule's object and record (the record as the rule's previous actions left it). */
  object: string;
  record: RecordData;
  contact: string;
  emailField?: string;
  delay?: string;
  locale?: SurveyLocale;
  subject?: string;
  rule?: string;
}

export type InviteResult =
  | { invitation: string; to: string; sendAt: Date; locale: SurveyLocale }
  | { skipped: 'no_contact' | 'no_email' };

const DEFAULT_EXPIRY = 'P14D';

const TEXTS = {
  en: {
    subject: (title: string) => `${title}: tell us how we did`,
    body: (title: string, url: string, until: string) =>
      `${title}\n\nThank you for contacting us. Please tell us how we did; it takes a minute:\n\n${url}\n\nThe link works once, until ${until}.\n`,
  },
  'zh-CN': {
    subject: (title: string) => `${title}：请评价我们的服务`,
    body: (title: string, url: string, until: string) =>
      `${title}\n\n感谢您联系我们。请花一分钟评价我们的服务：\n\n${url}\n\n此链接仅可使用一次，有效期至 ${until}。\n`,
  },
} as const;

/** The public page's answers: what it shows, or why it cannot (in the invitation's language). */
export type OpenSurvey = { survey: PublicSurvey };

/**
 * Satisfaction surveys: invitations sent by the `send_survey` automation action (a signed
 * single-use link e-mailed through the outbox), the public page's survey, and its answer saved as a
 * record of the survey's response object through the records engine — so reports, automation rules
 * (a low score's follow-up task) and history see it like any record (docs/surveys.md).
 */
export class SurveyService {
  constructor(private readonly deps: SurveyDeps) {}

  /** Queues one survey e-mail for the record's contact, in the rule's transaction. */
  async invite(tx: TxCtx, model: Model, input: InviteInput): Promise<InviteResult> {
    const survey = surveyOf(model, input.survey);
    if (survey.object !== input.object)
      throw validationFailed(`Survey "${input.survey}" is about ${survey.object}, not ${input.object}`);
    const object = model.object(input.object);
    const contactRef = object.fields.get(input.contact)?.ref;
    if (!contactRef || contactRef === 'user')
      throw validationFailed(`"${input.contact}" is not a lookup of ${input.object} to a contact`);
    const contactId = input.record[input.contact];
    if (typeof contactId !== 'string') return { skipped: 'no_contact' };
    const emailField = input.emailField ?? 'email';
    const contact = await this.deps.records.get(tx, contactRef, contactId, { fields: emailField });
    const email = contact[emailField];
    if (typeof email !== 'string' || !email.includes('@')) return { skipped: 'no_email' };
    const locale = input.locale ?? (await this.localeOf(tx, input.record));
    const now = this.deps.clock.now();
    const sendAt = input.delay ? addIsoDuration(now, input.delay) : now;
    const expiresAt = addIsoDuration(sendAt, survey.expiresIn ?? DEFAULT_EXPIRY);
    const id = randomUUID();
    await tx.db
      .withSchema(tx.schema)
      .insert({
        id,
        survey: input.survey,
        object: input.object,
        record_id: String(input.record.id),
        contact_id: contactId,
        email,
        locale,
        rule: input.rule ?? null,
        created_at: now,
        send_at: sendAt,
        expires_at: expiresAt,
      })
      .into(T.surveyInvitations);
    const token = await signSurveyLink(this.deps.secrets, {
      tenant: tx.tenant,
      invitation: id,
      exp: expiresAt.getTime(),
    });
    const url = `${this.deps.config.publicUrl.replace(/\/+$/, '')}/s/${token}`;
    const title = publicSurvey(survey, locale).title;
    const texts = TEXTS[locale];
    await tx.db
      .withSchema(tx.schema)
      .insert({
        to_address: email,
        subject: (input.subject ?? texts.subject(title)).slice(0, 500),
        body: texts.body(title, url, expiresAt.toISOString().slice(0, 10)),
        created_at: now,
        // The sender only takes rows whose next attempt is due: a delayed survey waits in the outbox.
        next_attempt_at: input.delay ? sendAt : null,
        object: input.object,
        record_id: String(input.record.id),
      })
      .into(T.emailOutbox);
    return { invitation: id, to: email, sendAt, locale };
  }

  /** Counts one request of a client address against the public pages' budget (429 past it). */
  async admit(client: string): Promise<void> {
    const taken = await this.deps.limiter.take(`survey:${client}`, 1, this.deps.config.surveys.publicPerMinute, 60);
    if (!taken.ok)
      throw rateLimited('Too many survey requests from this address; please wait a moment', taken.retryAfterSeconds);
  }

  /** The survey behind a link, for the public page: 404 for a forged or expired link, 409 once answered. */
  async open(token: string, locale?: SurveyLocale): Promise<OpenSurvey> {
    const { ctx, invitation } = await this.invitation(token);
    const model = await this.deps.meta.model(ctx);
    const shown = locale ?? surveyLocale(invitation.locale);
    if (invitation.answered_at) throw answered(shown);
    return { survey: publicSurvey(surveyOf(model, invitation.survey), shown) };
  }

  /**
   * Saves an answer as a response record (as the system, with `cause`, owned by the owner of the
   * record it is about) and spends the link, in one transaction: of two answers at once exactly
   * one is saved, the other gets 409.
   */
  async answer(
    token: string,
    answers: Record<string, unknown>,
    /** The page's language when the customer switched it (default: the invitation's). */
    shown?: SurveyLocale,
  ): Promise<{ thanks: string | null; locale: SurveyLocale }> {
    const { ctx } = await this.invitation(token);
    const cause = changeCause('system', 'Satisfaction survey answered by the customer');
    return runInUnitOfWork({ ...ctx, cause }, async (tx) => {
      const row = await tx.db
        .withSchema(tx.schema)
        .from(T.surveyInvitations)
        .where('id', invitationIdOf(token))
        .forUpdate()
        .first();
      if (!row) throw linkNotFound('invalid');
      const locale = shown ?? surveyLocale(row.locale);
      if (row.answered_at) throw answered(locale);
      const model = await this.deps.meta.model(tx);
      const survey = surveyOf(model, row.survey);
      const values = answerValues(survey, answers, locale);
      const r = survey.response;
      const about = await this.deps.records.get(tx, row.object, row.record_id).catch(() => undefined);
      const payload: Record<string, unknown> = { ...values, [r.about]: row.record_id };
      if (r.contact && row.contact_id) payload[r.contact] = row.contact_id;
      if (r.survey) payload[r.survey] = row.survey;
      if (about) {
        for (const [target, source] of Object.entries(r.copy ?? {})) {
          const v = source ? about[source] : undefined;
          if (v !== undefined && v !== null) payload[target] = v;
        }
      }
      // Owned by the owner of what the survey is about (the case's agent), who may then read it.
      const owner = typeof about?.owner === 'string' ? about.owner : undefined;
      const { created } = await this.deps.records.createMany(tx, r.object, [payload], owner ? { owner } : {});
      const response = created[0]!;
      await tx.db
        .withSchema(tx.schema)
        .from(T.surveyInvitations)
        .where('id', row.id)
        .update({ answered_at: this.deps.clock.now(), response_id: response.id });
      return { thanks: publicSurvey(survey, locale).thanks, locale };
    });
  }

  private async invitation(token: string) {
    const check = await verifySurveyLink(this.deps.secrets, token, this.deps.clock.now());
    if (!check.ok) throw linkNotFound(check.reason);
    const { tenant, invitation: id } = check.claims;
    const active = await this.deps.db
      .withSchema(PLATFORM_SCHEMA)
      .from('tenants')
      .where({ id: tenant, status: 'active' })
      .first('id');
    if (!active) throw linkNotFound('invalid');
    const ctx = await systemCtx(this.deps.db, tenant);
    const invitation = await ctx.db.withSchema(ctx.schema).from(T.surveyInvitations).where('id', id).first();
    if (!invitation) throw linkNotFound('invalid');
    return { ctx, invitation };
  }

  /** The survey's language: the tenant's (`settings.locale`), else the record owner's, else English. */
  private async localeOf(tx: TxCtx, record: RecordData): Promise<SurveyLocale> {
    const tenant = await tx.db
      .withSchema(PLATFORM_SCHEMA)
      .from('tenants')
      .where('id', tx.tenant)
      .first(tx.db.raw("settings ->> 'locale' as locale"));
    if (tenant?.locale) return surveyLocale(tenant.locale);
    if (typeof record.owner !== 'string') return 'en';
    const owner = await tx.db.withSchema(tx.schema).from(T.users).where('id', record.owner).first('locale');
    return surveyLocale(owner?.locale);
  }
}

function surveyOf(model: Model, name: string): SurveyDefinition {
  const survey = model.document.surveys?.[name];
  if (!survey) throw linkNotFound('invalid');
  return survey;
}

function invitationIdOf(token: string): string {
  const body = Buffer.from(token.split('.')[1] ?? '', 'base64url');
  const hex = body.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Forged, unknown and expired links look alike to a caller but for `details.reason` (the page's wording). */
function linkNotFound(reason: 'invalid' | 'expired'): AppError {
  const message = reason === 'expired' ? 'This survey link has expired' : 'This survey link is not valid';
  return new AppError('NOT_FOUND', message, { details: { reason } });
}

function answered(locale: unknown): AppError {
  return conflict('This survey has already been answered. Thank you!', {
    reason: 'answered',
    locale: surveyLocale(locale),
  });
}
