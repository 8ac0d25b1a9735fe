import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';

describe('loadConfig', () => {
  it('runs the timed sweeps unless SCHEDULES=0', () => {
    expect(loadConfig({}).schedules).toBe(true);
    expect(loadConfig({ SCHEDULES: '1' }).schedules).toBe(true);
    expect(loadConfig({ SCHEDULES: '0' }).schedules).toBe(false);
  });

  it('refuses a nice value the kernel would not take', () => {
    expect(() => loadConfig({ DB_HEAVY_NICE: '25' })).toThrow(/0 \(off\) to 19/);
  });
});
