import { LRUCache } from 'lru-cache';
import type { TenantIsolate } from './tenant-isolate';

export type IsolateFactory = (tenant: string, memoryMb: number) => Promise<TenantIsolate>;

/** One isolate per tenant, the least recently used ones disposed beyond `max`. */
export class IsolatePool {
  private readonly cache: LRUCache<string, Promise<TenantIsolate>>;
  /** Settled entries of `cache`, readable without an await. */
  private readonly resolved = new Map<string, TenantIsolate>();

  constructor(
    max: number,
    private readonly factory: IsolateFactory,
  ) {
    this.cache = new LRUCache<string, Promise<TenantIsolate>>({
      max: Math.max(1, max),
      // Evicted or replaced: calls still running in it finish first.
      dispose: (pending, tenant) => {
        this.resolved.delete(tenant);
        pending.then(
          (isolate) => isolate.retire('evicted'),
          () => {},
        );
      },
    });
  }

  /** The tenant's isolate when it is ready and fits, without waiting (the per-call fast path). */
  ready(tenant: string, memoryMb: number): TenantIsolate | undefined {
    const isolate = this.resolved.get(tenant);
    if (!isolate?.usable || isolate.memoryMb !== memoryMb || !this.cache.has(tenant)) return undefined;
    this.cache.get(tenant);
    return isolate;
  }

  async acquire(tenant: string, memoryMb: number): Promise<TenantIsolate> {
    const fast = this.ready(tenant, memoryMb);
    if (fast) return fast;
    const existing = this.cache.get(tenant);
    if (existing) {
      const isolate = await existing.catch(() => undefined);
      if (isolate?.usable && isolate.memoryMb === memoryMb) return isolate;
      if (this.cache.peek(tenant) === existing) this.cache.delete(tenant);
    }
    const created = this.factory(tenant, memoryMb);
    this.cache.set(tenant, created);
    created.then(
      (isolate) => {
        if (this.cache.peek(tenant) === created) this.resolved.set(tenant, isolate);
      },
      () => {
        if (this.cache.peek(tenant) === created) this.cache.delete(tenant);
      },
    );
    return created;
  }

  /** Forgets `isolate` (disposed or about to be) so the tenant's next call gets a fresh one. */
  drop(tenant: string, isolate: TenantIsolate): void {
    const current = this.cache.peek(tenant);
    if (!current) return;
    current.then(
      (held) => {
        if (held === isolate && this.cache.peek(tenant) === current) this.cache.delete(tenant);
      },
      () => {},
    );
  }

  get size(): number {
    return this.cache.size;
  }
}
