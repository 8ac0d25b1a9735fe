import type { WebFormDefinition } from '@forma/metadata';
import type { PublicWebForm } from '@forma/metadata/api-types';
import type { Challenge } from 'altcha-lib';
import type { Knex } from 'knex';
import { changeCause } from '../change-cause';
import type { Clock } from '../clock';
import type { WebFormsConfig } from '../config';
import { type AppError, conflict, isAppError, notFound, rateLimited, validationFailed } from '../errors';
import type { Logger } from '../logger';
import type { MetaService } from '../meta/meta-service';
import type { Model, ObjectModel } from '../model/load-model';
import { isTenantId, PLATFORM_SCHEMA, tenantSchema } from '../model/naming';
import { allowDuplicates } from '../records/duplicate-finder';
import type { RecordService } from '../records/record-service';
import type { RateLimiter } from '../security/rate-limiter';
import type { InstallationSecrets } from '../security/installation-secrets';
import { systemCtx } from '../system-ctx';
import { checkWebForm } from './check-web-form';
import { formText, HONEYPOT_FIELD, POW_FIELD, publicObjectSchema } from './web-form-fields';
import { formOwner } from './web-form-owner';
import { type PowRefusal, ProofOfWork } from './proof-of-work';

export { HONEYPOT_FIELD, POW_FIELD };

export type WebFormLocale = 'en' | 'zh-CN';

export interface WebFormSubmission {
  /** Everything the visitor sent: the form's fields, the honeypot and the proof of work. */
  body: Record<string, unknown>;
  ip: string;
  locale: WebFormLocale;
}

export interface WebFormOutcome {
  thankYou: string;
  redirectUrl?: string;
  /** Set when the submission was kept; a honeypot catch answers the same way without a record. */
  recordId?: string;
}

export interface WebFormDeps {
  db: Knex;
  meta: Pick<MetaService, 'model' | 'registerSectionCheck'>;
  records: Pick<RecordService, 'create'>;
  limiter: Pick<RateLimiter, 'take' | 'once'>;
  secrets: Pick<InstallationSecrets, 'get'>;
  clock: Clock;
  logger: Logger;
  config: WebFormsConfig;
}

const DEFAULT_LIMITS = { perIpPerHour: 20, perFormPerHour: 500 };
const HOUR = 3600;
const CHALLENGES_PER_SUBMISSION = 5;

const POW_TEXT: Record<PowRefusal, string> = {
  missing: 'Confirm you are not a robot (the check did not run: is JavaScript on?)',
  invalid: 'The robot check did not pass; try again',
  expired: 'The robot check expired; try again',
  'other-form': 'The robot check belongs to another form; reload the page',
  replayed: 'The robot check was already used; try again',
};

const DEFAULT_THANK_YOU: Record<WebFormLocale, string> = {
  en: 'Thank you! We received your message.',
  'zh-CN': '谢谢！我们已收到您的信息。',
};
const DEFAULT_SUBMIT: Record<WebFormLocale, string> = { en: 'Send', 'zh-CN': '提交' };

/**
 * Public web forms (`webForms` metadata): what a form page renders, its proof-of-work challenge, and
 * submissions by visitors without an account. A submission is saved through the records engine as
 * the form's owner (their permissions, validation, scripts, automations, workflows) with the cause
 * "web form <label>"; it can write only the fields the form exposes and its hidden values.
 */
export class WebFormService {
  private readonly pow: ProofOfWork;

  constructor(private readonly deps: WebFormDeps) {
    this.pow = new ProofOfWork(deps.config, deps.secrets, deps.limiter, deps.clock);
    deps.meta.registerSectionCheck('webForms', checkWebForm, 'web-forms');
  }

