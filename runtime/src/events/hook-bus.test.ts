import { describe, expect, it } from 'vitest';
import type { TxCtx } from '../tx/unit-of-work';
import { HookBus } from './hook-bus';

const tx = {} as TxCtx;

describe('HookBus: hooks that declare their objects', () => {
  it('runs a hook declared for some objects only for payloads of those objects; an undeclared hook for all', async () => {
    const bus = new HookBus();
    const seen: string[] = [];
    bus.filter('record.beforeCreate', (_c, p: { object: string }) => void seen.push(`a:${p.object}`), 'plugin:a', [
      'alpha',
    ]);
    bus.filter('record.beforeCreate', (_c, p: { object: string }) => void seen.push(`all:${p.object}`), 'plugin:all');
    await bus.runFilters(tx, 'record.beforeCreate', { object: 'beta' });
    await bus.runFilters(tx, 'record.beforeCreate', { object: 'alpha' });
    expect(seen).toEqual(['all:beta', 'a:alpha', 'all:alpha']);
    // A payload that names no object is not a record's: every hook of the event sees it.
    seen.length = 0;
    await bus.runFilters(tx, 'record.beforeCreate', {});
    expect(seen).toEqual(['a:undefined', 'all:undefined']);
  });

  it('names only the sources that may run for an object (what bulk writers check)', () => {
    const bus = new HookBus();
    bus.filter('record.beforeCreate', () => {}, 'plugin:a', ['alpha']);
    bus.action('record.afterCreate', () => {}, 'plugin:a', ['alpha']);
    expect(bus.filterSources('record.beforeCreate', 'beta')).toEqual([]);
    expect(bus.filterSources('record.beforeCreate', 'alpha')).toEqual(['plugin:a']);
    expect(bus.filterSources('record.beforeCreate')).toEqual(['plugin:a']);
    expect(bus.actionSources('record.afterCreate', 'beta')).toEqual([]);
    expect(bus.has('record.afterCreate', 'beta')).toBe(false);
    expect(bus.has('record.afterCreate', 'alpha')).toBe(true);
    const undo = bus.filter('record.beforeCreate', () => {}, 'plugin:all');
    expect(bus.filterSources('record.beforeCreate', 'beta')).toEqual(['plugin:all']);
    undo();
    expect(bus.filterSources('record.beforeCreate', 'beta')).toEqual([]);
  });

  it('queues action hooks after commit only for their objects', async () => {
    const bus = new HookBus();
    const seen: string[] = [];
    bus.action('record.afterCreate', (_c, p: { object: string }) => void seen.push(p.object), 'plugin:a', ['alpha']);
    const queued: Array<() => Promise<void>> = [];
    const ctx = { uow: { base: {}, afterCommit: (f: () => Promise<void>) => queued.push(f) } } as unknown as TxCtx;
    bus.queueActions(ctx, 'record.afterCreate', { object: 'beta' });
    expect(queued).toHaveLength(0);
    bus.queueActions(ctx, 'record.afterCreate', { object: 'alpha' });
    for (const f of queued) await f();
    expect(seen).toEqual(['alpha']);
  });
});
