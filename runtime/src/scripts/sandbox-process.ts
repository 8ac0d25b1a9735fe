import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Logger } from '../logger';
import { answerQuery } from './answer-query';
import type { ChildMessage, FailureKind, RunMessage, SourceDef } from './sandbox-protocol';
import type { ScriptLimits } from './scripts-config';
import type { ScriptHost } from './script-types';

const CHILD_ENTRY = fileURLToPath(new URL('./sandbox-child.ts', import.meta.url));
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const START_TIMEOUT_MS = 30_000;
/**
 * The child answers every call by its own deadline; this one only fires when the child itself is
 * stuck, and then the child is killed and replaced.
 */
const BACKSTOP_MS = 5000;
/** Past this many keys the parent forgets what it sent (the child asks again for what it lacks). */
const MAX_SHIPPED = 20_000;

export interface SandboxCall {
  tenant: string;
  limits: ScriptLimits;
  keys: string[];
  job: string;
  sourceOf(key: string): SourceDef;
  host: ScriptHost | undefined;
}

export type SandboxOutcome =
  | { ok: true; out: string }
  | { ok: false; kind: FailureKind | 'crash'; message: string; position?: number; name?: string };

interface Pending {
  call: SandboxCall;
  child: ChildProcess;
  resolve(outcome: SandboxOutcome): void;
  timer: NodeJS.Timeout;
  resent: boolean;
}

/**
 * The parent's handle on the sandbox child process: starts it on first use, restarts it after it
 * dies (failing only the calls it was serving), forwards scripts' queries to their caller's host.
 */
export class SandboxProcess {
  private child: ChildProcess | undefined;
  private starting: Promise<ChildProcess> | undefined;
  private readonly pending = new Map<number, Pending>();
  private shipped = new Set<string>();
  private lastId = 0;
  private closed = false;

  constructor(private readonly opts: { maxIsolates: number; logger: Logger }) {}

  /** Process id of the running child (tests kill it to prove calls survive a crash). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the child now rather than on the first call. */
  async start(): Promise<void> {
    await this.ensureChild();
  }

  async call(call: SandboxCall): Promise<SandboxOutcome> {
    let child = this.child?.connected ? this.child : undefined;
    if (!child) {
      try {
        child = await this.ensureChild();
      } catch (e) {
        return { ok: false, kind: 'crash', message: (e as Error).message };
      }
    }
    const target = child;
    return new Promise<SandboxOutcome>((resolve) => {
      this.lastId += 1;
      const id = this.lastId;
      const entry: Pending = {
        call,
        child: target,
        resolve,
        resent: false,
        timer: setTimeout(() => this.stuck(id), call.limits.timeoutMs + BACKSTOP_MS),
      };
      this.pending.set(id, entry);
      this.refresh();
      this.post(
        entry,
        id,
        call.keys.filter((key) => !this.shipped.has(key)),
      );
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      // An idle child is unref'd: without this the process could end before the exit is seen.
      child.ref();
      child.kill('SIGKILL');
      await exited;
    }
    for (const id of [...this.pending.keys()])
      this.settle(id, { ok: false, kind: 'aborted', message: 'Shutting down' });
  }

  private post(entry: Pending, id: number, send: string[]): void {
    const message: RunMessage = {
      t: 'run',
      id,
      tenant: entry.call.tenant,
      limits: entry.call.limits,
      keys: entry.call.keys,
      job: entry.call.job,
    };
    if (send.length > 0) {
      message.sources = {};
      for (const key of send) message.sources[key] = entry.call.sourceOf(key);
    }
    if (!entry.child.connected) {
      this.settle(id, { ok: false, kind: 'crash', message: 'The script sandbox stopped' });
      return;
    }
    entry.child.send(message);
    if (this.shipped.size + send.length > MAX_SHIPPED) this.shipped = new Set();
    for (const key of send) this.shipped.add(key);
  }

  private settle(id: number, outcome: SandboxOutcome): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    clearTimeout(entry.timer);
    entry.resolve(outcome);
    this.refresh();
  }

