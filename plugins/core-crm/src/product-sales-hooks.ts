import { forObjects, type ObjectHook, type PluginContext, type PluginHooks } from '@forma/platform/plugin-api';

type Row = Record<string, unknown>;

/**
 * The product-sales template's one rule that is not a script: one stock level per product and
 * warehouse. The stock documents' scripts find "the" row of a product at a warehouse, so a second
 * row would split its stock. The row's `slot` (product:warehouse, unique) is filled here, in the save
 * transaction, because `stock_level` must stay free of save scripts and formulas for the scripts'
 * `adjust()` (docs/scripts.md); a second row for the same pair is then refused by the unique index.
 */
export function productSalesHooks({ runtime }: PluginContext): PluginHooks {
  const hasSlot = async (tx: Parameters<typeof runtime.meta.model>[0]) => {
    const model = await runtime.meta.model(tx);
    return model.objects.get('stock_level')?.fields.has('slot') ?? false;
  };
  const slotOf = (r: Row) => `${r.product ?? ''}:${r.warehouse ?? ''}`;
  return {
    filters: {
      'record.beforeCreate': forObjects(['stock_level'], async (tx, payload: { object: string; record: Row }) => {
        if (payload.object !== 'stock_level' || !(await hasSlot(tx))) return;
        payload.record.slot = slotOf(payload.record);
      }),
      'record.beforeUpdate': forObjects(
        ['stock_level'],
        async (tx, payload: { object: string; patch: Row; old: Row }) => {
          if (payload.object !== 'stock_level' || !(await hasSlot(tx))) return;
          if (!('product' in payload.patch) && !('warehouse' in payload.patch) && !('slot' in payload.patch)) return;
          payload.patch.slot = slotOf({ ...payload.old, ...payload.patch });
        },
      ),
    },
  };
}

type Hook<H> = H | ObjectHook<H>;
type Handler = (ctx: never, payload: unknown) => Promise<void> | void;

/** The handler of a hook and the objects it concerns (undefined: every object). */
function split<H>(hook: Hook<H>): { handler: H; objects?: readonly string[] } {
  return typeof hook === 'function' ? { handler: hook as H } : (hook as ObjectHook<H>);
}

/**
 * Hooks of one event as one hook: it concerns the union of their objects (every object when one of
 * them does), and each part still runs only for its own objects.
 */
function chain<H extends Handler>(
  hooks: Hook<H>[],
  run: (parts: H[], ctx: never, payload: unknown) => Promise<void>,
): Hook<H> {
  const parts = hooks.map(split);
  if (parts.length === 1) return hooks[0] as Hook<H>;
  const concerned = (payload: unknown) => {
    const object = (payload as { object?: unknown } | null)?.object;
    return parts
      .filter((p) => !p.objects || typeof object !== 'string' || p.objects.includes(object))
      .map((p) => p.handler);
  };
  const handler = (async (ctx: never, payload: unknown) => run(concerned(payload), ctx, payload)) as unknown as H;
  const everything = parts.some((p) => !p.objects);
  return everything ? handler : { objects: [...new Set(parts.flatMap((p) => p.objects ?? []))], handler };
}

/** Several hook sets as one: filters of the same event run one after the other, in the given order (a throw stops the save). */
export function combineHooks(...sets: PluginHooks[]): PluginHooks {
  type Filters = NonNullable<PluginHooks['filters']>;
  type Actions = NonNullable<PluginHooks['actions']>;
  const filterLists = new Map<string, Filters[string][]>();
  const actionLists = new Map<string, Actions[string][]>();
  for (const set of sets) {
    for (const [event, hook] of Object.entries(set.filters ?? {}))
      filterLists.set(event, [...(filterLists.get(event) ?? []), hook]);
    for (const [event, hook] of Object.entries(set.actions ?? {}))
      actionLists.set(event, [...(actionLists.get(event) ?? []), hook]);
  }
  const filters: Filters = {};
  const actions: Actions = {};
  for (const [event, hooks] of filterLists)
    filters[event] = chain(hooks as Hook<Handler>[], async (parts, tx, payload) => {
      for (const part of parts) await part(tx, payload);
    }) as Filters[string];
  for (const [event, hooks] of actionLists)
    actions[event] = chain(hooks as Hook<Handler>[], async (parts, ctx, payload) => {
      // Action hooks are independent: one failing never keeps the others from running.
      const results = await Promise.allSettled(parts.map((part) => part(ctx, payload)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    }) as Actions[string];
  return { filters, actions };
}
