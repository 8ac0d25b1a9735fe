import { describe, expect, it } from 'vitest';
import { parseScriptLimits, SCRIPT_LIMIT_RANGES } from './tenant-script-limits';

describe('parseScriptLimits', () => {
  it('keeps known limits within their ranges', () => {
    expect(parseScriptLimits({ timeoutMs: 2000, memoryMb: 128, queryBudget: 0 })).toEqual({
      limits: { timeoutMs: 2000, memoryMb: 128, queryBudget: 0 },
      fields: {},
    });
    expect(parseScriptLimits({})).toEqual({ limits: {}, fields: {} });
  });

  it('names every bad key: unknown, out of range, not an integer', () => {
    const { limits, fields } = parseScriptLimits({
      timeoutMs: 60_000,
      memoryMb: 4,
      queryBudget: 1.5,
      maxLogLines: '10',
      ['x'.repeat(100)]: 1,
      maxQueryRows: 100,
    });
    expect(limits).toEqual({ maxQueryRows: 100 });
    expect(fields).toMatchObject({
      timeoutMs: 'must be an integer from 1 to 30000',
      memoryMb: 'must be an integer from 8 to 1024',
      queryBudget: expect.stringMatching(/^must be an integer/),
      maxLogLines: expect.stringMatching(/^must be an integer/),
      ['x'.repeat(64)]: expect.stringMatching(/^unknown limit/),
    });
  });

  it('refuses what is not an object of limits', () => {
    for (const bad of [null, [], 'x', 3]) {
      expect(parseScriptLimits(bad).fields).toEqual({ _: 'must be an object of limits' });
    }
  });

  it('has a range for every limit, lower bound first', () => {
    for (const [min, max] of Object.values(SCRIPT_LIMIT_RANGES)) expect(min).toBeLessThan(max);
  });
});
