import fs from 'node:fs';
import path from 'node:path';

/**
 * CPU time in ms from the scheduler's own accounting (`/proc/<pid>/task/<tid>/schedstat`, ns), for
 * figures per request: `/proc/<pid>/stat` counts 10 ms ticks, too coarse for a few dozen requests
 * of a few ms each. Sums every thread of the process (libuv's pool and V8's GC threads included).
 * NaN where the kernel has no schedstat.
 */
export function processCpuMs(pid: number | string): number {
  let ns = 0;
  try {
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) ns += threadNs(`/proc/${pid}/task/${tid}/schedstat`);
  } catch {
    return Number.NaN;
  }
  return ns / 1e6;
}

function threadNs(file: string): number {
  try {
    return Number(fs.readFileSync(file, 'utf8').split(' ')[0]);
  } catch {
    return 0; // Gone meanwhile.
  }
}

/**
 * PostgreSQL's processes of a bench server's data directory: the postmaster (from its pid file) and
 * its live children. Undefined when no postmaster runs there.
 */
export function postgresProcesses(dir: string): { postmaster: string; children: string[] } | undefined {
  let postmaster: string | undefined;
  try {
    postmaster = fs
      .readFileSync(path.join(dir, 'data', 'pg', 'postmaster.pid'), 'utf8')
      .split('\n')[0]
      ?.trim();
  } catch {
    return undefined;
  }
  if (!postmaster) return undefined;
  const children: string[] = [];
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (fs.readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]?.split(' ')[1] === postmaster) children.push(p);
    } catch {
      // Gone meanwhile.
    }
  }
  return { postmaster, children };
}

/** The same for PostgreSQL's live processes of a data directory (the postmaster and its children). */
export function postgresCpuMs(dir: string): number {
  const pg = postgresProcesses(dir);
  if (!pg) return Number.NaN;
  let ms = processCpuMs(pg.postmaster);
  for (const p of pg.children) {
    const child = processCpuMs(p);
    if (!Number.isNaN(child)) ms += child;
  }
  return ms;
}
