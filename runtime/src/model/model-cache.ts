import { LRUCache } from 'lru-cache';
import type { Model } from './load-model';

/**
 * Models by tenant, keyed by version: a request that knows the tenant's current version (it comes
 * with the session) gets the cached model or builds the new one once, however many requests ask at
 * the same time. Only the latest version of each tenant is kept.
 */
export class ModelCache {
  private readonly entries: LRUCache<string, { version: number; model: Promise<Model> }>;

  constructor(maxTenants = 500) {
    this.entries = new LRUCache({ max: maxTenants });
  }

  get(tenant: string, version: number, build: () => Promise<Model>): Promise<Model> {
    const hit = this.entries.get(tenant);
    if (hit && hit.version === version) return hit.model;
    const model = build();
    this.entries.set(tenant, { version, model });
    // A failed build must not be cached: the next request tries again.
    model.catch(() => {
      if (this.entries.get(tenant)?.model === model) this.entries.delete(tenant);
    });
    return model;
  }

  /** Seeds the cache with a model just built (after an apply), when it is not older than the cached one. */
  put(tenant: string, model: Model): void {
    const hit = this.entries.get(tenant);
    if (!hit || hit.version <= model.version)
      this.entries.set(tenant, { version: model.version, model: Promise.resolve(model) });
  }

  forget(tenant: string): void {
    this.entries.delete(tenant);
  }
}
