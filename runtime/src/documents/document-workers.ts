import { fileURLToPath } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { AppError, type ErrorCode } from '../errors';
import type { DocumentAnswer, DocumentTask, WorkerData } from './document-worker';

const BOOT = fileURLToPath(new URL('./document-worker-boot.mjs', import.meta.url));
/** Compiled JavaScript runs as is; TypeScript sources are loaded through tsx by the boot script. */
const ENTRY = new URL(`./document-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href;
const RETRY_AFTER_S = 5;

export interface DocumentWorkersConfig {
  /** Worker threads parsing and drawing documents (each can use a core). */
  threads: number;
  /** A document taking longer is stopped (its thread replaced) and answered 503. */
  timeoutMs: number;
  /** Documents of one tenant that may wait for a thread; past that, 503. */
  queue: number;
}

export const defaultDocumentWorkersConfig: DocumentWorkersConfig = { threads: 2, timeoutMs: 20_000, queue: 64 };

interface Job {
  task: DocumentTask;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

interface TenantQueue {
  jobs: Job[];
  running: number;
}

const unavailable = (message: string) =>
  new AppError('UNAVAILABLE', message, { headers: { 'retry-after': String(RETRY_AFTER_S) } });

/**
 * Word and PDF work off the event loop: a pool of worker threads (piscina) with a time limit per
 * document and a fair share between tenants. Each tenant has its own queue, tenants take turns for
 * free threads, and one tenant never holds every thread while another waits, so a 1,000-record merge
 * does not starve someone else's single print.
 */
export class DocumentWorkers {
  private pool: Piscina | undefined;
  private readonly tenants = new Map<string, TenantQueue>();
  /** Tenants with waiting jobs, in the order they get their next turn. */
  private readonly turns: string[] = [];
  private running = 0;
  private closed = false;

  constructor(private readonly config: DocumentWorkersConfig = defaultDocumentWorkersConfig) {}

  /** Runs `task` for `tenant` in a worker; AppErrors thrown there (400, 413) are thrown here. */
  run<T>(tenant: string, task: DocumentTask): Promise<T> {
    if (this.closed) return Promise.reject(unavailable('The server is shutting down'));
    let queue = this.tenants.get(tenant);
    if (!queue) {
      queue = { jobs: [], running: 0 };
      this.tenants.set(tenant, queue);
    }
    if (queue.jobs.length >= this.config.queue) {
      return Promise.reject(
        unavailable(`This tenant already has ${queue.jobs.length} documents waiting to be made; try again shortly`),
      );
    }
    const promise = new Promise<T>((resolve, reject) => {
      queue.jobs.push({ task, resolve: resolve as (value: unknown) => void, reject });
    });
    if (!this.turns.includes(tenant)) this.turns.push(tenant);
    this.pump();
    return promise;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const queue of this.tenants.values()) {
      for (const job of queue.jobs.splice(0)) job.reject(unavailable('The server is shutting down'));
    }
    await this.pool?.destroy();
  }

  private get threads(): number {
    return Math.max(1, Math.floor(this.config.threads));
  }

  /** Starts jobs while threads are free, one tenant's job per turn. */
  private pump(): void {
    // With several threads, one tenant keeps at least one free for the others.
    const perTenant = Math.max(1, this.threads - 1);
    let scanned = 0;
    while (this.running < this.threads && this.turns.length > 0 && scanned < this.turns.length) {
      const tenant = this.turns.shift()!;
      const queue = this.tenants.get(tenant)!;
      if (queue.running >= perTenant) {
        this.turns.push(tenant);
        scanned += 1;
        continue;
      }
      scanned = 0;
      const job = queue.jobs.shift()!;
      if (queue.jobs.length > 0) this.turns.push(tenant);
      this.start(tenant, queue, job);
    }
  }

  private start(tenant: string, queue: TenantQueue, job: Job): void {
    this.running += 1;
    queue.running += 1;
    const stop = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    // The time limit counts from the task's start in its thread, not from loading a fresh thread.
    const { port1, port2 } = new MessageChannel();
    port1.once('message', () => {
      timer = setTimeout(() => stop.abort(), this.config.timeoutMs);
      port1.close();
    });
    this.workers()
      .run({ task: job.task, started: port2 }, { signal: stop.signal, transferList: [port2] })
      .then(
        (answer: DocumentAnswer) => {
          if (answer.ok) job.resolve(answer.value);
          else {
            const { code, message, fields, details } = answer.error;
            job.reject(
              new AppError(code as ErrorCode, message, {
                ...(fields ? { fields } : {}),
                ...(details ? { details } : {}),
              }),
            );
          }
        },
        (err: unknown) => {
          if (stop.signal.aborted) {
            job.reject(
              unavailable(
                `Making the document took longer than ${Math.round(this.config.timeoutMs / 1000)} s and was stopped; try a smaller template or fewer lines`,
              ),
            );
          } else job.reject(err);
        },
      )
      .finally(() => {
        clearTimeout(timer);
        port1.close();
        this.running -= 1;
        queue.running -= 1;
        if (queue.running === 0 && queue.jobs.length === 0) this.tenants.delete(tenant);
        this.pump();
      });
  }

  private workers(): Piscina {
    this.pool ??= new Piscina({
      filename: BOOT,
      workerData: { entry: ENTRY },
      minThreads: 0,
      maxThreads: this.threads,
      // Idle threads end, so an idle server holds no worker (and tests' processes can exit).
      idleTimeout: 30_000,
    });
    return this.pool;
  }
}

/**
 * Record data for a worker: lookups printing as their label say so explicitly (cloning drops
 * `toString`), by path — `account`, and a line's `lines.0.product`.
 */
export function workerData(data: Record<string, unknown>): WorkerData {
  const labels: Record<string, string> = {};
  const isLabelled = (value: unknown): value is object =>
    !!value && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, 'toString');
  for (const [field, value] of Object.entries(data)) {
    if (isLabelled(value)) labels[field] = String(value);
    else if (Array.isArray(value))
      value.forEach((line, i) => {
        if (line && typeof line === 'object')
          for (const [inner, v] of Object.entries(line))
            if (isLabelled(v)) labels[`${field}.${i}.${inner}`] = String(v);
      });
  }
  return { data, labels };
}
