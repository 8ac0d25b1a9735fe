/**
 * list-admin (issue 12, workload 1): 50 won deals sorted by −amount out of `rows` deals, as the tenant
 * admin, through HTTP with autocannon, against the same SELECT sent straight through `pg`.
 * Target: HTTP p50 ≤ 1.5× the raw SQL twin's p50.
 */
import pg from 'pg';
import { tableOf, tenantSchema } from '../../runtime/src/model/naming';
import { httpLoad, type LoadStats, sqlLoad } from './load';
import { startServerProcess } from './server-process';

export interface ListAdminOptions {
  rows?: number;
  connections?: number;
  seconds?: number;
  /** Fixed seed for PostgreSQL's random(), so every run lists the same data. */
  seed?: number;
}

export interface BenchResult {
  name: string;
  params: Record<string, number | string>;
  http: LoadStats;
  raw: LoadStats;
  /** HTTP p50 / raw p50. */
  ratio: number;
  target: string;
  pass: boolean;
  /** Versions of what ran underneath (e.g. the PostgreSQL server). */
  versions: Record<string, string>;
}

const TARGET_RATIO = 1.5;
const PAGE = 50;
const OBJECT = 'deal';

export async function listAdmin(opts: ListAdminOptions = {}): Promise<BenchResult> {
  const rows = opts.rows ?? 100_000;
  const connections = opts.connections ?? 10;
  const seconds = opts.seconds ?? 10;
  const seed = opts.seed ?? 0.42;
  const server = await startServerProcess();
  const pool = new pg.Pool({ connectionString: server.databaseUrl, max: connections + 2 });
  try {
    const tenant = 'bench';
    const password = 'bench password 123';
    await api(server.url, 'POST', '/api/tenants', server.platformToken, {
      id: tenant,
      name: 'Bench',
      admin: { email: 'admin@bench.test', password, name: 'Admin' },
    });
    const login = (await api(server.url, 'POST', '/api/auth/login', undefined, {
      tenant,
      email: 'admin@bench.test',
      password,
    })) as { token: string; user: { id: string } };
    await api(server.url, 'PUT', `/api/meta/objects/${OBJECT}`, login.token, {
      title: 'Deal',
      type: 'object',
      properties: {
        name: { type: 'string', maxLength: 200 },
        amount: { type: 'number', minimum: 0, 'x-kind': 'currency' },
        stage: { type: 'string', enum: ['new', 'won', 'lost'], default: 'new' },
      },
      required: ['name'],
    });

    const schema = tenantSchema(tenant);
    const table = tableOf(OBJECT);
    await seedDeals(pool, schema, table, rows, seed, login.user.id);

    const query = new URLSearchParams({
      filter: JSON.stringify({ stage: { eq: 'won' } }),
      sort: '-amount',
      limit: '50',
    });
    const path = `/api/records/${OBJECT}?${query}`;
    // The same statement the records service issues (nulls last, id as the tie-breaker); identifiers
    // are validated by naming.ts and quoted by pg's escapeIdentifier.
    const q = (s: string) => pg.escapeIdentifier(s);
    const rawText = `select * from ${q(schema)}.${q(table)} where stage = $1 order by amount desc nulls last, id asc limit ${PAGE}`;

    // Answers first: a fast wrong page must not pass.
    const expected = (await pool.query(rawText, ['won'])).rows as Deal[];
    checkPage(expected, 'raw SQL');
    const page = (await api(server.url, 'GET', path, login.token)) as { items: Deal[] };
    checkPage(page.items, 'HTTP');
    const same = page.items.map((d) => d.id).join() === expected.map((d) => d.id).join();
    if (!same) throw new Error('list-admin: the HTTP page differs from the raw SQL page');

    const headers = { authorization: `Bearer ${login.token}` };
    // Warm both paths (plans, caches, JIT) before measuring.
    await httpLoad({ url: server.url + path, headers, connections, seconds: 1 });
    const http = await httpLoad({ url: server.url + path, headers, connections, seconds });
    const raw = await sqlLoad({
      pool,
      text: rawText,
      values: ['won'],
      connections,
      seconds,
      check: (r) => {
        if (r.length !== PAGE) throw new Error('short page');
      },
    });
    const after = (await api(server.url, 'GET', path, login.token)) as { items: Deal[] };
    if (after.items.map((d) => d.id).join() !== expected.map((d) => d.id).join())
      throw new Error('list-admin: the HTTP page changed under load');
    if (http.errors || raw.errors)
      throw new Error(`list-admin: ${http.errors} HTTP and ${raw.errors} SQL errors under load`);

    const ratio = Math.round((http.p50Ms / Math.max(raw.p50Ms, 0.01)) * 100) / 100;
    return {
      name: 'list-admin',
      params: { rows, connections, seconds, seed, page: PAGE },
      http,
      raw,
      ratio,
      target: `p50 ≤ ${TARGET_RATIO}× raw SQL`,
      pass: ratio <= TARGET_RATIO,
      versions: { postgres: (await pool.query('show server_version')).rows[0].server_version },
    };
  } finally {
    await pool.end();
    await server.stop();
  }
}

interface Deal {
  id: string;
  stage: string;
  amount: number | string | null;
}

/** 50 rows, all won, amounts non-increasing, no duplicate ids. */
export function checkPage(items: Deal[], source: string): void {
  if (items.length !== PAGE) throw new Error(`list-admin (${source}): ${items.length} rows, expected ${PAGE}`);
  if (new Set(items.map((d) => d.id)).size !== items.length) throw new Error(`list-admin (${source}): duplicate rows`);
  for (const [i, d] of items.entries()) {
    if (d.stage !== 'won') throw new Error(`list-admin (${source}): row ${i} has stage ${d.stage}`);
    const prev = items[i - 1];
    if (prev && Number(prev.amount) < Number(d.amount))
      throw new Error(`list-admin (${source}): not sorted by −amount`);
  }
}

/** Seeding through the API would measure the API: rows go in with one INSERT, random() seeded first. */
async function seedDeals(pool: pg.Pool, schema: string, table: string, rows: number, seed: number, owner: string) {
  const client = await pool.connect();
  try {
    const q = (s: string) => pg.escapeIdentifier(s);
    await client.query('select setseed($1)', [seed]);
    await client.query(
      `insert into ${q(schema)}.${q(table)} (name, amount, stage, owner, created_by, updated_by)
       select 'Deal ' || i, round((random() * 100000)::numeric, 2), (array['new','won','lost'])[1 + floor(random() * 3)::int], $2, $2, $2
       from generate_series(1, $1::int) i`,
      [rows, owner],
    );
    await client.query(`analyze ${q(schema)}.${q(table)}`);
  } finally {
    client.release();
  }
}

async function api(base: string, method: string, url: string, token: string | undefined, body?: unknown) {
  const res = await fetch(new URL(url, base), {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}
