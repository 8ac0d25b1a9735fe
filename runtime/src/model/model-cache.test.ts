import { describe, expect, it } from 'vitest';
import { loadModel, type Model } from './load-model';
import { ModelCache } from './model-cache';

const doc = { objects: { deal: { type: 'object', properties: { name: { type: 'string' } } } } };
const model = (version: number): Model => loadModel(structuredClone(doc) as never, version);

describe('ModelCache.peek', () => {
  it('answers a built model of the asked version only, without a promise', async () => {
    const cache = new ModelCache();
    let finish: (m: Model) => void = () => undefined;
    const building = cache.get('acme', 2, () => new Promise<Model>((r) => (finish = r)));
    // Still building: callers wait for the one build.
    expect(cache.peek('acme', 2)).toBeUndefined();
    const m = model(2);
    finish(m);
    await building;
    expect(cache.peek('acme', 2)).toBe(m);
    // Another version (a change anywhere) or another tenant: not this model.
    expect(cache.peek('acme', 3)).toBeUndefined();
    expect(cache.peek('other', 2)).toBeUndefined();
  });

  it('never answers a failed build, and answers a model put after an apply', async () => {
    const cache = new ModelCache();
    await expect(cache.get('acme', 1, async () => Promise.reject(new Error('bad')))).rejects.toThrow('bad');
    expect(cache.peek('acme', 1)).toBeUndefined();
    const m = model(4);
    cache.put('acme', m);
    expect(cache.peek('acme', 4)).toBe(m);
    cache.forget('acme');
    expect(cache.peek('acme', 4)).toBeUndefined();
  });
});
