import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { isMissingRelation } from '../auth/auth-service';
import type { Clock } from '../clock';
import type { Ctx } from '../ctx';
import { badRequest, conflict, forbidden, notFound, validationFailed, type FieldErrors } from '../errors';
import type { Logger } from '../logger';
import type { Model } from '../model/load-model';
import { PLATFORM_SCHEMA, qualified, SYSTEM_TABLE as T, tenantSchema } from '../model/naming';
import type { AfterSavePayload } from '../records/record-hooks';
import type { TxCtx } from '../tx/unit-of-work';
import { eventsOf, WEBHOOK_EVENTS, type WebhookEvent } from './webhook-events';
import type { WebhooksConfig } from './webhook-config';
import { type DeliveryJob, type JobTry, WebhookQueue } from './webhook-queue';
import { WEBHOOKS_NOTICE } from './webhook-notify-migration';
import { type NoticeSource, SubscriptionCache } from './subscription-cache';
import { webhookHeaders, newWebhookSecret } from './sign-webhook';
import { sendWebhook } from './send-webhook';
import { DestinationRefused, parseWebhookUrl, type Resolver, resolveDestination } from './ssrf-guard';

export interface WebhookInput {
  name: string;
  object: string;
  events: string[];
  fields?: string[];
  url: string;
  active?: boolean;
}

export type WebhookView = {
  id: string;
  name: string;
  object: string;
  events: WebhookEvent[];
  fields: string[];
  url: string;
  active: boolean;
  created_at: Date;
  updated_at: Date;
};

export type DeliveryView = {
  id: string;
  webhook_id: string;
  event: string;
  object: string;
  record_id: string | null;
  status: 'pending' | 'retrying' | 'succeeded' | 'failed';
  attempts: number;
  response_status: number | null;
  duration_ms: number | null;
  response_body: string | null;
  error: string | null;
  created_at: Date;
  last_attempt_at: Date | null;
};

export interface WebhookServiceDeps {
  db: Knex;
  model(ctx: Ctx): Promise<Model>;
  config: WebhooksConfig;
  clock: Clock;
  logger: Logger;
  /** Host name resolution (tests inject one: a test never asks real DNS nor reaches another host). */
  resolver?: Resolver;
  /** Every process's notices of changed subscriptions (the session cache's listener); none: read every save. */
  notices?: NoticeSource;
  /** Waits until every process has handled the notices of what this one committed (the sessions' barrier). */
  changed?: () => Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const VIEW_COLUMNS = ['id', 'name', 'object', 'events', 'fields', 'url', 'active', 'created_at', 'updated_at'];
const DELIVERY_COLUMNS = [
  'id',
  'webhook_id',
  'event',
  'object',
  'record_id',
  'status',
  'attempts',
  'response_status',
  'duration_ms',
  'response_body',
  'error',
  'created_at',
  'last_attempt_at',
];
/** Sent as `type` in the payload, Standard Webhooks style (`<group>.<event>`). */
const TYPE_OF: Record<WebhookEvent, string> = {
  created: 'record.created',
  updated: 'record.updated',
  deleted: 'record.deleted',
  approval_decided: 'record.approval_decided',
};

/**
 * Outbound webhooks (docs/webhooks.md): subscriptions per object and event, deliveries written in
 * the transaction of the change that caused them and queued on pg-boss after it commits, sent
 * signed to a destination checked against private networks, retried with backoff, logged.
 */
export class WebhookService {
  private readonly queue: WebhookQueue;
  private sweepTimer: NodeJS.Timeout | undefined;
  /** Active subscriptions per tenant, as every save asks for them. */
  readonly subscriptions: SubscriptionCache;

  constructor(private readonly deps: WebhookServiceDeps) {
    this.subscriptions = new SubscriptionCache(deps.notices, WEBHOOKS_NOTICE);
    this.queue = new WebhookQueue(
      deps.db,
      {
        retryLimit: Math.max(0, deps.config.maxAttempts - 1),
        retryDelaySeconds: deps.config.retryDelaySeconds,
        pollingIntervalSeconds: deps.config.pollingIntervalSeconds,
        concurrency: deps.config.concurrency,
      },
      deps.logger,
    );
  }

  // ------------------------------------------------------------ subscriptions (tenant admin)

  async list(ctx: Ctx): Promise<WebhookView[]> {
    requireAdmin(ctx);
    return ctx.db
      .withSchema(ctx.schema)
      .from(T.webhooks)
      .select(...VIEW_COLUMNS)
      .orderBy('name')
      .orderBy('id');
  }

  async get(ctx: Ctx, id: string): Promise<WebhookView> {
    requireAdmin(ctx);
    return this.find(ctx, id);
  }

