import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { type DbLane, type GoneSignal, isAppError, QUEUE_FULL, rateLimited } from '@forma/runtime';
import { tokenOf } from './auth';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * `false`: the route takes no admission slot around its handler (it calls `app.dbWork` itself,
     * e.g. after reading its upload).
     */
    dbAdmission?: false;
  }
  interface FastifyInstance {
    /** Runs a signed-in request's database work admitted in its tenant's queue (runtime/src/db/db-load.ts). */
    dbWork<T>(request: FastifyRequest, reply: FastifyReply, lane: DbLane, fn: () => Promise<T>): Promise<T>;
  }
}

/**
 * Requests whose database work is long: imports, exports, aggregates, reports, dashboards, mail
 * merge, prints and metadata changes. They run in the smaller heavy lane with the longer timeouts.
 */
const HEAVY: Array<{ method?: string; url: RegExp }> = [
  { url: /\/import$/ },
  { url: /\/imports\/:id\/revert$/ },
  { url: /\/export(\.xlsx)?$/ },
  { url: /\/aggregate$/ },
  { url: /^\/api\/reports\/:name\/run$/ },
  { url: /^\/api\/dashboards\// },
  { url: /^\/api\/segments\/(:name\/refresh|preview)$/ },
  { url: /\/merge$/ },
  { url: /\/print\/:template$/ },
  { url: /\/docx\/:template$/ },
  { method: 'non-GET', url: /^\/api\/(meta|templates)(\/|$)/ },
];

export function laneOf(method: string, url: string): DbLane {
  const heavy = HEAVY.some((h) => h.url.test(url) && (h.method !== 'non-GET' || method !== 'GET'));
  return heavy ? 'heavy' : 'interactive';
}

/**
 * Whether the client went away before its answer was complete. What admission and the database
 * load need of an AbortSignal, without an AbortController per request: that is an EventTarget with
 * its own listener list and an abort reason, ~2 % of a read's CPU (issue 27). Listeners run once.
 */
class ClientGone implements GoneSignal {
  aborted = false;
  private listeners: Array<() => void> | undefined;

  addEventListener(_type: 'abort', listener: () => void): void {
    if (this.listeners) this.listeners.push(listener);
    else this.listeners = [listener];
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const i = this.listeners?.indexOf(listener) ?? -1;
    if (i >= 0) this.listeners?.splice(i, 1);
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    const listeners = this.listeners ?? [];
    this.listeners = undefined;
    for (const listener of listeners) listener();
  }
}

const GONE = Symbol('forma.clientGone');
type WatchedResponse = ServerResponse & { [GONE]?: ClientGone | undefined };

/** One 'close' listener for every response (no closure per request); `this` is the response. */
function onResponseClose(this: WatchedResponse): void {
  if (!this.writableFinished) this[GONE]?.abort();
}

/** The response's watch, and whether this call started it (a nested `dbWork` shares the outer one). */
function watchClient(res: WatchedResponse): { gone: ClientGone; own: boolean } {
  const given = res[GONE];
  if (given) return { gone: given, own: false };
  const gone = new ClientGone();
  res[GONE] = gone;
  res.on('close', onResponseClose);
  return { gone, own: true };
}

function unwatchClient(res: WatchedResponse): void {
  res.off('close', onResponseClose);
  res[GONE] = undefined;
}

/** Resolves when a response already being sent (a stream) has finished or its client went away. */
function sendingDone(reply: FastifyReply): Promise<void> {
  const res = reply.raw;
  if (res.writableFinished || res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    res.once('finish', () => resolve());
    res.once('close', () => resolve());
  });
}

/**
 * Callers whose queue was full, by credential and lane, until their Retry-After has passed. Their
 * requests of that lane are refused (429) as they arrive, before their body is read or their session
 * looked up: a client that ignores Retry-After costs the server almost nothing.
 */
class Refused {
  private readonly until = new Map<string, number>();

  key(request: FastifyRequest, lane: DbLane): string | undefined {
    const token = tokenOf(request);
    return token ? `${lane}:${createHash('sha256').update(token).digest('base64url')}` : undefined;
  }

  remember(key: string, seconds: number): void {
    const now = Date.now();
    if (this.until.size > 10_000) for (const [k, t] of this.until) if (t <= now) this.until.delete(k);
    if (this.until.size > 10_000) return;
    this.until.set(key, now + seconds * 1000);
  }

