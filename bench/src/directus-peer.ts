/**
 * Directus side by side on identical data (issue 27, "A better anchor first"): when a Directus peer
 * is configured, the bench creates a collection in it through Directus' schema API with the columns
 * and types of Forma's `deal` table, copies Forma's seeded rows into it (SQL into the peer's
 * PostgreSQL, as Forma itself is seeded by SQL), and loads the same page and the same record there
 * right after Forma and its floor twin. Without a peer the rows keep the recorded figure and say so.
 *
 * Configuration (bench/README.md, "Directus side by side"):
 * - `BENCH_DIRECTUS_URL` + `BENCH_DIRECTUS_TOKEN`: a running peer and its admin token.
 * - `BENCH_DIRECTUS=setup`: runs the peer's own `setup.sh` (shared/peers/directus, or
 *   `BENCH_DIRECTUS_PEER`), reads URL, token and database from the `.env` it wrote, and stops the
 *   peer at the end of the run when the run started it.
 * - `BENCH_DIRECTUS_DATABASE_URL`: the peer's PostgreSQL (default: from the peer's `.env`, else
 *   setup.sh's defaults).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { tableOf } from '../../runtime/src/model/naming';
import { countRefusal, httpLoad, type LoadStats, takeRefusals } from './load';
import { cpuMs } from './memory';
import { type BenchResult, describeLoad, ratio } from './results';
import type { SalesFixture } from './sales-fixture';

/** The collection the bench creates in the peer (the peer's own bench uses `deals`). */
export const COLLECTION = 'forma_deals';
/** Indexed in Forma's `deal` (sales-fixture.ts, `x-index`), so indexed in the copy too. */
export const INDEXED = ['amount', 'stage'];

/**
 * Directus 11.3.5 on its own 7-column `deals` table (shared/peers/directus/RESULTS.md, run 2): the
 * figures compared with when no peer runs. Not the same data: its list page is 8.8 KB, Forma's 33 KB.
 */
export const RECORDED = { list: 200, read: 207 } as const;
const RECORDED_PAGE_KB = 8.8;

export interface DirectusPeer {
  url: string;
  token: string;
  databaseUrl: string;
  /** The Directus process, when known (its pid file): its CPU per request is recorded. */
  pid?: number;
}

export interface PgColumn {
  column_name: string;
  data_type: string;
  character_maximum_length: number | null;
  numeric_precision: number | null;
  numeric_scale: number | null;
  is_nullable: 'YES' | 'NO';
}

export interface DirectusField {
  field: string;
  type: string;
  meta: Record<string, unknown>;
  schema: Record<string, unknown>;
}

/**
 * Directus field definitions for a PostgreSQL table's columns, each column of the same type in the
 * table Directus creates (Directus' `timestamp` is `timestamptz` on PostgreSQL, `decimal` keeps
 * precision and scale, `string` keeps the varchar length). A type with no Directus equivalent is an
 * error: a silently different column would make the pages differ.
 */
export function directusFields(columns: PgColumn[], indexed: string[] = INDEXED): DirectusField[] {
  return columns.map((c) => {
    const nullable = c.is_nullable === 'YES';
    if (c.column_name === 'id') {
      if (c.data_type !== 'uuid') throw new Error(`Directus copy: id is ${c.data_type}, expected uuid`);
      return {
        field: 'id',
        type: 'uuid',
        meta: { special: ['uuid'], hidden: true, readonly: true },
        schema: { is_primary_key: true, is_nullable: false },
      };
    }
    const schema: Record<string, unknown> = { is_nullable: nullable };
    if (indexed.includes(c.column_name)) schema.is_indexed = true;
    let type: string;
    switch (c.data_type) {
      case 'uuid':
        type = 'uuid';
        break;
      case 'text':
        type = 'text';
        break;
      case 'character varying':
        type = 'string';
        if (c.character_maximum_length) schema.max_length = c.character_maximum_length;
        break;
      case 'numeric':
        if (c.numeric_precision === null)
          throw new Error(`Directus copy: ${c.column_name} is numeric without precision`);
        type = 'decimal';
        schema.numeric_precision = c.numeric_precision;
        schema.numeric_scale = c.numeric_scale ?? 0;
        break;
      case 'integer':
        type = 'integer';
        break;
      case 'bigint':
        type = 'bigInteger';
        break;
      case 'boolean':
        type = 'boolean';
        break;
      case 'date':
        type = 'date';
        break;
      case 'timestamp with time zone':
        type = 'timestamp';
        break;
      case 'jsonb':
      case 'json':
        type = 'json';
        break;
      default:
        throw new Error(`Directus copy: no Directus type for ${c.column_name} (${c.data_type})`);
    }
    return { field: c.column_name, type, meta: {}, schema };
  });
}

