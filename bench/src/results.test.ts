import { describe, expect, it } from 'vitest';
import { formatResults, type ResultsFile } from './results';

const row = (name: string, at?: string) => ({
  name,
  params: { rows: 10 },
  measured: 'p50 1 ms',
  baseline: 'raw',
  figure: 1,
  figureText: '1×',
  target: '≤ 2×',
  pass: true,
  ...(at ? { at } : {}),
});

describe('results table', () => {
  it('dates every row: a merged row keeps the time it was measured, a new one takes the run time', () => {
    const file: ResultsFile = {
      date: '2026-12-07T21:40:12.000Z',
      versions: { node: 'v20', autocannon: '8' },
      machine: { cpus: 'cpu', cores: 2, memoryGb: 24, platform: 'linux' },
      failures: [{ name: 'import-100k', error: 'a | b' }],
      results: [row('tenant-scale', '2026-12-07T16:05:59.000Z'), row('list-admin')],
    };
    const lines = formatResults(file).split('\n');
    expect(lines.find((l) => l.startsWith('| tenant-scale |'))).toMatch(/\| 2026-12-07 16:05 UTC \|$/);
    expect(lines.find((l) => l.startsWith('| list-admin |'))).toMatch(/\| 2026-12-07 21:40 UTC \|$/);
    expect(lines.find((l) => l.startsWith('| import-100k |'))).toBe(
      '| import-100k | | failed: a \\| b | | | | **FAILED** | 2026-12-07 21:40 UTC |',
    );
    const cells = (l: string) => l.replace(/\\\|/g, '').split('|').length;
    const header = lines.find((l) => l.startsWith('| workload |')) ?? '';
    for (const l of lines.filter((x) => x.startsWith('| '))) expect(cells(l)).toBe(cells(header));
  });
});
