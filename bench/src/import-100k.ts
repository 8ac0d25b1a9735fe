/**
 * import-100k (issue 12, workload 8): a CSV of `rows` contacts imported through
 * `POST /api/records/contact/import?mode=upsert&key=code` (natural key, schema validation, audit),
 * against COPY of the same file into a twin table through psql. Targets: ≥ 1/3 of COPY's rows/s,
 * the server's peak RSS < 256 MB at every file size (two sizes are run to show it does not grow
 * with the file). Answers checked: every row there once, values as sent, a second upsert updates.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import pg from 'pg';
import { tableOf, tenantSchema } from '../../runtime/src/model/naming';
import { createTenant, resetStatements } from './bench-env';
import { rssMb, withPeakRss } from './memory';
import type { BenchResult } from './results';
import type { WorkloadContext } from './workload';

const RATE_TARGET = 1 / 3;
const RSS_TARGET_MB = 256;
const run = promisify(execFile);

export async function import100k(ctx: WorkloadContext): Promise<BenchResult[]> {
  const { env } = ctx;
  const rows = ctx.knob('BENCH_IMPORT_ROWS', 100_000);
  const tenant = 'bench_import';
  const schema = tenantSchema(tenant);
  const admin = await createTenant(env, tenant);
  await admin.ok('PUT', '/api/meta/objects/contact', {
    title: 'Contact',
    type: 'object',
    properties: {
      code: { type: 'string', maxLength: 20, 'x-unique': true },
      name: { type: 'string', maxLength: 200 },
      email: { type: 'string', maxLength: 200 },
      score: { type: 'number', minimum: 0, maximum: 1000 },
    },
    required: ['code', 'name'],
  });
  const table = `${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(tableOf('contact'))}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'forma-bench-import-'));
  try {
    const figures: Array<{ rows: number; seconds: number; peakMb: number; beforeMb: number }> = [];
    const sizes = [Math.max(1, Math.floor(rows / 10)), rows];
    let offset = 0;
    for (const size of sizes) {
      const csv = contactsCsv(offset, size);
      const before = rssMb(env.server.pid);
      if (process.env.BENCH_IMPORT_STATEMENTS) await resetStatements(env);
      const t0 = performance.now();
      const { result, peakMb } = await withPeakRss(env.server.pid, () =>
        admin.send('POST', '/api/records/contact/import?mode=upsert&key=code', csv, 'text/csv'),
      );
      const seconds = (performance.now() - t0) / 1000;
      if (result.status !== 200 || result.body.inserted !== size || result.body.failedCount !== 0)
        throw new Error(`import-100k: ${result.status} ${JSON.stringify(result.body).slice(0, 300)}`);
      figures.push({ rows: size, seconds, peakMb: Math.max(peakMb, before), beforeMb: before });
      if (process.env.BENCH_IMPORT_STATEMENTS) await printStatements(env.pool, size);
      offset += size;
    }
    const count = Number(
      (await env.pool.query(`select count(distinct code) n from ${table} where deleted_at is null`)).rows[0].n,
    );
    if (count !== offset) throw new Error(`import-100k: ${count} distinct codes, expected ${offset}`);
    const sample = (await env.pool.query(`select name, email, score from ${table} where code = $1`, [code(offset - 1)]))
      .rows[0];
    if (!sample || sample.name !== `Contact ${offset - 1}` || Number(sample.score) !== (offset - 1) % 1000)
      throw new Error(`import-100k: the last row reads ${JSON.stringify(sample)}`);
    // An upsert of rows already there updates them instead of inserting twins.
    const again = await admin.send(
      'POST',
      '/api/records/contact/import?mode=upsert&key=code',
      contactsCsv(0, 10, 'Renamed'),
      'text/csv',
    );
    if (again.status !== 200 || again.body.updated !== 10 || again.body.inserted !== 0)
      throw new Error(`import-100k: re-import ${again.status} ${JSON.stringify(again.body).slice(0, 300)}`);

    // The raw twin: COPY of the same file into a table of the same columns and constraints.
    const file = path.join(dir, 'contacts.csv');
    fs.writeFileSync(file, contactsCsv(0, rows));
    const twin = `${pg.escapeIdentifier(schema)}."bench_copy_twin"`;
    await env.pool.query(
      `create table ${twin} (like ${table} including defaults including constraints including indexes)`,
    );
    const t0 = performance.now();
    await run('psql', [
      env.server.databaseUrl,
      '-v',
      'ON_ERROR_STOP=1',
      '-c',
      `\\copy ${twin} (code, name, email, score) from '${file}' csv header`,
    ]);
    const copySeconds = (performance.now() - t0) / 1000;
    const copied = Number((await env.pool.query(`select count(*) n from ${twin}`)).rows[0].n);
    await env.pool.query(`drop table ${twin}`);
    if (copied !== rows) throw new Error(`import-100k: COPY loaded ${copied} rows`);

    const big = figures[figures.length - 1] as (typeof figures)[number];
    const rate = Math.round(big.rows / big.seconds);
    const copyRate = Math.round(rows / copySeconds);
    const share = Math.round((rate / copyRate) * 1000) / 1000;
    const peak = Math.max(...figures.map((f) => f.peakMb));
    return [
      {
        name: 'import-100k',
        params: { rows, mode: 'upsert on code', validation: 'schema + unique' },
        measured: `${rate} rows/s (${Math.round(big.seconds * 10) / 10} s)`,
        baseline: `COPY: ${copyRate} rows/s; Directus 11.3.5 (its own run): 266 rows/s`,
        figure: share,
        figureText: `${share}× COPY`,
        target: '≥ 1/3 of COPY rows/s',
        pass: share >= RATE_TARGET,
      },
      {
        name: 'import-100k memory',
        params: { sizes: sizes.join(' and ') },
        // Growth over the RSS just before the upload: the import's own share, apart from the
        // server's baseline (tsx compiling the sources at start is most of it).
        measured: figures
          .map(
            (f) =>
              `${f.rows} rows: peak RSS ${f.peakMb} MB (+${Math.max(0, f.peakMb - f.beforeMb)} MB over ${f.beforeMb} MB before)`,
          )
          .join('; '),
        baseline: 'server process RSS, sampled every 50 ms',
        figure: peak,
        figureText: `${peak} MB`,
        target: `peak RSS < ${RSS_TARGET_MB} MB`,
        pass: peak < RSS_TARGET_MB,
      },
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `BENCH_IMPORT_STATEMENTS=1`: the statements of each upload by PostgreSQL time (the phase split on
 * the database's side; the server's own is `FORMA_IMPORT_TRACE=1` on its stderr).
 */
async function printStatements(pool: pg.Pool, rows: number) {
  const top = await pool.query(
    `select calls, round(total_exec_time)::int ms, temp_blks_written + local_blks_written blks, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) q
       from pg_stat_statements where query not like '%pg_stat_statements%'
      order by total_exec_time desc limit 14`,
  );
  console.error(`import-100k: the ${rows}-row upload's statements, by PostgreSQL time`);
  for (const r of top.rows)
    console.error(
      `${String(r.ms).padStart(7)} ms ${String(r.calls).padStart(6)}× ${String(r.blks).padStart(6)} blk written ${r.q}`,
    );
}

function code(i: number): string {
  return `C${String(i).padStart(8, '0')}`;
}

/** Deterministic rows: the same file every run. */
function contactsCsv(from: number, count: number, prefix = 'Contact'): string {
  const lines = ['code,name,email,score'];
  for (let i = from; i < from + count; i++) lines.push(`${code(i)},${prefix} ${i},c${i}@example.test,${i % 1000}`);
  return `${lines.join('\n')}\n`;
}