  /** Creates a subscription; the answer carries the signing secret, shown this once. */
  async create(ctx: Ctx, input: WebhookInput): Promise<WebhookView & { secret: string }> {
    requireAdmin(ctx);
    const clean = await this.check(ctx, input);
    await this.checkDestination(clean.url);
    const secret = newWebhookSecret();
    const [row] = await ctx.db
      .withSchema(ctx.schema)
      .insert({ ...clean, secret, created_by: ctx.user.id })
      .into(T.webhooks)
      .returning(VIEW_COLUMNS);
    await this.deps.changed?.();
    return { ...row, secret };
  }

  async update(ctx: Ctx, id: string, patch: Partial<WebhookInput>): Promise<WebhookView> {
    requireAdmin(ctx);
    const current = await this.find(ctx, id);
    const clean = await this.check(ctx, { ...current, ...patch });
    if (patch.url !== undefined) await this.checkDestination(clean.url);
    const [row] = await ctx.db
      .withSchema(ctx.schema)
      .from(T.webhooks)
      .where({ id })
      .update({ ...clean, updated_at: this.deps.clock.now() })
      .returning(VIEW_COLUMNS);
    await this.deps.changed?.();
    return row;
  }

  async remove(ctx: Ctx, id: string): Promise<void> {
    requireAdmin(ctx);
    await this.find(ctx, id);
    await ctx.db.withSchema(ctx.schema).from(T.webhooks).where({ id }).delete();
    await this.deps.changed?.();
  }

  async deliveries(ctx: Ctx, id: string, opts: { limit?: number } = {}): Promise<DeliveryView[]> {
    requireAdmin(ctx);
    await this.find(ctx, id);
    const limit = Math.min(Math.max(1, Math.trunc(opts.limit ?? 50) || 50), 200);
    return ctx.db
      .withSchema(ctx.schema)
      .from(T.webhookDeliveries)
      .where({ webhook_id: id })
      .select(...DELIVERY_COLUMNS)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit);
  }

  /** Sends a delivery again (same payload and webhook-id, so receivers can tell it is the same event). */
  async redeliver(ctx: Ctx, deliveryId: string): Promise<DeliveryView> {
    requireAdmin(ctx);
    if (!UUID.test(deliveryId)) throw notFound('Delivery not found');
    const [row] = await ctx.db
      .withSchema(ctx.schema)
      .from(T.webhookDeliveries)
      .where({ id: deliveryId })
      .whereIn('status', ['succeeded', 'failed'])
      .update({ status: 'pending', queued_at: null })
      .returning(DELIVERY_COLUMNS);
    if (!row) {
      const exists = await ctx.db
        .withSchema(ctx.schema)
        .from(T.webhookDeliveries)
        .where({ id: deliveryId })
        .first('id');
      if (!exists) throw notFound('Delivery not found');
      throw conflict('The delivery is still being sent; redeliver it once it has succeeded or failed');
    }
    await this.enqueue(ctx.tenant, [deliveryId]);
    return row;
  }

  // ------------------------------------------------------------ events of saved records

  /**
   * The records engine's `record.written` filter hook: in the save's transaction, one delivery row
   * per matching subscription and event; queued once the transaction commits, so a rolled-back
   * save sends nothing and a committed one loses nothing (the sweep queues what a crash left).
   */
  capture = async (tx: TxCtx, written: { object: string; events: AfterSavePayload[] }): Promise<void> => {
    const hooks = await this.subscriptions.of(tx.db, tx.schema, written.object);
    if (!hooks.length) return;
    const rows: Record<string, unknown>[] = [];
    const at = this.deps.clock.now();
    for (const change of written.events) {
      for (const hook of hooks) {
        for (const event of eventsOf(change, hook.fields)) {
          if (!hook.events.includes(event)) continue;
          const id = randomUUID();
          const payload = {
            type: TYPE_OF[event],
            timestamp: at.toISOString(),
            data: {
              object: change.object,
              id: change.id,
              record: change.record,
              ...(change.action === 'update' ? { changes: change.changes } : {}),
              ...(event === 'approval_decided' ? { outcome: change.changes.approval_status?.[1] } : {}),
              ...(change.cause ? { cause: change.cause } : {}),
            },
          };
          rows.push({
            id,
            webhook_id: hook.id,
            event,
            object: change.object,
            record_id: change.id,
            payload: JSON.stringify(payload),
          });
        }
      }
    }
    if (!rows.length) return;
    await tx.db.withSchema(tx.schema).insert(rows).into(T.webhookDeliveries);
    const tenant = tx.tenant;
    tx.uow.afterCommit(() =>
      this.enqueue(
        tenant,
        rows.map((r) => r.id as string),
      ),
    );
  };

