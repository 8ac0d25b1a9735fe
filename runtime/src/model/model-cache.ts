import { LRUCache } from 'lru-cache';
import type { Model } from './load-model';

/**
 * Models by tenant, keyed by version: a request that knows the tenant's current version (it comes
 * with the session) gets the cached model or builds the new one once, however many requests ask at
 * the same time. Only the latest version of each tenant is kept.
 */
export class ModelCache {
  private readonly entries: LRUCache<string, { version: number; model: Promise<Model>; built?: Model }>;

  constructor(maxTenants = 500) {
    this.entries = new LRUCache({ max: maxTenants });
  }

  get(tenant: string, version: number, build: () => Promise<Model>): Promise<Model> {
    const hit = this.entries.get(tenant);
    if (hit && hit.version === version) return hit.model;
    const model = build();
    const entry: { version: number; model: Promise<Model>; built?: Model } = { version, model };
    this.entries.set(tenant, entry);
    // A failed build must not be cached: the next request tries again.
    model.then(
      (m) => {
        entry.built = m;
      },
      () => {
        if (this.entries.get(tenant)?.model === model) this.entries.delete(tenant);
      },
    );
    return model;
  }

  /**
   * The model of `version` when it is built and cached, without a promise (issue 27: a read whose
   * model is cached, the usual case, need not wait a tick for it); else undefined: ask `get`.
   */
  peek(tenant: string, version: number): Model | undefined {
    const hit = this.entries.get(tenant);
    return hit && hit.version === version ? hit.built : undefined;
  }

  /** Seeds the cache with a model just built (after an apply), when it is not older than the cached one. */
  put(tenant: string, model: Model): void {
    const hit = this.entries.get(tenant);
    if (!hit || hit.version <= model.version)
      this.entries.set(tenant, { version: model.version, model: Promise.resolve(model), built: model });
  }

  forget(tenant: string): void {
    this.entries.delete(tenant);
  }
}