  /** Whether anyone is being refused at all (the usual case is no one: no hashing per request then). */
  get empty(): boolean {
    return this.until.size === 0;
  }

  /** Seconds left of the caller's refusal, or 0. */
  left(key: string): number {
    const t = this.until.get(key);
    if (t === undefined) return 0;
    const ms = t - Date.now();
    if (ms <= 0) this.until.delete(key);
    return ms > 0 ? Math.ceil(ms / 1000) : 0;
  }
}

const isStream = (v: unknown): boolean => typeof (v as { pipe?: unknown } | null)?.pipe === 'function';

/**
 * Every signed-in API request's handler runs inside an admission slot of its tenant and user (fair
 * queue, 429/503 with Retry-After when full or too slow), on connections with its lane's timeouts;
 * when its client goes away, its running statements are cancelled. A streamed answer (export) keeps
 * its slot until the stream is done. Installed before the routes (it wraps them as they are added).
 */
export function installDbAdmission(
  app: FastifyInstance,
): (request: FastifyRequest, routeUrl: string | undefined) => Error | undefined {
  const refused = new Refused();
  const work = async <T>(request: FastifyRequest, reply: FastifyReply, lane: DbLane, fn: () => Promise<T>) => {
    const ctx = request.ctx;
    const res = reply.raw;
    const { gone: signal, own } = watchClient(res);
    try {
      // Portal users share the system's id (docs/portal.md): each contact is a user of its own here.
      return await app.runtime.dbLoad.run(
        { tenant: ctx.tenant, user: ctx.user.portal?.contact ?? ctx.user.id, lane, signal },
        fn,
      );
    } catch (e) {
      // Only a full admission queue closes the lane early; other 429s (the e-mail budget, a
      // throttle) say nothing about the queue and must not refuse the caller's other requests.
      if (isAppError(e) && e.code === 'RATE_LIMITED' && e.details?.reason === QUEUE_FULL) {
        const key = refused.key(request, lane);
        if (key) refused.remember(key, Number(e.headers?.['retry-after'] ?? 1));
      }
      throw e;
    } finally {
      if (own) unwatchClient(res);
    }
  };
  app.decorate('dbWork', function dbWork<
    T,
  >(request: FastifyRequest, reply: FastifyReply, lane: DbLane, fn: () => Promise<T>): Promise<T> {
    return request.ctx ? work(request, reply, lane, fn) : fn();
  });
  /**
   * The refusal of a caller still inside its Retry-After, checked as the request comes in (from the
   * one onRequest hook of app.ts), before its body is read or its session looked up.
   */
  const refusalOf = (request: FastifyRequest, routeUrl: string | undefined): Error | undefined => {
    // Nobody refused (the usual case): nothing to look up, not even the route.
    if (refused.empty) return undefined;
    if (!routeUrl?.startsWith('/api/') || routeUrl === '/api/health') return undefined;
    const key = refused.key(request, laneOf(request.method, routeUrl));
    const seconds = key ? refused.left(key) : 0;
    return seconds
      ? rateLimited('Too many requests are waiting for the database; please retry shortly', seconds)
      : undefined;
  };
  app.addHook('onRoute', (route: RouteOptions) => {
    if (!route.url?.startsWith('/api/') || route.url === '/api/health') return;
    if ((route.config as { dbAdmission?: false } | undefined)?.dbAdmission === false) return;
    const method = Array.isArray(route.method) ? (route.method[0] ?? 'GET') : route.method;
    const lane = laneOf(method, route.url);
    const handler = route.handler;
    // Not async itself: one async layer fewer per request (issue 27); fastify awaits what it returns.
    route.handler = function admitted(this: FastifyInstance, request, reply) {
      // Requests without a signed-in user (sign-in, platform routes) do not queue: they are short or the operator's.
      if (!request.ctx) return handler.call(this, request, reply);
      return work(request, reply, lane, async () => {
        const out = await handler.call(this, request, reply);
        if (isStream(out)) {
          reply.send(out);
          await sendingDone(reply);
          return reply;
        }
        // The handler sent the answer itself (a streamed export returns the reply): keep the slot until it is out.
        if (out === reply) await sendingDone(reply);
        return out;
      });
    };
  });
  return refusalOf;
}
