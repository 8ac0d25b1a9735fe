import type { ObjectHook } from '@forma/platform/plugin-api';
import { describe, expect, it } from 'vitest';
import { combineHooks } from './product-sales-hooks';

const ctx = {} as any;
type Hook = ((ctx: any, payload: any) => unknown) | ObjectHook<(ctx: any, payload: any) => unknown>;
const call = (hook: Hook | undefined, payload: unknown) =>
  typeof hook === 'function' ? hook(ctx, payload) : hook!.handler(ctx, payload);
const objectsOf = (hook: Hook | undefined) => (typeof hook === 'function' ? 'every object' : hook!.objects);

describe('combineHooks', () => {
  it('runs filters of one event in order, and a throw stops the chain (the save is refused)', async () => {
    const seen: string[] = [];
    const hooks = combineHooks(
      { filters: { 'record.beforeCreate': async () => void seen.push('a') } },
      { filters: { 'record.beforeCreate': async () => void seen.push('b'), 'record.beforeUpdate': () => void 0 } },
    );
    await call(hooks.filters!['record.beforeCreate'], {});
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
    await expect(call(refusing.filters!['record.beforeCreate'], {})).rejects.toThrow('no');
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
    await expect(call(hooks.actions!['record.afterCreate'], {})).rejects.toThrow('mail down');
    expect(seen).toEqual(['b']);
  });

  it('keeps the objects hooks declare: the union, each part only for its own objects', async () => {
    const seen: string[] = [];
    const hooks = combineHooks(
      { filters: { 'record.beforeCreate': { objects: ['a'], handler: () => void seen.push('for a') } } },
      { filters: { 'record.beforeCreate': { objects: ['b', 'c'], handler: () => void seen.push('for b, c') } } },
      { filters: { 'record.beforeUpdate': { objects: ['a'], handler: () => void seen.push('update a') } } },
    );
    expect(objectsOf(hooks.filters!['record.beforeCreate'])).toEqual(['a', 'b', 'c']);
    expect(objectsOf(hooks.filters!['record.beforeUpdate'])).toEqual(['a']);
    await call(hooks.filters!['record.beforeCreate'], { object: 'b' });
    expect(seen).toEqual(['for b, c']);
    await call(hooks.filters!['record.beforeCreate'], { object: 'a' });
    expect(seen).toEqual(['for b, c', 'for a']);

    // One hook for every object makes the combination concern every object; the others keep theirs.
    const wide = combineHooks(
      { filters: { 'record.beforeCreate': { objects: ['a'], handler: () => void seen.push('only a') } } },
      { filters: { 'record.beforeCreate': () => void seen.push('any') } },
    );
    expect(objectsOf(wide.filters!['record.beforeCreate'])).toBe('every object');
    seen.length = 0;
    await call(wide.filters!['record.beforeCreate'], { object: 'z' });
    expect(seen).toEqual(['any']);
  });
});