/** The list-admin page in Directus' REST API: the same filter, sort (id breaks ties, as Forma's does) and limit. */
export function directusListPath(limit: number, collection = COLLECTION): string {
  const filter = JSON.stringify({ _and: [{ stage: { _eq: 'won' } }, { deleted_at: { _null: true } }] });
  return `/items/${collection}?${new URLSearchParams({ filter, sort: '-amount,id', limit: String(limit) })}`;
}

export function directusReadPath(id: string, collection = COLLECTION): string {
  return `/items/${collection}/${encodeURIComponent(id)}`;
}

/** KEY=value lines of a dotenv file (the peer's setup.sh writes one); comments and blanks skipped. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m?.[1]) out[m[1]] = (m[2] ?? '').trim().replace(/^"(.*)"$/, '$1');
  }
  return out;
}

/**
 * The peer's setup.sh: in `explicit` when given (BENCH_DIRECTUS_PEER), else `shared/peers/directus`
 * beside the clone or beside any folder above it (a git worktree sits a level deeper than the clone).
 */
export function peerSetupScript(
  repo: string,
  explicit: string | undefined,
  exists: (file: string) => boolean,
): string | undefined {
  if (explicit) {
    const script = path.join(path.resolve(explicit), 'setup.sh');
    return exists(script) ? script : undefined;
  }
  for (let dir = path.resolve(repo); ; dir = path.dirname(dir)) {
    const script = path.join(path.dirname(dir), 'shared', 'peers', 'directus', 'setup.sh');
    if (exists(script)) return script;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** The peer's PostgreSQL from its `.env` (DB_*), or setup.sh's defaults. */
export function peerDatabaseUrl(dotenv: Record<string, string>): string {
  const u = encodeURIComponent;
  return `postgres://${u(dotenv.DB_USER ?? 'directus')}:${u(dotenv.DB_PASSWORD ?? 'directus')}@${dotenv.DB_HOST ?? '127.0.0.1'}:${dotenv.DB_PORT ?? '55432'}/${dotenv.DB_DATABASE ?? 'directus_peer'}`;
}

export interface SideBySide {
  forma: LoadStats;
  floor: LoadStats;
  /** Undefined: no peer, the recorded figure. */
  directus?: LoadStats;
  version?: string;
  /** Bytes of one answer of each side (the list page, the record). */
  bytes: { forma: number; floor: number; directus?: number };
}

/**
 * The row of Forma against Directus, the floor twin's multiple beside Forma's. Recorded, not a
 * target: the floor row is the target (bench/README.md, "Directus side by side").
 */
export function directusRow(
  name: string,
  params: BenchResult['params'],
  what: 'list' | 'read',
  s: SideBySide,
  recordedRps: number = RECORDED[what],
): BenchResult {
  const directusRps = s.directus?.rps ?? recordedRps;
  const formaX = ratio(s.forma.rps, directusRps);
  const floorX = ratio(s.floor.rps, directusRps);
  const kb = (b: number | undefined) => (b === undefined ? 'n/a' : `${Math.round(b / 100) / 10} KB`);
  const answer = what === 'list' ? 'page' : 'record';
  const sizes = `${answer}: Forma ${kb(s.bytes.forma)}, floor ${kb(s.bytes.floor)}`;
  const extra: Record<string, number | string> = {
    formaRpsMultiple: formaX,
    floorRpsMultiple: floorX,
    formaBytes: s.bytes.forma,
    floorBytes: s.bytes.floor,
  };
  if (!s.directus)
    return {
      name,
      params,
      measured: `Forma ${s.forma.rps}/s, floor twin ${s.floor.rps}/s (${sizes})`,
      baseline: `Directus 11.3.5, recorded run on its own 7-column \`deals\` table (not the same data${what === 'list' ? `: its page ${RECORDED_PAGE_KB} KB` : ''}): ${recordedRps}/s; no peer in this run (BENCH_DIRECTUS_URL/TOKEN or BENCH_DIRECTUS=setup)`,
      figure: formaX,
      figureText: `Forma ${formaX}×, floor ${floorX}× Directus req/s`,
      target: 'recorded (the floor row is the target)',
      pass: true,
      extra,
    };
  const d = s.directus;
  const p50Forma = ratio(d.p50Ms, s.forma.p50Ms);
  const p50Floor = ratio(d.p50Ms, s.floor.p50Ms);
  return {
    name,
    params,
    measured: `Forma ${describeLoad(s.forma)}; floor twin ${describeLoad(s.floor)} (${sizes})`,
    baseline: `Directus ${s.version ?? ''} side by side, same rows and columns (${COLLECTION}): ${describeLoad(d)}${d.refused ? ` (answered; ${d.refused} refused 503 by its pressure limiter)` : ''}${d.cpuMsPerRequest !== undefined && !Number.isNaN(d.cpuMsPerRequest) ? `, server CPU ${d.cpuMsPerRequest} ms/request` : ''}, ${answer} ${kb(s.bytes.directus)}`,
    figure: formaX,
    figureText: `req/s: Forma ${formaX}×, floor ${floorX}× Directus; Directus p50 ${p50Forma}× Forma's, ${p50Floor}× the floor's`,
    target: 'recorded (the floor row is the target)',
    pass: true,
    http: s.forma,
    raw: d,
    extra: {
      ...extra,
      directusBytes: s.bytes.directus ?? Number.NaN,
      directusRps: d.rps,
      directusRefused: d.refused,
      directusP50Ms: d.p50Ms,
      directusCpuMsPerRequest: d.cpuMsPerRequest ?? Number.NaN,
    },
  };
}

// ---------------------------------------------------------------------------------------- the peer

const REPO = fileURLToPath(new URL('../../', import.meta.url));
let peerPromise: Promise<DirectusPeer | undefined> | undefined;
/** setup.sh of a peer this run started (BENCH_DIRECTUS=setup), to stop it at the end. */
let startedBy: string | undefined;

/** The configured peer, set up once per run when `BENCH_DIRECTUS=setup`; undefined when none. */
export function directusPeer(): Promise<DirectusPeer | undefined> {
  peerPromise ??= resolvePeer();
  return peerPromise;
}

async function resolvePeer(): Promise<DirectusPeer | undefined> {
  const mode = process.env.BENCH_DIRECTUS;
  if (mode && mode !== 'setup') throw new Error(`BENCH_DIRECTUS must be "setup" or unset, got ${JSON.stringify(mode)}`);
  const peerDir = process.env.PEER_DIR || '/tmp/peer-directus';
  if (mode === 'setup') {
    const script = peerSetupScript(REPO, process.env.BENCH_DIRECTUS_PEER, fs.existsSync);
    if (!script)
      throw new Error(
        `BENCH_DIRECTUS=setup: no shared/peers/directus/setup.sh beside ${REPO} or above it (set BENCH_DIRECTUS_PEER to the folder of the peer's setup.sh)`,
      );
    const before = readDotenv(peerDir);
    const running = before.PUBLIC_URL ? await healthy(before.PUBLIC_URL) : false;
    if (!running) {
      console.error(`setting up the Directus peer (${script}; the first time installs it, minutes)…`);
      const r = spawnSync('bash', [script], { stdio: ['ignore', 'inherit', 'inherit'] });
      if (r.status !== 0) throw new Error(`BENCH_DIRECTUS=setup: ${script} exited with ${r.status ?? r.signal}`);
      startedBy = script;
    }
  }
  const dotenv = readDotenv(peerDir);
  const url = process.env.BENCH_DIRECTUS_URL || (mode === 'setup' ? dotenv.PUBLIC_URL : undefined);
  const token = process.env.BENCH_DIRECTUS_TOKEN || (mode === 'setup' ? dotenv.ADMIN_TOKEN : undefined);
  if (!url && !token) return undefined;
  if (!url || !token) throw new Error('A Directus peer needs both BENCH_DIRECTUS_URL and BENCH_DIRECTUS_TOKEN');
  const pidText = readOr(path.join(peerDir, 'directus.pid'));
  const pid = pidText ? Number(pidText.trim()) : undefined;
  return {
    url: url.replace(/\/$/, ''),
    token,
    databaseUrl: process.env.BENCH_DIRECTUS_DATABASE_URL || peerDatabaseUrl(dotenv),
    ...(pid && Number.isInteger(pid) ? { pid } : {}),
  };
}

/** Stops the peer when this run set it up (BENCH_DIRECTUS=setup found it stopped): the machine as found. */
export function stopDirectusPeer(): void {
  if (!startedBy) return;
  spawnSync('bash', [startedBy, 'stop'], { stdio: ['ignore', 'inherit', 'inherit'] });
  startedBy = undefined;
  peerPromise = undefined;
}

function readOr(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function readDotenv(dir: string): Record<string, string> {
  return parseEnvFile(readOr(path.join(dir, '.env')) ?? '');
}

async function healthy(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url.replace(/\/$/, '')}/server/health`)).ok;
  } catch {
    return false;
  }
}

async function call(peer: DirectusPeer, method: string, url: string, body?: unknown): Promise<Response> {
  return fetch(peer.url + url, {
    method,
    headers: {
      authorization: `Bearer ${peer.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

// ------------------------------------------------------------------------------ the copied data set

const copies = new Map<string, Promise<{ version: string; rows: number }>>();

/**
 * The peer's copy of this run's deals, made once per data set (list-admin and read-by-id share it):
 * the collection is dropped and created again through the schema API, then filled by SQL.
 */
export function directusDeals(
  peer: DirectusPeer,
  pool: pg.Pool,
  sales: SalesFixture,
): Promise<{ version: string; rows: number }> {
  let copy = copies.get(sales.schema);
  if (!copy) {
    copy = copyDeals(peer, pool, sales);
    copies.set(sales.schema, copy);
  }
  return copy;
}

const BATCH = 10_000;

async function copyDeals(
  peer: DirectusPeer,
  pool: pg.Pool,
  sales: SalesFixture,
): Promise<{ version: string; rows: number }> {
  const info = await call(peer, 'GET', '/server/info');
  if (!info.ok) throw new Error(`Directus peer ${peer.url}: /server/info answered ${info.status} (token?)`);
  const version = ((await info.json()) as { data?: { version?: string } }).data?.version ?? '?';
  const table = tableOf('deal');
  const columns = (
    await pool.query<PgColumn>(
      `select column_name, data_type, character_maximum_length, numeric_precision, numeric_scale, is_nullable
       from information_schema.columns where table_schema = $1 and table_name = $2 order by ordinal_position`,
      [sales.schema, table],
    )
  ).rows;
  const fields = directusFields(columns);
  // A copy from an earlier run goes first: its rows are another run's.
  const old = await call(peer, 'DELETE', `/collections/${COLLECTION}`);
  if (!old.ok && old.status !== 403 && old.status !== 404)
    throw new Error(`Directus: dropping ${COLLECTION} answered ${old.status} ${await old.text()}`);
  const created = await call(peer, 'POST', '/collections', {
    collection: COLLECTION,
    meta: { note: "Forma's bench: a copy of its deal table (same columns, rows and indexes on amount and stage)" },
    schema: {},
    fields,
  });
  if (!created.ok)
    throw new Error(`Directus: creating ${COLLECTION} answered ${created.status} ${await created.text()}`);

  const src = `${pg.escapeIdentifier(sales.schema)}.${pg.escapeIdentifier(table)}`;
  const dst = pg.escapeIdentifier(COLLECTION);
  const peerDb = new pg.Client({ connectionString: peer.databaseUrl });
  await peerDb.connect();
  let rows = 0;
  try {
    // Rows travel as JSON text, one batch at a time: every column, same values, same ids.
    for (let offset = 0; ; offset += BATCH) {
      const batch = await pool.query<{ rows: string; n: number }>(
        `select coalesce(json_agg(t), '[]')::text as rows, count(*)::int as n
         from (select * from ${src} order by id limit ${BATCH} offset ${offset}) t`,
      );
      const b = batch.rows[0];
      if (!b?.n) break;
      await peerDb.query(`insert into ${dst} select * from json_populate_recordset(null::${dst}, $1::json)`, [b.rows]);
      rows += b.n;
    }
    await peerDb.query(`analyze ${dst}`);
  } finally {
    await peerDb.end();
  }
  if (rows !== sales.deals) throw new Error(`Directus copy: ${rows} rows copied, expected ${sales.deals}`);
  return { version, rows };
}

// ------------------------------------------------------------------------------------- the load

/**
 * The Directus side of list-admin or read-by-id: the same answer from the peer (checked by `check`,
 * as Forma's is), then the same load, right after Forma and the floor twin. Page sizes of all three
 * sides: Forma's answer as served, the floor's as it serializes (`JSON.stringify` of the raw rows,
 * floor-twin.mjs), Directus' as served. No peer: Forma's and the floor's sizes, no load.
 */
export async function directusSideBySide<T>(opts: {
  what: 'list' | 'read';
  pool: pg.Pool;
  sales: SalesFixture;
  /** Forma's URL of the same answer (list path or record path) and the base URL of its server. */
  forma: { base: string; path: string; token: string };
  /** The floor twin's answer body, as it sends it. */
  floorBody: string;
  /** The page's size or the record's id. */
  limit?: number;
  id?: string;
  check: (answer: T) => void;
  connections: number;
  seconds: number;
}): Promise<Omit<SideBySide, 'forma' | 'floor'>> {
  const res = await fetch(opts.forma.base + opts.forma.path, {
    headers: { authorization: `Bearer ${opts.forma.token}` },
  });
  if (!res.ok) throw new Error(`Forma GET ${opts.forma.path}: ${res.status}`);
  const bytes = { forma: Buffer.byteLength(await res.text()), floor: Buffer.byteLength(opts.floorBody) };
  const peer = await directusPeer();
  if (!peer) return { bytes };
  const { version } = await directusDeals(peer, opts.pool, opts.sales);
  const url = opts.what === 'list' ? directusListPath(opts.limit ?? 50) : directusReadPath(opts.id ?? '');
  const first = await directusGet<T>(peer, url);
  opts.check(first.body);
  const directus = await loadDirectus(peer, url, opts.connections, opts.seconds);
  // The answer after the load is checked too: a peer that changed under load is not compared.
  opts.check((await directusGet<T>(peer, url)).body);
  return { directus, version, bytes: { ...bytes, directus: first.bytes } };
}

/** One answer's JSON body and its size in bytes, a non-2xx an error. */
export async function directusGet<T>(peer: DirectusPeer, url: string): Promise<{ body: T; bytes: number }> {
  let res = await call(peer, 'GET', url);
  // Right after a load phase the pressure limiter may still refuse (503): it is asked again.
  for (let attempt = 0; res.status === 503 && attempt < 10; attempt++) {
    await res.text();
    await new Promise((r) => setTimeout(r, 1000));
    res = await call(peer, 'GET', url);
  }
  const text = await res.text();
  if (!res.ok) throw new Error(`Directus GET ${url}: ${res.status} ${text.slice(0, 300)}`);
  return { body: (JSON.parse(text) as { data: T }).data, bytes: Buffer.byteLength(text) };
}

/**
 * Directus under the same load as Forma and the floor: a warm-up, then two rounds, the best kept
 * (as `againstFloor` does for the other two), with its server CPU per request when its pid is known.
 */
export async function loadDirectus(
  peer: DirectusPeer,
  url: string,
  connections: number,
  seconds: number,
): Promise<LoadStats> {
  // Directus' pressure limiter (on by default) answers 503 "Under pressure" without Retry-After when
  // its event loop lags: its own admission control, counted as refused like Forma's 429/503.
  const opts = {
    url: peer.url + url,
    headers: { authorization: `Bearer ${peer.token}` },
    connections,
    seconds,
    refusalStatuses: [503],
  };
  // Directus' refusals are its own, shown in its row: not added to the tally of Forma's (load.ts).
  const formaRefusals = takeRefusals();
  await httpLoad({ ...opts, seconds: 1 });
  const rounds: LoadStats[] = [];
  for (let i = 0; i < 2; i++) {
    const before = peer.pid ? cpuMs(peer.pid) : Number.NaN;
    const s = await httpLoad(opts);
    const used = peer.pid ? cpuMs(peer.pid) - before : Number.NaN;
    // Answered requests only: a refusal costs Directus little and serves nothing.
    const answered = s.requests - s.refused;
    rounds.push({
      ...s,
      rps: Math.round(answered / seconds),
      cpuMsPerRequest: Math.round((used / Math.max(answered, 1)) * 1000) / 1000,
    });
  }
  takeRefusals();
  countRefusal(formaRefusals);
  const errors = rounds.reduce((n, s) => n + s.errors, 0);
  if (errors) throw new Error(`Directus: ${errors} errors under load (${rounds.map((s) => s.errorDetail).join('; ')})`);
  return rounds.reduce((a, b) => (b.rps > a.rps ? b : a));
}
