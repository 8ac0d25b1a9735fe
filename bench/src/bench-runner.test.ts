import { describe, expect, it } from 'vitest';
import { runWorkloads } from './bench-runner';
import { formatResults } from './results';

// Keeps the harness from rotting: the real server process, a tiny data set, one-second loads.
describe('bench harness (smoke)', () => {
  it('runs the list workloads end to end with checked answers and writes a results table', async () => {
    const file = await runWorkloads(['list-admin', 'deep-page', 'expand'], { rows: 300, seconds: 1, connections: 2 });
    expect(file.failures).toEqual([]);
    const names = file.results.map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(['list-admin', 'deep-page', 'expand']));
    for (const r of file.results) expect(Number.isFinite(r.figure)).toBe(true);
    expect(file.versions.postgres).toMatch(/^\d+/);
    expect(formatResults(file)).toContain('| list-admin |');
  }, 480_000);
});
