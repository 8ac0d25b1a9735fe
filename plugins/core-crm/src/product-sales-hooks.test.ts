import { describe, expect, it } from 'vitest';
import { combineHooks } from './product-sales-hooks';

const ctx = {} as any;

describe('combineHooks', () => {
  it('runs filters of one event in order, and a throw stops the chain (the save is refused)', async () => {
    const seen: string[] = [];
    const hooks = combineHooks(
      { filters: { 'record.beforeCreate': async () => void seen.push('a') } },
      { filters: { 'record.beforeCreate': async () => void seen.push('b'), 'record.beforeUpdate': () => void 0 } },
    );
    await hooks.filters!['record.beforeCreate']!(ctx, {});
    expect(seen).toEqual(['a', 'b']);
    expect(Object.keys(hooks.filters!).sort()).toEqual(['record.beforeCreate', 'record.beforeUpdate']);
    const refusing = combineHooks(
      {
        filters: {
          'record.beforeCreate': async () => {
            throw new Error('no');
          },
        },
      },
      { filters: { 'record.beforeCreate': async () => void seen.push('never') } },
    );
    await expect(refusing.filters!['record.beforeCreate']!(ctx, {})).rejects.toThrow('no');
    expect(seen).toEqual(['a', 'b']);
  });

  it('runs every action hook even when one fails, then reports the failure', async () => {
    const seen: string[] = [];
    const hooks = combineHooks(
      {
        actions: {
          'record.afterCreate': async () => {
            throw new Error('mail down');
          },
        },
      },
      { actions: { 'record.afterCreate': async () => void seen.push('b') } },
    );
    await expect(hooks.actions!['record.afterCreate']!(ctx, {})).rejects.toThrow('mail down');
    expect(seen).toEqual(['b']);
  });
});
