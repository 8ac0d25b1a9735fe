/**
 * What a list or read costs before the database sees it — the reader's access to the object and the
 * objects its lookups reach, the columns, the sort, the filter compiled to SQL — depends only on the
 * tenant's metadata (one `Model` per tenant and version), on who reads (user, roles, admin, portal
 * account) and on the request's shape. Computed per request, it was a third of the server's CPU on a
 * page of 50 records (issue 27); here it is computed once and kept.
 *
 * Entries hang off the `Model` object itself (a WeakMap): a new metadata version is a new `Model`, so
 * it starts empty and the old version's entries go with it; a role change reaches a session as a
 * new set of roles (the session cache drops the session on the change), so it is another reader key.
 * Nothing read at query time is cached: manual shares, the manager tree and segment membership are
 * sub-selects of the statement, not values in it.
 */
import type { Ctx } from '../ctx';
import type { Model } from '../model/load-model';

/** Entries kept per model (tenant and version); the least recently used go first. */
export const MAX_PLANS_PER_MODEL = 2000;

/**
 * Everything of the context the access rules and compiled statements depend on besides the model:
 * the user (scopes name them: owner, team, manual shares), their roles, admin (system contexts act as
 * admins), and a portal user's account and contact.
 */
export function readerKey(ctx: Ctx): string {
  let key = readerKeys.get(ctx);
  if (key === undefined) {
    key = keyOf(ctx);
    readerKeys.set(ctx, key);
  }
  return key;
}

/** Per request context (a list asks twice: for the access and for the plan). */
const readerKeys = new WeakMap<Ctx, string>();

function keyOf(ctx: Ctx): string {
  const portal = ctx.user.portal;
  return JSON.stringify([
    ctx.schema,
    ctx.user.id,
    ctx.isAdmin,
    [...ctx.user.roles].sort(),
    portal ? [portal.account, portal.contact] : null,
  ]);
}

export class ReadPlans {
  private readonly byModel = new WeakMap<Model, Map<string, unknown>>();
  private hits = 0;
  private misses = 0;

  constructor(private readonly maxPerModel = MAX_PLANS_PER_MODEL) {}

  /** The entry of `key` under `model`, or what `make` computes (stored unless it throws). */
  get<T>(model: Model, key: string, make: () => T): T {
    let plans = this.byModel.get(model);
    if (!plans) {
      plans = new Map();
      this.byModel.set(model, plans);
    }
    if (plans.has(key)) {
      const hit = plans.get(key) as T;
      // Least recently used goes first: a hit moves to the end.
      plans.delete(key);
      plans.set(key, hit);
      this.hits += 1;
      return hit;
    }
    this.misses += 1;
    const made = make();
    plans.set(key, made);
    while (plans.size > this.maxPerModel) {
      const oldest = plans.keys().next().value;
      if (oldest === undefined) break;
      plans.delete(oldest);
    }
    return made;
  }

  /** Values of `getAsync`'s entries that have resolved, by their promise (for `getSettled`). */
  private readonly settled = new WeakMap<Promise<unknown>, unknown>();

  /**
   * The value of a `getAsync` entry that has resolved, without a promise (a hit, as `get` counts
   * it); undefined when there is none yet: ask `getAsync`.
   */
  getSettled<T>(model: Model, key: string): T | undefined {
    const plans = this.byModel.get(model);
    const p = plans?.get(key) as Promise<T> | undefined;
    if (!plans || !p || !this.settled.has(p)) return undefined;
    plans.delete(key);
    plans.set(key, p);
    this.hits += 1;
    return this.settled.get(p) as T;
  }

  /** Like `get` for work that awaits; a rejected computation is not kept. */
  async getAsync<T>(model: Model, key: string, make: () => Promise<T>): Promise<T> {
    const p = this.get(model, key, make);
    try {
      const value = await p;
      this.settled.set(p, value);
      return value;
    } catch (e) {
      const plans = this.byModel.get(model);
      if (plans?.get(key) === p) plans.delete(key);
      throw e;
    }
  }

  /** For tests and health details. */
  stats(): { hits: number; misses: number } {
    return { hits: this.hits, misses: this.misses };
  }
}