  /**
   * The automation action "call webhook": one delivery of the record to the subscription of that
   * name on the rule's object, in the run's transaction, queued after commit. Returns its id.
   */
  async sendForRule(
    tx: TxCtx,
    input: { webhook: string; object: string; rule: string; record: Record<string, unknown> },
  ): Promise<string> {
    const hook = await tx.db
      .withSchema(tx.schema)
      .from(T.webhooks)
      .where({ name: input.webhook, object: input.object })
      .orderBy('created_at')
      .first('id', 'active');
    if (!hook) throw badRequest(`No webhook named "${input.webhook}" for ${input.object}`);
    if (!hook.active) throw badRequest(`The webhook "${input.webhook}" is disabled`);
    const id = randomUUID();
    const payload = {
      type: 'automation.webhook',
      timestamp: this.deps.clock.now().toISOString(),
      data: { object: input.object, id: input.record.id, rule: input.rule, record: input.record },
    };
    await tx.db
      .withSchema(tx.schema)
      .insert({
        id,
        webhook_id: hook.id,
        event: 'automation',
        object: input.object,
        record_id: typeof input.record.id === 'string' ? input.record.id : null,
        payload: JSON.stringify(payload),
      })
      .into(T.webhookDeliveries);
    const tenant = tx.tenant;
    tx.uow.afterCommit(() => this.enqueue(tenant, [id]));
    return id;
  }

  // ------------------------------------------------------------ the queue

  /** Starts taking deliveries in this process (the server; tests that send webhooks). */
  async start(opts: { sweepIntervalMs?: number } = {}): Promise<void> {
    await this.queue.start((job, attempt) => this.deliver(job, attempt));
    await this.sweep();
    if (!this.sweepTimer) {
      this.sweepTimer = setInterval(() => {
        this.sweep().catch((err) => this.deps.logger.error({ err }, 'webhook sweep failed'));
      }, opts.sweepIntervalMs ?? 60_000);
      this.sweepTimer.unref();
    }
  }

  async stop(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    await this.queue.stop();
  }

  /**
   * Queues deliveries, each exactly once: a row is claimed (`queued_at` set where it was empty)
   * before its job is sent, so the sweep and the after-commit path never both send it.
   */
  private async enqueue(tenant: string, ids: string[]): Promise<void> {
    if (!ids.length || !this.queue.started) return;
    const table = () => this.deps.db.withSchema(tenantSchema(tenant)).from(T.webhookDeliveries);
    const claimed: string[] = await table()
      .whereIn('id', ids)
      .whereNull('queued_at')
      .update({ queued_at: this.deps.clock.now() })
      .returning('id')
      .then((rows: Array<{ id: string }>) => rows.map((r) => r.id));
    if (!claimed.length) return;
    try {
      const sent = await this.queue.send(claimed.map((delivery): DeliveryJob => ({ tenant, delivery })));
      if (!sent) await table().whereIn('id', claimed).update({ queued_at: null });
    } catch (e) {
      await table().whereIn('id', claimed).update({ queued_at: null });
      throw e;
    }
  }

  /**
   * Queues deliveries committed but never queued (a process that stopped in between, or ran no
   * queue), and those queued long ago that never had an attempt (a job lost between claim and send).
   * At least once: a receiver may see a delivery twice and deduplicates on `webhook-id`.
   */
  async sweep(): Promise<void> {
    if (!this.queue.started) return;
    const tenants: string[] = await this.deps.db
      .withSchema(PLATFORM_SCHEMA)
      .from('tenants')
      .where({ status: 'active' })
      .pluck('id');
    const now = this.deps.clock.now().getTime();
    for (const tenant of tenants) {
      try {
        const table = () => this.deps.db.withSchema(tenantSchema(tenant)).from(T.webhookDeliveries);
        const stale: string[] = await table()
          .where({ status: 'pending', attempts: 0 })
          .whereNotNull('queued_at')
          .where('queued_at', '<', new Date(now - 10 * 60_000))
          .limit(500)
          .pluck('id');
        if (stale.length) await table().whereIn('id', stale).update({ queued_at: null });
        const ids: string[] = await table()
          .where('status', 'pending')
          .whereNull('queued_at')
          .where('created_at', '<', new Date(now - 5_000))
          .orderBy('created_at')
          .limit(500)
          .pluck('id');
        await this.enqueue(tenant, ids);
      } catch (err) {
        this.deps.logger.warn({ err, tenant }, 'webhook sweep skipped a tenant');
      }
    }
  }