  /** `GET /api/public/forms/:tenant/:form`: the exposed fields with their labels, in `locale`. */
  async view(tenant: string, name: string, locale: WebFormLocale): Promise<PublicWebForm> {
    const { tenantName, form, object } = await this.load(tenant, name);
    const proofOfWork = form.proofOfWork !== false;
    const description = formText(form, 'description', locale);
    return {
      tenant: { id: tenant, name: tenantName },
      name,
      label: formText(form, 'label', locale) ?? form.label,
      ...(description ? { description } : {}),
      schema: publicObjectSchema(object, form),
      uiSchema: { 'ui:order': [...form.fields.map((f) => f.field), '*'] },
      formData: { ...(form.defaults ?? {}) },
      submitLabel: formText(form, 'submitLabel', locale) ?? DEFAULT_SUBMIT[locale],
      ...(form.accentColor ? { accentColor: form.accentColor } : {}),
      proofOfWork,
      ...(proofOfWork ? { challengeUrl: `/api/public/forms/${tenant}/${name}/challenge` } : {}),
      honeypot: HONEYPOT_FIELD,
      locale,
    };
  }

  /**
   * A fresh ALTCHA challenge, good for this form only. Making one costs the server a key derivation,
   * so an address gets a few per submission it may make (widgets fetch a new one when one expires).
   */
  async challenge(tenant: string, name: string, ip: string): Promise<Challenge> {
    const { form } = await this.load(tenant, name);
    const perIp = (form.limits?.perIpPerHour ?? DEFAULT_LIMITS.perIpPerHour) * CHALLENGES_PER_SUBMISSION;
    await this.take(`webform:challenge:${tenant}:${name}:${ip}`, perIp, 'from your address');
    return this.pow.challenge(scopeOf(tenant, name));
  }

  async submit(tenant: string, name: string, input: WebFormSubmission): Promise<WebFormOutcome> {
    const { form, object, label } = await this.load(tenant, name);
    const limits = { ...DEFAULT_LIMITS, ...(form.limits ?? {}) };
    // Every attempt from an address counts, so a guesser pays for its failures too.
    await this.take(`webform:ip:${tenant}:${name}:${input.ip}`, limits.perIpPerHour, 'from your address');
    const outcome = (recordId?: string): WebFormOutcome => ({
      thankYou: formText(form, 'thankYou', input.locale) ?? DEFAULT_THANK_YOU[input.locale],
      ...(form.redirectUrl ? { redirectUrl: form.redirectUrl } : {}),
      ...(recordId ? { recordId } : {}),
    });

    const body = input.body;
    const payload = this.payloadOf(form, object, body);
    if (form.proofOfWork !== false) {
      const refusal = await this.pow.verify(body[POW_FIELD], scopeOf(tenant, name));
      if (refusal) throw validationFailed(POW_TEXT[refusal], { [POW_FIELD]: POW_TEXT[refusal] }, { reason: refusal });
    }
    // After the proof of work: flooding a form's budget costs real work per try.
    await this.take(`webform:form:${tenant}:${name}`, limits.perFormPerHour, 'for this form');
    const honey = body[HONEYPOT_FIELD];
    if (typeof honey === 'string' ? honey.trim() !== '' : honey !== undefined && honey !== null) {
      // Answered like a success: a bot learns nothing from the refusal.
      this.deps.logger.info({ tenant, form: name }, 'web form honeypot filled: submission dropped');
      return outcome();
    }
    return outcome(await this.save(tenant, name, form, object, label, payload));
  }

