import { describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../clock';
import { silentLogger } from '../logger';
import { ScriptLimitsStore } from './script-limits-store';
import { defaultScriptsConfig, type ScriptLimits } from './scripts-config';

const clock = new ManualClock('2030-01-01T00:00:00Z');

describe('limits from tenant settings', () => {
  it('layers configuration, stored settings and this process’s overrides, re-reading settings after the TTL', async () => {
    let stored: Partial<ScriptLimits> | undefined = { queryBudget: 7 };
    const read = vi.fn(async () => stored);
    const write = vi.fn(async (_t: string, limits: Partial<ScriptLimits>) => {
      stored = limits;
    });
    const local = new ScriptLimitsStore(
      { ...defaultScriptsConfig, tenants: { engine_set: { queryBudget: 5, memoryMb: 32 } }, settingsTtlMs: 1000 },
      { clock, store: { read, write } },
    );
    expect(local.limitsFor('engine_set')).toMatchObject({ queryBudget: 5, memoryMb: 32 });
    await local.refresh('engine_set');
    expect(local.limitsFor('engine_set')).toMatchObject({ queryBudget: 7, memoryMb: 32 });
    stored = { queryBudget: 9 };
    await local.refresh('engine_set');
    expect(read).toHaveBeenCalledTimes(1);
    clock.advance(1000);
    await local.refresh('engine_set'); // a stale copy is refreshed in the background
    await vi.waitFor(() => expect(local.limitsFor('engine_set').queryBudget).toBe(9));
    local.setTenantLimits('engine_set', { queryBudget: 1 });
    expect(local.limitsFor('engine_set').queryBudget).toBe(1);
    local.setTenantLimits('engine_set', undefined);

    expect(await local.putTenantLimits('engine_set', { timeoutMs: 200 })).toEqual({
      overrides: { timeoutMs: 200 },
      effective: expect.objectContaining({ timeoutMs: 200, queryBudget: 5, memoryMb: 32 }),
    });
    expect(write).toHaveBeenLastCalledWith('engine_set', { timeoutMs: 200 });
    await expect(local.putTenantLimits('engine_set', { timeoutMs: 0, nope: 1 })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      fields: { timeoutMs: 'must be an integer from 1 to 30000', nope: expect.stringMatching(/^unknown limit/) },
    });
    await expect(local.tenantLimits('Bad;Tenant')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('keeps the last known limits when the settings cannot be read', async () => {
    let fail = false;
    const warn = vi.fn();
    const local = new ScriptLimitsStore(
      { ...defaultScriptsConfig, settingsTtlMs: 10 },
      {
        clock,
        logger: { ...silentLogger, warn },
        store: {
          read: async () => {
            if (fail) throw new Error('database down');
            return { queryBudget: 3 };
          },
          write: async () => {},
        },
      },
    );
    await local.refresh('engine_down');
    fail = true;
    clock.advance(10);
    await local.refresh('engine_down');
    await vi.waitFor(() => expect(warn).toHaveBeenCalled());
    expect(local.limitsFor('engine_down').queryBudget).toBe(3);
  });

  it('refuses to store limits without a store, and tells which limits are wrong', async () => {
    const local = new ScriptLimitsStore(defaultScriptsConfig, { clock });
    await expect(local.putTenantLimits('engine_none', { timeoutMs: 100 })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    expect(await local.tenantLimits('engine_none')).toEqual({
      overrides: {},
      effective: local.limitsFor('engine_none'),
    });
  });
});
