import type { PluginContext, PluginHooks } from '@forma/platform/plugin-api';

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
      'record.beforeCreate': async (tx, payload: { object: string; record: Row }) => {
        if (payload.object !== 'stock_level' || !(await hasSlot(tx))) return;
        payload.record.slot = slotOf(payload.record);
      },
      'record.beforeUpdate': async (tx, payload: { object: string; patch: Row; old: Row }) => {
        if (payload.object !== 'stock_level' || !(await hasSlot(tx))) return;
        if (!('product' in payload.patch) && !('warehouse' in payload.patch) && !('slot' in payload.patch)) return;
        payload.patch.slot = slotOf({ ...payload.old, ...payload.patch });
      },
    },
  };
}

/** Several hook sets as one: filters of the same event run one after the other, in the given order (a throw stops the save). */
export function combineHooks(...sets: PluginHooks[]): PluginHooks {
  const filters: NonNullable<PluginHooks['filters']> = {};
  const actions: NonNullable<PluginHooks['actions']> = {};
  for (const set of sets) {
    for (const [event, hook] of Object.entries(set.filters ?? {})) {
      const before = filters[event];
      filters[event] = before
        ? async (tx, payload) => {
            await before(tx, payload);
            await hook(tx, payload);
          }
        : hook;
    }
    for (const [event, hook] of Object.entries(set.actions ?? {})) {
      const before = actions[event];
      actions[event] = before
        ? // Action hooks are independent: one failing never keeps the other from running.
          async (ctx, payload) => {
            const results = await Promise.allSettled([before(ctx, payload), hook(ctx, payload)]);
            const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
            if (failed) throw failed.reason;
          }
        : hook;
    }
  }
  return { filters, actions };
}
