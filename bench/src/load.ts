import type { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import type pg from 'pg';

export interface LoadStats {
  requests: number;
  /**
   * Non-2xx responses (other than refusals), socket errors and timeouts: any of them makes the
   * figures invalid.
   */
  errors: number;
  /**
   * Answers 429/503 with Retry-After: the server's admission pushing back (a full queue, a wait too
   * long), not a broken answer. Counted apart, left out of the latencies, and shown in the results.
   */
  refused: number;
  p50Ms: number;
  p99Ms: number;
  /** The slowest request: a stall shows here first. */
  maxMs: number;
  rps: number;
  /**
   * 'µs': p50/p99/max from each answer's own time (`httpLoad`'s `precise`); absent: autocannon's
   * whole-millisecond histogram (HTTP loads) or performance.now() (SQL loads).
   */
  latencyResolution?: 'µs';
  /** CPU time of the server process per answered request (floor comparisons), ms. */
  cpuMsPerRequest?: number;
  /** Why `errors` is not zero: answers by status, socket errors, timeouts (HTTP loads only). */
  errorDetail?: string;
}

/**
 * Refusals (429/503 with Retry-After) seen since the last `takeRefusals()`, HTTP loads and retried
 * session calls together: the runner adds them to each workload's results, so none goes unseen.
 */
let refusalTally = 0;

export function countRefusal(n = 1): void {
  refusalTally += n;
}

export function takeRefusals(): number {
  const n = refusalTally;
  refusalTally = 0;
  return n;
}

/** A refusal is backpressure: the status says "later", and Retry-After says when. */
export function isRefusal(status: number, retryAfter: string | null | undefined): boolean {
  return (status === 429 || status === 503) && retryAfter !== undefined && retryAfter !== null && retryAfter !== '';
}

/** The Retry-After of autocannon's response headers (a list when repeated). */
export function retryAfterOf(headers: Record<string, string | string[] | undefined> | undefined): string | undefined {
  const v = headers?.['retry-after'];
  return Array.isArray(v) ? v[0] : v;
}

/** `url` (GET, or `method` with a JSON `body`) on `connections` keep-alive connections for `seconds` (autocannon). */
export async function httpLoad(opts: {
  url: string;
  headers: Record<string, string>;
  connections: number;
  seconds: number;
  method?: 'GET' | 'POST' | 'PATCH';
  body?: unknown;
  /** Requests per second over all connections (default: as fast as the server answers). */
  overallRate?: number;
  /**
   * Statuses that are refusals even without Retry-After: another server's admission control
   * (Directus' pressure limiter answers 503 without one by default).
   */
  refusalStatuses?: number[];
  /**
   * Latencies at microsecond resolution: autocannon's histogram keeps whole milliseconds (a p50 of
   * 1.4 ms against 1.6 ms reads 1 against 2), so each answered request's own time, which its
   * 'response' event carries as fractional milliseconds (process.hrtime), is kept and sorted here.
   * The same client and connections either way; the floor comparisons use it on both sides.
   */
  precise?: boolean;
  /**
   * Each 2xx answer's start (performance.now(), ms) and latency, pushed here as it comes: to place
   * the slow answers in time (noisy-neighbour's disturbance windows). Implies nothing about `precise`.
   */
  timeline?: Array<{ at: number; ms: number }>;
}): Promise<LoadStats> {
  let refused = 0;
  // Grown by doubling: an array push per answer would cost the client more than the figure is worth.
  let samples = opts.precise ? new Float64Array(1 << 16) : undefined;
  let n = 0;
  const job = autocannon({
    url: opts.url,
    headers: opts.body === undefined ? opts.headers : { ...opts.headers, 'content-type': 'application/json' },
    connections: opts.connections,
    duration: opts.seconds,
    requests: [
      {
        onResponse: (status, _body, _ctx, headers) => {
          if (isRefusal(status, retryAfterOf(headers)) || opts.refusalStatuses?.includes(status)) refused += 1;
        },
      },
    ],
    // Latencies are of answered requests: a refusal comes back at once and would flatter them.
    excludeErrorStats: true,
    // autocannon counts an answer slower than its 10 s default as an error: on a starved machine
    // (the smoke run inside `npm test`) a slow answer is slowness, which the p99 shows, not a failure.
    timeout: 120,
    ...(opts.method ? { method: opts.method } : {}),
    ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
    ...(opts.overallRate ? { overallRate: opts.overallRate } : {}),
  });
  // The promise autocannon returns is also its run's event emitter (lib/init.js), typed as a promise only.
  const timeline = opts.timeline;
  if (timeline)
    (job as unknown as EventEmitter).on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      if (status >= 200 && status <= 299) timeline.push({ at: performance.now() - ms, ms });
    });
  if (samples)
    (job as unknown as EventEmitter).on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      // The answers autocannon's own latencies count: 2xx only (refusals and errors excluded).
      if (status < 200 || status > 299 || !samples) return;
      if (n === samples.length) {
        const grown = new Float64Array(samples.length * 2);
        grown.set(samples);
        samples = grown;
      }
      samples[n++] = ms;
    });
  const r = await job;
  countRefusal(refused);
  const fine = samples ? samples.subarray(0, n).sort() : undefined;
  const at = (q: number) => (fine?.length ? (fine[Math.min(fine.length - 1, Math.floor(q * fine.length))] ?? 0) : 0);
  return {
    requests: r.requests.total,
    errors: Math.max(0, r.non2xx - refused) + r.errors + r.timeouts,
    refused,
    p50Ms: fine ? round3(at(0.5)) : r.latency.p50,
    p99Ms: fine ? round3(at(0.99)) : r.latency.p99,
    maxMs: fine ? round3(fine[fine.length - 1] ?? 0) : r.latency.max,
    ...(fine ? { latencyResolution: 'µs' as const } : {}),
    rps: Math.round(r.requests.total / opts.seconds),
    errorDetail: `statuses ${JSON.stringify(Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([k, v]) => [k, (v as { count: number }).count])))}, socket errors ${r.errors}, timeouts ${r.timeouts}`,
  };
}

