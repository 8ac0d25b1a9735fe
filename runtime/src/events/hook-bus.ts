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
  /**
   * The objects the hook concerns (undefined: every object). A hook runs for a payload naming
   * another object never, so a bulk writer may skip it for objects it does not name.
   */
  objects?: ReadonlySet<string>;
}

/** Whether `reg` runs for `payload`: payloads that name no object reach every hook. */
function concerns(reg: Registered<unknown>, payload: unknown): boolean {
  if (!reg.objects) return true;
  const object = (payload as { object?: unknown } | null)?.object;
  return typeof object !== 'string' || reg.objects.has(object);
}

/** The hooks of `list` that may run for records of `object` (undefined: all of them). */
function forObject<H>(list: Registered<H>[] | undefined, object?: string): Registered<H>[] {
  if (!list) return [];
  return object === undefined ? list : list.filter((r) => !r.objects || r.objects.has(object));
}

export class HookBus {
  private readonly filters = new Map<string, Registered<FilterHook<unknown>>[]>();
  private readonly actions = new Map<string, Registered<ActionHook<unknown>>[]>();

  constructor(private readonly onActionError: (err: unknown, event: string, source: string) => void = () => {}) {}

  /** `objects`: the objects the hook concerns (omitted: every object). */
  filter<P>(event: string, hook: FilterHook<P>, source = 'core', objects?: readonly string[]): () => void {
    return add(this.filters, event, { hook: hook as FilterHook<unknown>, source, ...scope(objects) });
  }

  action<P>(event: string, hook: ActionHook<P>, source = 'core', objects?: readonly string[]): () => void {
    return add(this.actions, event, { hook: hook as ActionHook<unknown>, source, ...scope(objects) });
  }

  async runFilters<P>(ctx: TxCtx, event: string, payload: P): Promise<P> {
    for (const reg of this.filters.get(event) ?? []) if (concerns(reg, payload)) await reg.hook(ctx, payload);
    return payload;
  }

  /** Queues the event's action hooks to run after the unit of work commits. */
  queueActions<P>(ctx: TxCtx, event: string, payload: P): void {
    const hooks = (this.actions.get(event) ?? []).filter((r) => concerns(r, payload));
    if (!hooks.length) return;
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

  /**
   * Who registered filter hooks on `event` that may run for records of `object` (omitted: any), so
   * bulk writers check they only meet hooks they reproduce.
   */
  filterSources(event: string, object?: string): string[] {
    return forObject(this.filters.get(event), object).map((r) => r.source);
  }

  actionSources(event: string, object?: string): string[] {
    return forObject(this.actions.get(event), object).map((r) => r.source);
  }

  /** Whether any hook on `event` may run (for records of `object`, when given). */
  has(event: string, object?: string): boolean {
    return (
      forObject(this.filters.get(event), object).length > 0 || forObject(this.actions.get(event), object).length > 0
    );
  }
}

function scope(objects: readonly string[] | undefined): { objects?: ReadonlySet<string> } {
  return objects ? { objects: new Set(objects) } : {};
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
