import { describe, expect, it } from 'vitest';
import { listAdmin } from './list-admin';
import { formatResults, collectResults } from './results';

// Keeps the harness from rotting: the real server process, a tiny data set, one-second loads.
describe('bench harness (smoke)', () => {
  it('runs list-admin end to end with checked answers and writes a results table', async () => {
    const result = await listAdmin({ rows: 500, seconds: 1, connections: 2 });
    expect(result.http.requests).toBeGreaterThan(0);
    expect(result.raw.requests).toBeGreaterThan(0);
    expect(result.http.errors + result.raw.errors).toBe(0);
    expect(result.ratio).toBeGreaterThan(0);
    expect(result.versions.postgres).toMatch(/^\d+/);
    const table = formatResults(collectResults([result]));
    expect(table).toContain('| list-admin |');
  }, 120_000);
});
