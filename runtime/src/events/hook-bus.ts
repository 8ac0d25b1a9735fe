import type { Ctx } from '../ctx';
import type { TxCtx } from '../tx/unit-of-work';

/**
 * Two kinds of hooks (the pattern Directus' emitter follows):
 * - filter hooks run in order inside the transaction and may change the payload or abort by throwing;
 * - action hooks run after commit; their failures are reported and never undo the saved data.
 */
export type FilterHook<P> = (ctx: TxCtx, payload: P) => Promise<void> | void;
export type ActionHook<P> = (ctx: Ctx, payload: P) => Promise<void> | void;

interface Registered<H> {
  hook: H;
  /** Who registered it (a plugin name, a capability), for error reports. */
  source: string;
}

export class HookBus {
  private readonly filters = new Map<string, Registered<FilterHook<unknown>>[]>();
  private readonly actions = new Map<string, Registered<ActionHook<unknown>>[]>();

  constructor(private readonly onActionError: (err: unknown, event: string, source: string) => void = () => {}) {}

  filter<P>(event: string, hook: FilterHook<P>, source = 'core'): () => void {
    return add(this.filters, event, { hook: hook as FilterHook<unknown>, source });
  }

  action<P>(event: string, hook: ActionHook<P>, source = 'core'): () => void {
    return add(this.actions, event, { hook: hook as ActionHook<unknown>, source });
  }

  async runFilters<P>(ctx: TxCtx, event: string, payload: P): Promise<P> {
    for (const { hook } of this.filters.get(event) ?? []) await hook(ctx, payload);
    return payload;
  }

  /** Queues the event's action hooks to run after the unit of work commits. */
  queueActions<P>(ctx: TxCtx, event: string, payload: P): void {
    const hooks = this.actions.get(event);
    if (!hooks?.length) return;
    const { uow, ...rest } = ctx;
    const after: Ctx = { ...rest, db: uow.base };
    ctx.uow.afterCommit(async () => {
      for (const { hook, source } of hooks) {
        try {
          await hook(after, payload);
        } catch (e) {
          this.onActionError(e, event, source);
        }
      }
    });
  }

  /** Who registered filter hooks on `event` (bulk writers check they only meet hooks they reproduce). */
  filterSources(event: string): string[] {
    return (this.filters.get(event) ?? []).map((r) => r.source);
  }

  actionSources(event: string): string[] {
    return (this.actions.get(event) ?? []).map((r) => r.source);
  }

  has(event: string): boolean {
    return Boolean(this.filters.get(event)?.length || this.actions.get(event)?.length);
  }
}

function add<H>(map: Map<string, Registered<H>[]>, event: string, reg: Registered<H>): () => void {
  const list = map.get(event) ?? [];
  list.push(reg);
  map.set(event, list);
  return () => {
    const i = list.indexOf(reg);
    if (i >= 0) list.splice(i, 1);
  };
}
