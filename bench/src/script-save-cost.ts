/**
 * What scripts add to a record save, end to end through the records engine and PostgreSQL (no HTTP):
 * the same `records.create` on an object without scripts, and on one with the rules a consultant
 * typically attaches (3 validate scripts, 1 beforeSave script, 1 formula), run one after the other.
 * The difference of the two is the sandbox's cost per save (one batched round trip).
 *
 *   node --no-node-snapshot --import tsx bench/src/script-save-cost.ts [saves]
 *
 * Uses DATABASE_URL when set, else a throw-away embedded PostgreSQL. A bench harness imports
 * `scriptSaveCost()` and reads its rows.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { startEmbeddedPostgres } from '@forma/platform';
import { connectDb, createRuntime, systemCtx } from '@forma/runtime';

export interface SaveCostRow {
  name: string;
  saves: number;
  p50Ms: number;
  p90Ms: number;
  meanMs: number;
}

const fields = {
  name: { type: 'string', maxLength: 200 },
  amount: { type: 'number', minimum: 0, 'x-kind': 'currency' },
  discount: { type: 'number', minimum: 0, maximum: 100, 'x-kind': 'percent' },
  stage: { type: 'string', enum: ['new', 'negotiation', 'won', 'lost'] },
  close_on: { type: 'string', format: 'date' },
};

const rules = (object: string) => ({
  [`${object}_discount`]: {
    object,
    event: 'validate',
    code: "if (record.discount > 20 && !user.roles.includes('sales_manager')) error('discount', 'Discounts above 20% need a sales manager');",
  },
  [`${object}_amount`]: {
    object,
    event: 'validate',
    code: "if (record.amount <= 0) error('amount', 'Must be positive');",
  },
  [`${object}_close`]: {
    object,
    event: 'validate',
    code: "if (record.stage === 'won' && !record.close_on) error('close_on', 'Required when won');",
  },
  [`${object}_stage`]: { object, event: 'beforeSave', code: "if (!record.stage) set('stage', 'new');" },
});

function row(name: string, samples: number[]): SaveCostRow {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const round = (ms: number) => Math.round(ms * 1000) / 1000;
  const mean = samples.reduce((s, v) => s + v, 0) / samples.length;
  return { name, saves: samples.length, p50Ms: round(at(0.5)), p90Ms: round(at(0.9)), meanMs: round(mean) };
}

export async function scriptSaveCost(opts: { saves?: number } = {}): Promise<SaveCostRow[]> {
  const saves = opts.saves ?? 500;
  const dir = process.env.DATABASE_URL ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'forma-bench-pg-'));
  const pg = dir ? await startEmbeddedPostgres({ dir, ephemeral: true }) : undefined;
  const db = connectDb({ url: process.env.DATABASE_URL ?? (pg?.url as string), poolMax: 4 });
  const runtime = createRuntime({ db });
  const tenant = `bench_${randomBytes(4).toString('hex')}`;
  try {
    await runtime.migrate();
    const { admin } = await runtime.tenants.create({
      id: tenant,
      name: 'Bench',
      admin: { email: `admin@${tenant}.test`, password: 'bench password 123', name: 'Admin' },
    });
    const ctx = await systemCtx(db, tenant, admin.id);
    await runtime.meta.apply(ctx, {
      objects: {
        deal_plain: { type: 'object', properties: fields, required: ['name', 'amount'] },
        deal_scripted: {
          type: 'object',
          properties: {
            ...fields,
            net: { type: 'number', 'x-formula': 'record.amount * (1 - (record.discount || 0) / 100)' },
          },
          required: ['name', 'amount'],
        },
      },
      scripts: rules('deal_scripted'),
    });
    await runtime.scripts.warmUp();
    // The script engine's own share of each save: the whole runRecordSave call, IPC included.
    const sandboxMs: number[] = [];
    const runRecordSave = runtime.scripts.runRecordSave.bind(runtime.scripts);
    runtime.scripts.runRecordSave = async (...args) => {
      const started = performance.now();
      const result = await runRecordSave(...args);
      if (args[2] === 'deal_scripted') sandboxMs.push(performance.now() - started);
      return result;
    };
    // Interleaved, so both objects see the same cache warmth, autovacuum and machine load.
    const samples: Record<'plain' | 'scripted', number[]> = { plain: [], scripted: [] };
    const warm = Math.min(50, Math.ceil(saves / 5));
    for (let i = 0; i < warm + saves; i++) {
      for (const kind of ['plain', 'scripted'] as const) {
        const started = performance.now();
        await runtime.records.create(ctx, `deal_${kind}`, { name: `Deal ${i}`, amount: 1000 + i, discount: i % 20 });
        if (i >= warm) samples[kind].push(performance.now() - started);
      }
    }
    const plain = row('records.create, no scripts', samples.plain);
    const scripted = row('records.create, 3 validate + 1 beforeSave + 1 formula', samples.scripted);
    const added: SaveCostRow = {
      name: 'added by scripts (difference)',
      saves,
      p50Ms: Math.round((scripted.p50Ms - plain.p50Ms) * 1000) / 1000,
      p90Ms: Math.round((scripted.p90Ms - plain.p90Ms) * 1000) / 1000,
      meanMs: Math.round((scripted.meanMs - plain.meanMs) * 1000) / 1000,
    };
    return [plain, scripted, added, row('runRecordSave within those saves', sandboxMs.slice(-saves))];
  } finally {
    await runtime.tenants.delete(tenant).catch(() => undefined);
    await runtime.close();
    await pg?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function formatSaveCostTable(rows: SaveCostRow[]): string {
  const header = ['case', 'p50 ms', 'p90 ms', 'mean ms', 'saves'];
  const lines = rows.map((r) => [r.name, r.p50Ms.toFixed(3), r.p90Ms.toFixed(3), r.meanMs.toFixed(3), String(r.saves)]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(fmt)].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const saves = Number(process.argv[2]) || undefined;
  scriptSaveCost(saves ? { saves } : {}).then(
    (rows) => console.log(formatSaveCostTable(rows)),
    (err) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
