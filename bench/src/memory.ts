import fs from 'node:fs';

/** Resident set size of a process in MiB (Linux /proc), or NaN where /proc is missing. */
export function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Samples a process's RSS every `everyMs` while `work` runs; resolves to its result and the peak. */
export async function withPeakRss<T>(
  pid: number,
  work: () => Promise<T>,
  everyMs = 50,
): Promise<{ result: T; peakMb: number }> {
  let peak = rssMb(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, rssMb(pid));
  }, everyMs);
  try {
    const result = await work();
    peak = Math.max(peak, rssMb(pid));
    return { result, peakMb: peak };
  } finally {
    clearInterval(timer);
  }
}

/** CPU time (user + system) a process has used so far, in ms (Linux /proc), or NaN where /proc is missing. */
export function cpuMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces, so split after its closing parenthesis).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/** USER_HZ: 100 on every Linux that Node supports. */
const CLOCK_TICKS = 100;
