import { describe, expect, it } from 'vitest';
import type { Ctx, SessionUser } from '../ctx';
import { loadModel, type Model } from '../model/load-model';
import { ReadPlans, readerKey } from './read-plans';

const doc = { objects: { deal: { type: 'object', properties: { name: { type: 'string' } } } } };
const model = (version: number): Model => loadModel(structuredClone(doc) as never, version);

function ctx(user: Partial<SessionUser> = {}, rest: Partial<Ctx> = {}): Ctx {
  return {
    tenant: 'acme',
    schema: 't_acme',
    isAdmin: false,
    db: {} as Ctx['db'],
    user: { id: 'u1', email: 'u1@x.test', name: 'U1', roles: ['rep'], manager: null, locale: null, ...user },
    ...rest,
  };
}

describe('read plans', () => {
  it('computes a plan once per model and key', () => {
    const plans = new ReadPlans();
    const m = model(1);
    let made = 0;
    const make = () => ({ n: ++made });
    expect(plans.get(m, 'k', make)).toEqual({ n: 1 });
    expect(plans.get(m, 'k', make)).toEqual({ n: 1 });
    expect(plans.get(m, 'other', make)).toEqual({ n: 2 });
    expect(plans.stats()).toEqual({ hits: 1, misses: 2 });
  });

  it('starts empty for a new metadata version (a new model), whatever the key', () => {
    const plans = new ReadPlans();
    let made = 0;
    const make = () => ++made;
    const v1 = model(1);
    expect(plans.get(v1, 'k', make)).toBe(1);
    const v2 = model(2);
    expect(plans.get(v2, 'k', make)).toBe(2);
    // Even a model of the same version number (a tenant deleted and made again) is another model.
    expect(plans.get(model(1), 'k', make)).toBe(3);
    expect(plans.get(v1, 'k', make)).toBe(1);
  });

  it('names another reader when roles, admin, user, tenant or portal account change', () => {
    const base = readerKey(ctx());
    expect(readerKey(ctx({ roles: ['rep'] }))).toBe(base);
    expect(readerKey(ctx({ roles: ['rep', 'manager'] }))).not.toBe(base);
    expect(readerKey(ctx({ roles: [] }))).not.toBe(base);
    expect(readerKey(ctx({}, { isAdmin: true }))).not.toBe(base);
    expect(readerKey(ctx({ id: 'u2' }))).not.toBe(base);
    expect(readerKey(ctx({}, { schema: 't_other' }))).not.toBe(base);
    const portal = readerKey(ctx({ portal: { contact: 'c1', account: 'a1' } }));
    expect(portal).not.toBe(base);
    expect(readerKey(ctx({ portal: { contact: 'c1', account: 'a2' } }))).not.toBe(portal);
    // The order roles come in does not matter; the name, e-mail and locale never matter.
    expect(readerKey(ctx({ roles: ['manager', 'rep'] }))).toBe(readerKey(ctx({ roles: ['rep', 'manager'] })));
    expect(readerKey(ctx({ name: 'Renamed', locale: 'zh-CN' }))).toBe(base);
  });

  it('keeps at most its bound per model, dropping the least recently used', () => {
    const plans = new ReadPlans(2);
    const m = model(1);
    let made = 0;
    const make = () => ++made;
    plans.get(m, 'a', make);
    plans.get(m, 'b', make);
    plans.get(m, 'a', make); // a is now the most recent
    plans.get(m, 'c', make); // b goes
    expect(plans.get(m, 'a', make)).toBe(1);
    expect(plans.get(m, 'b', make)).toBe(4);
  });

  it('does not keep a failed computation', async () => {
    const plans = new ReadPlans();
    const m = model(1);
    await expect(plans.getAsync(m, 'k', async () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(plans.get(m, 'k', () => 'fresh')).toBe('fresh');
    expect(() =>
      plans.get(m, 'sync', () => {
        throw new Error('bad sort');
      }),
    ).toThrow('bad sort');
    expect(plans.get(m, 'sync', () => 'ok')).toBe('ok');
  });

  it('answers an async entry without a promise only once it has resolved, and never a failed one', async () => {
    const plans = new ReadPlans();
    const m = model(1);
    let resolve: (v: string) => void = () => undefined;
    const pending = plans.getAsync(m, 'access', () => new Promise<string>((r) => (resolve = r)));
    // In flight: the caller must wait with everyone else.
    expect(plans.getSettled(m, 'access')).toBeUndefined();
    resolve('qa');
    expect(await pending).toBe('qa');
    expect(plans.getSettled(m, 'access')).toBe('qa');
    // Another model (a new metadata version) or another reader's key: nothing.
    expect(plans.getSettled(model(1), 'access')).toBeUndefined();
    expect(plans.getSettled(m, 'other')).toBeUndefined();
    // A refusal (a reader who may not read the object) is never kept, so never answered from here.
    await expect(plans.getAsync(m, 'denied', async () => Promise.reject(new Error('404')))).rejects.toThrow('404');
    expect(plans.getSettled(m, 'denied')).toBeUndefined();
  });
});
