import pg from 'pg';
import { countRefusal, isRefusal } from './load';
import { type ServerProcess, startServerProcess } from './server-process';

/** One running Forma server and a pool on its database, shared by the workloads of one run. */
export interface BenchEnv {
  server: ServerProcess;
  /** Raw twins and seeding go through this pool, straight to the server's own database. */
  pool: pg.Pool;
  /** `pg_stat_statements` is loaded, so workloads can count the SQL statements a request sends. */
  statements: boolean;
  postgresVersion: string;
  close(): Promise<void>;
}

export interface Session {
  tenant: string;
  token: string;
  userId: string;
  call(method: string, url: string, body?: unknown): Promise<ApiResponse>;
  /** A raw body (CSV…) with its content type. */
  send(method: string, url: string, body: string, contentType: string): Promise<ApiResponse>;
  /** Like `call`, but any non-2xx status throws. */
  ok<T = any>(method: string, url: string, body?: unknown): Promise<T>;
}

export interface ApiResponse {
  status: number;
  body: any;
  /** The Retry-After header of a 429/503, when there was one. */
  retryAfter?: string;
}

/** Refusals a `Session.ok` call waits out before it gives up (a server that never admits is a failure). */
const OK_RETRIES = 5;

export const BENCH_PASSWORD = 'bench password 123';

/**
 * Starts the server once, turns on `pg_stat_statements` (a preload library, so the cluster needs
 * one restart: the server is stopped and started again on the same data directory), and opens a pool.
 */
export async function startBenchEnv(opts: { poolMax?: number } = {}): Promise<BenchEnv> {
  let server = await startServerProcess();
  let statements = false;
  try {
    const admin = new pg.Client({ connectionString: server.databaseUrl });
    await admin.connect();
    try {
      await admin.query("alter system set shared_preload_libraries = 'pg_stat_statements'");
      await admin.query("alter system set pg_stat_statements.track = 'all'");
    } finally {
      await admin.end();
    }
    await server.stop({ keep: true });
    server = await startServerProcess({ dir: server.dir, platformToken: server.platformToken });
  } catch (e) {
    await server.stop();
    throw e;
  }
  const pool = new pg.Pool({ connectionString: server.databaseUrl, max: opts.poolMax ?? 24 });
  // pool.end() resolves before its sockets are closed, so stopping the server right after can
  // terminate an idle client: that error is expected then, and must not crash the run.
  pool.on('error', () => {});
  try {
    try {
      await pool.query('create extension if not exists pg_stat_statements');
      statements = true;
    } catch {
      // A build without the contrib module: workloads that count statements report "n/a".
    }
    const postgresVersion = (await pool.query('show server_version')).rows[0].server_version as string;
    return {
      server,
      pool,
      statements,
      postgresVersion,
      async close() {
        await pool.end();
        await server.stop();
      },
    };
  } catch (e) {
    await pool.end();
    await server.stop();
    throw e;
  }
}

export async function request(
  base: string,
  method: string,
  url: string,
  token: string | undefined,
  body?: unknown,
  /** Sends `body` (a string) as is with this type instead of as JSON. */
  contentType?: string,
): Promise<ApiResponse> {
  const raw = contentType !== undefined;
  const res = await fetch(new URL(url, base), {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': contentType ?? 'application/json' }),
    },
    ...(body === undefined ? {} : { body: raw ? (body as string) : JSON.stringify(body) }),
  });
  const text = await res.text();
  const retryAfter = res.headers.get('retry-after') ?? undefined;
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON (CSV, plain text): keep the text.
  }
  return { status: res.status, body: parsed, ...(retryAfter ? { retryAfter } : {}) };
}

export function session(base: string, tenant: string, token: string, userId: string): Session {
  const call = (method: string, url: string, body?: unknown) => request(base, method, url, token, body);
  return {
    tenant,
    token,
    userId,
    call,
    send: (method, url, body, contentType) => request(base, method, url, token, body, contentType),
    async ok(method, url, body) {
      let r = await call(method, url, body);
      // A refusal (429/503 with Retry-After) is the server's backpressure: a well-behaved client
      // waits as told and asks again. Each one is counted into the workload's results.
      for (let attempt = 1; isRefusal(r.status, r.retryAfter) && attempt <= OK_RETRIES; attempt++) {
        countRefusal();
        await new Promise((res) => setTimeout(res, Math.min(Number(r.retryAfter) || 1, 30) * 1000));
        r = await call(method, url, body);
      }
      if (r.status < 200 || r.status > 299) throw new Error(`${method} ${url}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    },
  };
}

/** A new tenant through the platform API, and its admin's session. */
export async function createTenant(env: BenchEnv, tenant: string): Promise<Session> {
  const created = await request(env.server.url, 'POST', '/api/tenants', env.server.platformToken, {
    id: tenant,
    name: tenant,
    admin: { email: `admin@${tenant}.test`, password: BENCH_PASSWORD, name: 'Admin' },
  });
  if (created.status !== 201 && created.status !== 200)
    throw new Error(`tenant ${tenant}: ${created.status} ${JSON.stringify(created.body)}`);
  return login(env, tenant, `admin@${tenant}.test`);
}

export async function login(env: BenchEnv, tenant: string, email: string): Promise<Session> {
  const r = await request(env.server.url, 'POST', '/api/auth/login', undefined, {
    tenant,
    email,
    password: BENCH_PASSWORD,
  });
  if (r.status !== 200) throw new Error(`login ${email}: ${r.status} ${JSON.stringify(r.body)}`);
  return session(env.server.url, tenant, r.body.token, r.body.user.id);
}

/** Statements PostgreSQL has executed since the last reset, all databases and users. */
export async function statementCount(env: BenchEnv): Promise<number> {
  const r = await env.pool.query('select coalesce(sum(calls), 0)::bigint as n from pg_stat_statements');
  return Number(r.rows[0].n);
}

export async function resetStatements(env: BenchEnv): Promise<void> {
  await env.pool.query('select pg_stat_statements_reset()');
}