  /** One try of one delivery (a pg-boss job); throwing asks pg-boss for another try later. */
  private async deliver(job: DeliveryJob, attempt: JobTry): Promise<void> {
    const schema = tenantSchema(job.tenant);
    const db = this.deps.db;
    const row = await this.loadDelivery(schema, job.delivery);
    if (!row || row.status === 'succeeded') return;
    const record = (patch: Record<string, unknown>) =>
      db
        .withSchema(schema)
        .from(T.webhookDeliveries)
        .where({ id: job.delivery })
        .update({ ...patch, attempts: db.raw('attempts + 1'), last_attempt_at: this.deps.clock.now() });
    if (!row.active) {
      await record({ status: 'failed', error: 'The webhook is disabled', response_status: null });
      return;
    }
    let dest: Awaited<ReturnType<typeof resolveDestination>>;
    try {
      dest = await resolveDestination(row.url, { resolver: this.deps.resolver, allow: this.deps.config.allowNetworks });
    } catch (e) {
      // Refused (or unresolvable) before any connection: not retried, the log says why.
      await record({
        status: 'failed',
        error: e instanceof Error ? e.message : String(e),
        response_status: null,
        response_body: null,
        duration_ms: 0,
      });
      return;
    }
    const body = JSON.stringify(row.payload);
    const timestamp = Math.floor(this.deps.clock.now().getTime() / 1000);
    const result = await sendWebhook(dest, body, webhookHeaders(row.secret, row.id, timestamp, body), {
      timeoutMs: this.deps.config.timeoutMs,
      maxResponseBytes: this.deps.config.maxResponseBytes,
      keepResponseBytes: this.deps.config.keepResponseBytes,
    });
    const ok = result.status !== undefined && result.status >= 200 && result.status < 300;
    const last = attempt.retryCount >= attempt.retryLimit;
    await record({
      status: ok ? 'succeeded' : last ? 'failed' : 'retrying',
      response_status: result.status ?? null,
      response_body: result.body || null,
      duration_ms: result.durationMs,
      error: ok ? null : (result.error ?? `The receiver answered ${result.status}`),
    });
    if (!ok && !last) throw new Error(`Webhook delivery ${row.id} failed: ${result.error ?? result.status}`);
  }

  /** The delivery with its subscription; none when either is gone (or the tenant was deleted). */
  private async loadDelivery(schema: string, id: string) {
    try {
      return await this.deps.db
        .from({ d: qualified(schema, T.webhookDeliveries) })
        .join({ w: qualified(schema, T.webhooks) }, 'w.id', 'd.webhook_id')
        .where('d.id', id)
        .first('d.id', 'd.payload', 'd.status', 'w.url', 'w.secret', 'w.active');
    } catch (e) {
      if (isMissingRelation(e)) return undefined;
      throw e;
    }
  }

  // ------------------------------------------------------------ checks

  private async find(ctx: Ctx, id: string): Promise<WebhookView> {
    if (!UUID.test(id)) throw notFound('Webhook not found');
    const row = await ctx.db
      .withSchema(ctx.schema)
      .from(T.webhooks)
      .where({ id })
      .first(...VIEW_COLUMNS);
    if (!row) throw notFound('Webhook not found');
    return row;
  }

  private async check(ctx: Ctx, input: WebhookInput) {
    const errors: FieldErrors = {};
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    if (!name || name.length > 200) errors.name = 'A name of 1 to 200 characters is required';
    const model = await this.deps.model(ctx);
    const object = model.objects.get(input.object);
    if (!object) errors.object = `Unknown object "${input.object}"`;
    const events = [...new Set(input.events ?? [])];
    if (!events.length) errors.events = `Choose at least one event: ${WEBHOOK_EVENTS.join(', ')}`;
    const unknown = events.filter((e) => !(WEBHOOK_EVENTS as readonly string[]).includes(e));
    if (unknown.length) errors.events = `Unknown event "${unknown[0]}"; known: ${WEBHOOK_EVENTS.join(', ')}`;
    const fields = [...new Set(input.fields ?? [])];
    if (object) {
      const missing = fields.filter((f) => !object.fields.has(f));
      if (missing.length) errors.fields = `Unknown field "${missing[0]}" of ${object.name}`;
    }
    if (fields.length && !events.includes('updated')) errors.fields = 'A field filter applies to the "updated" event';
    let url = '';
    try {
      url = parseWebhookUrl(input.url).toString();
    } catch (e) {
      errors.url = e instanceof Error ? e.message : 'The URL is not valid';
    }
    if (Object.keys(errors).length) throw validationFailed('Invalid webhook', errors);
    return { name, object: input.object, events, fields, url, active: input.active ?? true };
  }

  /** Refused at once when the destination resolves to a refused address (and again at each delivery). */
  private async checkDestination(url: string): Promise<void> {
    try {
      await resolveDestination(url, { resolver: this.deps.resolver, allow: this.deps.config.allowNetworks });
    } catch (e) {
      if (e instanceof DestinationRefused) throw validationFailed('Invalid webhook', { url: e.message });
      throw badRequest(e instanceof Error ? e.message : String(e));
    }
  }
}

function requireAdmin(ctx: Ctx): void {
  if (!ctx.isAdmin) throw forbidden('Tenant admins only');
}
