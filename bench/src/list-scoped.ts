/**
 * What record scope costs a list: `GET /api/records/deal` over 100,000 deals, through HTTP, as the
 * admin (no scope), as a manager whose `subordinates` scope covers a tenth of the deals, as the
 * director above every manager (the same scope covering every deal through a three-level hierarchy),
 * and as a rep (`own`). The scope is one `owner IN (select … from _user_tree)` sub-select in the same
 * query, so a scoped page should cost little more than an unscoped one.
 *
 *   node --no-node-snapshot --import tsx bench/src/list-scoped.ts [records] [requests]
 *
 * Uses DATABASE_URL when set, else a throw-away embedded PostgreSQL. A bench harness imports
 * `listScoped()` and reads its rows.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { buildApp, startEmbeddedPostgres } from '@forma/platform';
import { connectDb, createRuntime } from '@forma/runtime';

export interface ScopedRow {
  name: string;
  /** Rows the user may see, of all records. */
  visible: number;
  requests: number;
  concurrency: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  rps: number;
}

export interface ScopedOptions {
  records?: number;
  requests?: number;
  concurrency?: number;
  managers?: number;
  repsPerManager?: number;
}

interface Client {
  token: string;
  name: string;
  id: string;
}

export async function listScoped(opts: ScopedOptions = {}): Promise<ScopedRow[]> {
  const records = opts.records ?? 100_000;
  const requests = opts.requests ?? 400;
  const concurrency = opts.concurrency ?? 8;
  const managers = opts.managers ?? 10;
  const repsPerManager = opts.repsPerManager ?? 10;

  const dir = process.env.DATABASE_URL ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'forma-bench-pg-'));
  const pg = dir ? await startEmbeddedPostgres({ dir, ephemeral: true }) : undefined;
  const db = connectDb({ url: process.env.DATABASE_URL ?? (pg?.url as string), poolMax: 16 });
  const runtime = createRuntime({ db });
  const platformToken = randomBytes(16).toString('hex');
  const app = await buildApp({ runtime, platformToken, logLevel: 'silent' });
  const tenant = `bench_${randomBytes(4).toString('hex')}`;
  try {
    await runtime.migrate();
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const call = async (method: string, url: string, token: string, body?: unknown) => {
      const res = await fetch(new URL(url, base), {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
      return text ? JSON.parse(text) : undefined;
    };
    const password = 'bench password 123';
    await call('POST', '/api/tenants', platformToken, {
      id: tenant,
      name: 'Bench',
      admin: { email: `admin@${tenant}.test`, password, name: 'Admin' },
    });
    const login = async (email: string) =>
      (
        (await (
          await fetch(new URL('/api/auth/login', base), {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ tenant, email, password }),
          })
        ).json()) as { token: string }
      ).token;
    const adminToken = await login(`admin@${tenant}.test`);
    await call('PUT', '/api/meta/objects/deal', adminToken, {
      title: 'Deal',
      type: 'object',
      properties: {
        name: { type: 'string', maxLength: 200 },
        amount: { type: 'number', minimum: 0, 'x-kind': 'currency' },
        stage: { type: 'string', enum: ['new', 'won', 'lost'], default: 'new' },
      },
      required: ['name'],
    });
    await call('PUT', '/api/meta/roles/manager', adminToken, { objects: { deal: { read: 'subordinates' } } });
    await call('PUT', '/api/meta/roles/rep', adminToken, { objects: { deal: { read: 'own' } } });

    const user = async (name: string, role: string, manager?: string): Promise<Client> => {
      const email = `${name}@${tenant}.test`;
      const u = await call('POST', '/api/users', adminToken, { email, name, password, roles: [role], manager });
      return {
        id: u.id,
        name,
        token: name === 'director' || name === 'manager-0' || name === 'rep-0-0' ? await login(email) : '',
      };
    };
    const director = await user('director', 'manager');
    const owners: string[] = [];
    let firstManager: Client | undefined;
    let firstRep: Client | undefined;
    for (let m = 0; m < managers; m++) {
      const mgr = await user(`manager-${m}`, 'manager', director.id);
      firstManager ??= mgr;
      for (let r = 0; r < repsPerManager; r++) {
        const rep = await user(`rep-${m}-${r}`, 'rep', mgr.id);
        firstRep ??= rep;
        owners.push(rep.id);
      }
    }

    // Seeding 100,000 records through the API would measure the API; rows go in with one INSERT.
    const schema = `t_${tenant}`;
    await db.raw(
      `insert into ??.?? (name, amount, stage, owner, created_by, updated_by)
       select 'Deal ' || i, (i % 1000) * 10, (array['new','won','lost'])[1 + i % 3], o.owner, o.owner, o.owner
       from generate_series(1, ?) i
       join lateral (select (?::uuid[])[1 + (i % ?)] as owner) o on true`,
      [schema, 'deal', records, owners, owners.length],
    );
    await db.raw('analyze ??.??', [schema, 'deal']);

    const measure = async (name: string, client: Client, visible: number, url: string): Promise<ScopedRow> => {
      for (let i = 0; i < 20; i++) await call('GET', url, client.token);
      const samples: number[] = [];
      let next = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < requests) {
            next += 1;
            const t0 = performance.now();
            const page = await call('GET', url, client.token);
            samples.push(performance.now() - t0);
            if (!page.items.length) throw new Error(`${name}: empty page`);
          }
        }),
      );
      const elapsed = performance.now() - started;
      const sorted = samples.sort((a, b) => a - b);
      const at = (q: number) =>
        Math.round((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0) * 100) / 100;
      return {
        name,
        visible,
        requests: samples.length,
        concurrency,
        p50Ms: at(0.5),
        p90Ms: at(0.9),
        p99Ms: at(0.99),
        rps: Math.round((samples.length / elapsed) * 1000),
      };
    };
    const perRep = Math.round(records / owners.length);
    const rows: ScopedRow[] = [];
    // The default order (keyset on an index), then a sort on an unindexed column (every visible row sorted).
    for (const [label, url] of [
      ['', '/api/records/deal?limit=50'],
      [', sort=-amount', '/api/records/deal?limit=50&sort=-amount'],
    ] as const) {
      rows.push(await measure(`admin (no scope)${label}`, { ...director, token: adminToken }, records, url));
      rows.push(await measure(`manager (subordinates)${label}`, firstManager as Client, perRep * repsPerManager, url));
      rows.push(await measure(`director (subordinates, 2 levels)${label}`, director, records, url));
      rows.push(await measure(`rep (own)${label}`, firstRep as Client, perRep, url));
    }
    return rows;
  } finally {
    await runtime.tenants.delete(tenant).catch(() => undefined);
    await app.close();
    await runtime.close();
    await pg?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function formatScopedTable(rows: ScopedRow[]): string {
  const header = ['list as', 'visible', 'p50 ms', 'p90 ms', 'p99 ms', 'req/s'];
  const lines = rows.map((r) => [
    r.name,
    String(r.visible),
    r.p50Ms.toFixed(2),
    r.p90Ms.toFixed(2),
    r.p99Ms.toFixed(2),
    String(r.rps),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
  const fmt = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(fmt)].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const records = Number(process.argv[2]) || undefined;
  const requests = Number(process.argv[3]) || undefined;
  listScoped({ ...(records ? { records } : {}), ...(requests ? { requests } : {}) }).then(
    (rows) => console.log(formatScopedTable(rows)),
    (err) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