  /**
   * The record to create: the exposed fields sent (defaults for those left out), then the hidden
   * values. Anything else the visitor sent — another field, a system field, the owner — is refused
   * by name: a form never writes more than it shows.
   */
  private payloadOf(
    form: WebFormDefinition,
    object: ObjectModel,
    body: Record<string, unknown>,
  ): Record<string, unknown> {
    const exposed = new Map(form.fields.map((f) => [f.field, f]));
    const refused: Record<string, string> = {};
    const payload: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(body)) {
      if (key === HONEYPOT_FIELD || key === POW_FIELD) continue;
      if (!exposed.has(key)) {
        refused[key.slice(0, 100)] = 'Not a field of this form';
        continue;
      }
      if (value === '' || value === null || value === undefined) continue;
      payload[key] = coerce(object, key, value);
    }
    if (Object.keys(refused).length)
      throw validationFailed(`Not fields of this form: ${Object.keys(refused).join(', ')}`, refused);
    for (const [key, value] of Object.entries(form.defaults ?? {})) if (!(key in payload)) payload[key] = value;
    const missing: Record<string, string> = {};
    for (const f of form.fields) if (f.required && !(f.field in payload)) missing[f.field] = 'Required';
    if (Object.keys(missing).length) throw validationFailed('Fill in the required fields', missing);
    return { ...payload, ...(form.hidden ?? {}) };
  }

  private async save(
    tenant: string,
    name: string,
    form: WebFormDefinition,
    object: ObjectModel,
    label: string,
    payload: Record<string, unknown>,
  ): Promise<string> {
    const owner = await formOwner(this.deps.db, tenantSchema(tenant), form.owner);
    if (!owner) throw this.misconfigured(tenant, name, 'its owner is not an active user');
    const base = await systemCtx(this.deps.db, tenant, owner.id);
    // Likely duplicates are saved: telling a stranger "this e-mail is already known" would leak it.
    const ctx = allowDuplicates({ ...base, cause: changeCause('webForm', `web form "${label}"`, { form: name }) });
    try {
      const saved = await this.deps.records.create(ctx, object.name, payload);
      return String(saved.id);
    } catch (err) {
      if (!isAppError(err)) throw err;
      throw this.publicError(tenant, name, form, err);
    }
  }

  /** A refusal of the records engine, as a visitor may see it: only about the fields they filled. */
  private publicError(tenant: string, name: string, form: WebFormDefinition, err: AppError): AppError {
    // The object exists (the form was loaded with it): not found means its owner may not see it.
    if (err.code === 'FORBIDDEN' || err.code === 'NOT_FOUND')
      return this.misconfigured(tenant, name, `its owner may not create ${form.object} records (${err.message})`);
    if (err.code === 'CONFLICT') return conflict('This submission could not be saved; please check your entries');
    if (err.code !== 'VALIDATION_FAILED') return err;
    const exposed = new Set(form.fields.map((f) => f.field));
    const fields = Object.fromEntries(Object.entries(err.fields ?? {}).filter(([k]) => exposed.has(k)));
    if (Object.keys(fields).length) return validationFailed('Check the highlighted fields', fields);
    return this.misconfigured(tenant, name, `the records engine refused its fixed values (${err.message})`);
  }

  private misconfigured(tenant: string, name: string, why: string): AppError {
    this.deps.logger.warn({ tenant, form: name, why }, 'web form is misconfigured');
    return conflict(`This form is not set up correctly and cannot take submissions: ${why}. Tell the site's owner.`, {
      reason: 'form_misconfigured',
    });
  }

  private async take(key: string, limit: number, what: string): Promise<void> {
    const taken = await this.deps.limiter.take(key, 1, limit, HOUR);
    if (!taken.ok) throw rateLimited(`Too many submissions ${what}; try again later`, taken.retryAfterSeconds);
  }

  private async load(
    tenant: string,
    name: string,
  ): Promise<{ tenantName: string; model: Model; form: WebFormDefinition; object: ObjectModel; label: string }> {
    const row = isTenantId(tenant)
      ? await this.deps.db.withSchema(PLATFORM_SCHEMA).from('tenants').where({ id: tenant }).first('name', 'status')
      : undefined;
    // One answer for "no tenant", "no form" and "inactive": nobody learns which tenants exist.
    if (row?.status !== 'active') throw notFound('No such form');
    const model = await this.deps.meta.model(await systemCtx(this.deps.db, tenant));
    const form = model.document.webForms?.[name];
    const object = form ? model.objects.get(form.object) : undefined;
    if (!form || form.active === false || !object) throw notFound('No such form');
    return { tenantName: row.name, model, form, object, label: form.label };
  }
}

function scopeOf(tenant: string, name: string): string {
  return `${tenant}/${name}`;
}

/**
 * A plain HTML form sends text: numbers, booleans and multi-selects are read as the field's type
 * says, so the records engine validates the value, not its spelling. JSON values pass as sent.
 */
function coerce(object: ObjectModel, name: string, value: unknown): unknown {
  const field = object.fields.get(name);
  if (!field) return value;
  const type = (field.definition as { type?: unknown }).type;
  if (type === 'array' && typeof value === 'string') return [value];
  if (typeof value !== 'string') return value;
  if ((type === 'number' || type === 'integer') && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  if (type === 'boolean' && (value === 'true' || value === 'on')) return true;
  if (type === 'boolean' && value === 'false') return false;
  return value;
}