/** Runs one query on `connections` pooled clients back to back for `seconds`: the raw twin of a workload. */
export function sqlLoad(opts: {
  pool: pg.Pool;
  text: string;
  values: unknown[];
  connections: number;
  seconds: number;
  check: (rows: unknown[]) => void;
}): Promise<LoadStats> {
  return clientLoad({
    ...opts,
    run: async (client) => opts.check((await client.query(opts.text, opts.values)).rows),
  });
}

/** Runs `run` on `connections` pooled clients back to back for `seconds` (a twin of several statements). */
export async function clientLoad(opts: {
  pool: pg.Pool;
  connections: number;
  seconds: number;
  run: (client: pg.PoolClient) => Promise<void>;
}): Promise<LoadStats> {
  const samples: number[] = [];
  let errors = 0;
  const started = performance.now();
  const end = started + opts.seconds * 1000;
  await Promise.all(
    Array.from({ length: opts.connections }, async () => {
      const client = await opts.pool.connect();
      try {
        while (performance.now() < end) {
          const t0 = performance.now();
          try {
            await opts.run(client);
          } catch {
            errors += 1;
          }
          samples.push(performance.now() - t0);
        }
      } finally {
        client.release();
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return {
    requests: samples.length,
    errors,
    refused: 0,
    p50Ms: round(percentile(samples, 0.5)),
    p99Ms: round(percentile(samples, 0.99)),
    maxMs: round(samples.reduce((m, v) => Math.max(m, v), 0)),
    rps: Math.round(samples.length / elapsed),
  };
}

export function percentile(samples: number[], q: number): number {
  if (!samples.length) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Milliseconds to the microsecond. */
function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
