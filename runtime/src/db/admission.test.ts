import { describe, expect, it, vi } from 'vitest';
import { AppError } from '../errors';
import { Admission, admissionLimits, defaultAdmissionConfig } from './admission';

const cfg = (over: Partial<typeof defaultAdmissionConfig> = {}) => ({ ...defaultAdmissionConfig, ...over });

describe('admissionLimits', () => {
  it('derives the caps from the pool size, keeping a reserve', () => {
    expect(admissionLimits(cfg(), 20)).toEqual({
      global: 18,
      perTenant: 9,
      perUser: 6,
      heavyPerTenant: 4,
      heavyPerUser: 1,
    });
    expect(admissionLimits(cfg(), 8)).toEqual({
      global: 6,
      perTenant: 3,
      perUser: 2,
      heavyPerTenant: 1,
      heavyPerUser: 1,
    });
    expect(admissionLimits(cfg(), 1).global).toBe(1);
  });
});

describe('Admission', () => {
  it('lets a tenant take at most its share; the others are served in turns', async () => {
    const a = new Admission(cfg({ global: 4, perTenant: 2, perUser: 2 }), 10);
    const order: string[] = [];
    const held: Array<() => void> = [];
    const take = async (tenant: string, user = 'u') => {
      const release = await a.acquire({ tenant, user, lane: 'interactive' });
      order.push(tenant);
      held.push(release);
      return release;
    };
    await take('noisy');
    await take('noisy');
    // The noisy tenant's third request waits on its own queue, while another tenant walks in.
    const third = take('noisy');
    await take('quiet');
    expect(order).toEqual(['noisy', 'noisy', 'quiet']);
    expect(a.stats().queued).toBe(1);
    held[0]?.();
    await third;
    expect(order.at(-1)).toBe('noisy');
    expect(a.stats().running).toBe(3);
  });

  it('takes tenants in turn when slots free up', async () => {
    const a = new Admission(cfg({ global: 1, perTenant: 1, perUser: 1 }), 10);
    const first = await a.acquire({ tenant: 'x', user: 'u', lane: 'interactive' });
    const order: string[] = [];
    const wait = (tenant: string) =>
      a.acquire({ tenant, user: 'u', lane: 'interactive' }).then((r) => {
        order.push(tenant);
        return r;
      });
    const x1 = wait('x');
    const x2 = wait('x');
    const y1 = wait('y');
    first();
    (await x1)();
    (await y1)();
    (await x2)();
    expect(order).toEqual(['x', 'y', 'x']);
  });

  it('keeps heavy work in its smaller lane without blocking interactive work', async () => {
    const a = new Admission(cfg({ global: 4, perTenant: 4, perUser: 4, heavyPerTenant: 1, heavyPerUser: 1 }), 10);
    await a.acquire({ tenant: 't', user: 'u', lane: 'heavy' });
    let heavyIn = false;
    void a.acquire({ tenant: 't', user: 'u', lane: 'heavy' }).then(() => {
      heavyIn = true;
    });
    await a.acquire({ tenant: 't', user: 'u', lane: 'interactive' });
    expect(heavyIn).toBe(false);
    expect(a.stats()).toMatchObject({ running: 2, runningHeavy: 1, queued: 1 });
  });

  it('answers 429 with Retry-After when the queue is full, 503 when the wait is too long', async () => {
    const a = new Admission(cfg({ global: 1, perTenant: 1, perUser: 1, queuePerUser: 1, maxWaitMs: 50 }), 10);
    await a.acquire({ tenant: 't', user: 'u', lane: 'interactive' });
    const waiting = a.acquire({ tenant: 't', user: 'u', lane: 'interactive' });
    const full = await a.acquire({ tenant: 't', user: 'u', lane: 'interactive' }).catch((e) => e);
    expect(full).toBeInstanceOf(AppError);
    expect(full).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    expect(full.headers['retry-after']).toMatch(/^\d+$/);
    const late = await waiting.catch((e) => e);
    expect(late).toMatchObject({ code: 'UNAVAILABLE', status: 503 });
    expect(late.headers['retry-after']).toMatch(/^\d+$/);
    expect(a.stats().rejected).toEqual({ queueFull: 1, waitedTooLong: 1 });
    expect(a.stats().queued).toBe(0);
  });

  it('refuses each waiter once its own wait is too long, not before, and never one already admitted', async () => {
    // One timer serves every waiter (armed for the earliest deadline): each must still get its own.
    vi.useFakeTimers();
    try {
      const a = new Admission(cfg({ global: 1, perTenant: 1, perUser: 1, maxWaitMs: 60 }), 10);
      const release = await a.acquire({ tenant: 't', user: 'u', lane: 'interactive' });
      const outcome = (p: Promise<() => void>) =>
        p.then(
          () => 'admitted',
          (e: AppError) => e.code,
        );
      const first = outcome(a.acquire({ tenant: 't', user: 'u', lane: 'interactive' }));
      await vi.advanceTimersByTimeAsync(30);
      const second = outcome(a.acquire({ tenant: 't', user: 't2', lane: 'interactive' }));
      await vi.advanceTimersByTimeAsync(31);
      expect(await first).toBe('UNAVAILABLE');
      // The second has waited 31 of its 60 ms: still in the queue, then admitted when the slot frees.
      expect(a.stats().queued).toBe(1);
      release();
      expect(await second).toBe('admitted');
      await vi.advanceTimersByTimeAsync(100);
      expect(a.stats().rejected.waitedTooLong).toBe(1);
      // A later waiter gets a sweep of its own after the queue was empty.
      const third = outcome(a.acquire({ tenant: 't', user: 'u', lane: 'interactive' }));
      await vi.advanceTimersByTimeAsync(61);
      expect(await third).toBe('UNAVAILABLE');
      expect(a.stats()).toMatchObject({ queued: 0, rejected: { waitedTooLong: 2 } });
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps the heavy queue short while interactive requests still queue', async () => {
    const a = new Admission(
      cfg({ global: 2, perTenant: 2, perUser: 2, heavyPerTenant: 1, heavyPerUser: 1, heavyQueuePerUser: 1 }),
      10,
    );
    await a.acquire({ tenant: 't', user: 'u', lane: 'heavy' });
    await a.acquire({ tenant: 't', user: 'u', lane: 'interactive' });
    void a.acquire({ tenant: 't', user: 'u', lane: 'heavy' }).catch(() => undefined);
    await expect(a.acquire({ tenant: 't', user: 'u', lane: 'heavy' })).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    void a.acquire({ tenant: 't', user: 'u', lane: 'interactive' }).catch(() => undefined);
    expect(a.stats().queued).toBe(2);
  });

  it('drops a waiting request whose client went away', async () => {
    const a = new Admission(cfg({ global: 1, perTenant: 1, perUser: 1 }), 10);
    const release = await a.acquire({ tenant: 't', user: 'u', lane: 'interactive' });
    const c = new AbortController();
    const waiting = a.acquire({ tenant: 't', user: 'u', lane: 'interactive', signal: c.signal }).catch((e) => e);
    expect(a.stats().queued).toBe(1);
    c.abort();
    expect(await waiting).toMatchObject({ code: 'BAD_REQUEST' });
    expect(a.stats().queued).toBe(0);
    release();
    expect(a.stats().running).toBe(0);
  });
});
