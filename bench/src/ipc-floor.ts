/**
 * The least a crossing to another process costs on this machine: a message of a save's size sent to
 * a child process over Node's IPC channel (JSON serialization, as the sandbox's) and its answer,
 * back to back (both processes awake) and after an idle gap (both asleep, as between one-at-a-time
 * saves). The sandbox cannot cost less than this per call; what it adds above is its own.
 */
import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { percentile } from './load';

const ECHO = fileURLToPath(new URL('./ipc-echo.mjs', import.meta.url));

/** About the size of one save's job and answer (3 rule keys, a formula, the record, the user, limits). */
const JOB = JSON.stringify({
  op: 'save',
  validate: ['k'.repeat(24), 'l'.repeat(24), 'm'.repeat(24)],
  beforeSave: [],
  formulas: [['net', 'n'.repeat(24)]],
  record: {
    name: 'Bench deal',
    amount: 1200,
    discount: 10,
    stage: 'new',
    owner: '00000000-0000-4000-8000-000000000000',
  },
  old: null,
  user: {
    id: '00000000-0000-4000-8000-000000000000',
    email: 'a@b.test',
    name: 'Admin',
    roles: ['admin'],
    manager: null,
  },
});
const OUT = JSON.stringify({ ok: true, errors: {}, errorI18n: {}, changes: { net: 1080 }, logs: [] });

export async function ipcFloor(opts: { iterations: number; gapMs: number }): Promise<{
  hotUs: number;
  idleUs: number;
  gapMs: number;
}> {
  const child = fork(ECHO, [], { serialization: 'json', stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const waiting = new Map<number, () => void>();
  child.on('message', (m: { id: number }) => {
    waiting.get(m.id)?.();
    waiting.delete(m.id);
  });
  let id = 0;
  const once = () =>
    new Promise<void>((resolve) => {
      id += 1;
      waiting.set(id, resolve);
      child.send({ t: 'run', id, tenant: 'bench', keys: [], job: JOB, out: OUT });
    });
  const sample = async (gapMs: number) => {
    const out: number[] = [];
    for (let i = 0; i < opts.iterations + 50; i++) {
      if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      const t0 = performance.now();
      await once();
      if (i >= 50) out.push(performance.now() - t0);
    }
    return Math.round(percentile(out, 0.5) * 1000);
  };
  try {
    return { hotUs: await sample(0), idleUs: await sample(opts.gapMs), gapMs: opts.gapMs };
  } finally {
    child.kill();
  }
}