  /** An idle child must not keep the server process alive; a busy one must. */
  private refresh(): void {
    const child = this.child;
    if (!child) return;
    if (this.pending.size > 0) {
      child.ref();
      child.channel?.ref();
    } else {
      child.unref();
      child.channel?.unref();
    }
  }

  private onMessage(child: ChildProcess, m: ChildMessage): void {
    if (m.t === 'ready') return;
    const entry = this.pending.get(m.id);
    if (!entry || entry.child !== child) {
      if (m.t === 'query') child.send({ t: 'queryResult', q: m.q, answer: '{"ok":false,"error":"The call is over"}' });
      return;
    }
    switch (m.t) {
      case 'done':
        this.settle(m.id, { ok: true, out: m.out });
        return;
      case 'fail': {
        const { t: _t, id: _id, ...failure } = m;
        this.settle(m.id, { ok: false, ...failure });
        return;
      }
      case 'missing':
        if (entry.resent) {
          this.settle(m.id, { ok: false, kind: 'internal', message: 'The sandbox lost a script source' });
          return;
        }
        entry.resent = true;
        this.post(
          entry,
          m.id,
          m.keys.filter((key) => entry.call.keys.includes(key)),
        );
        return;
      case 'query':
        void answerQuery(entry.call.host, entry.call.limits, m.object, m.filter, m.options, this.opts.logger).then(
          (answer) => {
            if (child.connected) child.send({ t: 'queryResult', q: m.q, answer });
          },
        );
        return;
    }
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child === child) {
      this.child = undefined;
      this.shipped = new Set();
    }
    const served = [...this.pending.entries()].filter(([, entry]) => entry.child === child);
    if (!this.closed) {
      this.opts.logger.error(
        { code, signal, inFlight: served.length },
        'script sandbox process exited; it restarts on the next call',
      );
    }
    for (const [id] of served) {
      this.settle(id, {
        ok: false,
        kind: 'crash',
        message: `The script sandbox stopped (${signal ?? `exit ${code}`})`,
      });
    }
  }

  /** The child did not answer by its own deadline: its event loop is stuck, so replace it. */
  private stuck(id: number): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.opts.logger.error({ tenant: entry.call.tenant }, 'script sandbox process is not answering; killing it');
    this.settle(id, { ok: false, kind: 'timeout', message: 'The sandbox did not answer in time' });
    entry.child.kill('SIGKILL');
  }

  private ensureChild(): Promise<ChildProcess> {
    if (this.closed) return Promise.reject(new Error('The script sandbox is closed'));
    if (this.child?.connected) return Promise.resolve(this.child);
    this.starting ??= this.spawn().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private spawn(): Promise<ChildProcess> {
    return new Promise<ChildProcess>((resolve, reject) => {
      const child = fork(CHILD_ENTRY, [String(this.opts.maxIsolates)], {
        execArgv: ['--no-node-snapshot', '--import', TSX_LOADER],
        // Nothing of the server's environment (database URL, tokens) is the sandbox's business.
        env: childEnv(),
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
        serialization: 'json',
      });
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error('The script sandbox did not start in time'));
      }, START_TIMEOUT_MS);
      child.on('message', (m: ChildMessage) => {
        if (m.t === 'ready' && this.child !== child) {
          clearTimeout(timer);
          this.child = child;
          this.refresh();
          resolve(child);
        }
        this.onMessage(child, m);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`The script sandbox stopped while starting (${signal ?? `exit ${code}`})`));
        this.onExit(child, code, signal);
      });
      child.on('error', (err) => this.opts.logger.error({ err }, 'script sandbox process error'));
    });
  }
}

function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const key of ['NODE_ENV', 'TZ', 'LANG', 'PATH']) if (process.env[key] !== undefined) env[key] = process.env[key];
  return env;
}
