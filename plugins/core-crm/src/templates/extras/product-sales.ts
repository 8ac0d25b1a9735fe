import { coreVolume, type Order, type Product } from '../../sample/core-volume';
import { day, type Row, type VolumeContext, type VolumeGenerator } from '../../sample/volume';
import { addWidgets, type TemplateExtras, zh, zhLabel } from './types';

/** The story's default warehouse (new orders ship from it, order_defaults). */
const defaultWarehouse = (ctx: VolumeContext): string | undefined => {
  const rows = (ctx.story.warehouse ?? []) as Row[];
  const w = rows.find((r) => r.is_default) ?? rows[0];
  return w?._key ? String(w._key) : undefined;
};

/**
 * Stock for the catalogue at the default warehouse: each product's opening stock is what the
 * generated orders take plus some left on the shelf (the story's products keep theirs), so every
 * order confirms without back-orders. Rows come before the orders (they only refer to products and
 * the warehouse).
 */
const stock: VolumeGenerator = {
  name: 'stock',
  generate(ctx) {
    const wh = defaultWarehouse(ctx);
    if (!wh) return;
    const demand = new Map<string, number>();
    for (const o of (ctx.shared.orders ?? []) as Order[])
      for (const l of o.lines ?? []) {
        const p = String(l.product).slice(1);
        demand.set(p, (demand.get(p) ?? 0) + Number(l.quantity));
      }
    for (const p of ctx.shared.products as Product[]) {
      const units = (demand.get(p.key) ?? 0) + ctx.rnd.int(5, 120);
      ctx.add('stock_level', { product: `@${p.key}`, warehouse: `@${wh}`, on_hand: units, available: units });
    }
  },
};

/**
 * Delivery notes of the confirmed orders older than a week, posted a few days after the order:
 * posting takes the units from stock and from the order's reservation (delivery_post); the order
 * is then marked shipped or delivered (its `_finally` step, once its notes are posted).
 */
const deliveries: VolumeGenerator = {
  name: 'deliveries',
  generate(ctx) {
    for (const o of (ctx.shared.orders ?? []) as Order[]) {
      if (o.ordered >= -7 || !o.lines?.length) continue;
      ctx.add('delivery_note', {
        _owner: `@${o.owner}`,
        order: `@${o.key}`,
        status: 'draft',
        carrier: ctx.rnd.pick(['SF Express', 'JD Logistics', 'Own truck']),
        lines: o.lines.map((l) => ({ product: l.product, quantity: l.quantity })),
        _then: [{ status: 'posted', delivered_on: day(o.ordered + ctx.rnd.int(1, 6)) }],
      });
    }
  },
};

/**
 * Customer returns of a few delivered orders: part of one line comes back, mostly into stock (a
 * damaged item is not restocked). A return is received once everything is loaded (`_finally`),
 * when its order's delivery notes are posted: it never takes back more than was delivered.
 */
const returns: VolumeGenerator = {
  name: 'returns',
  generate(ctx) {
    if (!ctx.has('sales_return')) return;
    const delivered = ((ctx.shared.orders ?? []) as Order[]).filter((o) => o.ordered < -30 && o.lines?.length);
    for (let i = 0; i < delivered.length; i += 12) {
      const o = delivered[i]!;
      const line = ctx.rnd.pick(o.lines!);
      const reason = ctx.rnd.pick(['defective', 'wrong_item', 'not_needed', 'defective']);
      ctx.add('sales_return', {
        _owner: `@${o.owner}`,
        order: `@${o.key}`,
        account: `@${o.account}`,
        status: 'draft',
        reason,
        restock: reason !== 'defective',
        lines: [
          {
            product: line.product,
            quantity: Math.max(1, Math.floor(Number(line.quantity) / 4)),
            unit_price: line.unit_price,
          },
        ],
        _finally: [{ status: 'received', received_on: day(o.ordered + ctx.rnd.int(10, 25)) }],
      });
    }
  },
};

/**
 * Suppliers and purchase orders: received ones (each became a payable through the template's rule
 * `payable_from_purchase_order`, aged like receivables) and a few still on order.
 */
const purchasing: VolumeGenerator = {
  name: 'purchasing',
  generate(ctx) {
    const wh = defaultWarehouse(ctx);
    if (!wh || !ctx.has('purchase_order')) return;
    const products = ctx.shared.products as Product[];
    const suppliers = ['Shenzhen Precision Parts', 'Suzhou Automation Supply', 'Ningbo Electronics Trading'];
    for (const [i, name] of suppliers.entries())
      ctx.add('account', {
        _key: `v_sup${i + 1}`,
        name,
        type: 'supplier',
        industry: 'manufacturing',
        city: ctx.rnd.pick(['Shenzhen', 'Suzhou', 'Ningbo']),
      });
    for (let i = 0; i < 14; i++) {
      const ordered = -Math.round(((14 - i) * 500) / 14) + ctx.rnd.int(0, 10);
      const received = ordered + ctx.rnd.int(5, 20);
      const lines = Array.from({ length: ctx.rnd.int(1, 3) }, (_, k) => {
        const p = products[(i * 3 + k * 5) % products.length]!;
        return { product: `@${p.key}`, quantity: ctx.rnd.int(2, 40) * 5, unit_cost: p.cost };
      });
      ctx.add('purchase_order', {
        supplier: `@v_sup${(i % suppliers.length) + 1}`,
        warehouse: `@${wh}`,
        status: 'ordered',
        ordered_on: day(ordered),
        payment_days: ctx.rnd.pick([30, 30, 45, 60]),
        lines,
        ...(received < -1 ? { _then: [{ status: 'received', received_on: day(received) }] } : {}),
      });
    }
  },
};

/**
 * Product sales: the core volume with orders made of catalogue lines (the order amount is their
 * total) over the sales channels. New objects of this template (warehouses, purchase orders…) add a
 * generator to `volume` after the core one; `ctx.shared` holds the core's products and accounts.
 */
export const productSalesExtras: TemplateExtras = {
  seed: 20_260_202,
  volume: [
    coreVolume({
      // Orders follow the template's path: saved as drafts with their lines, then confirmed
      // (reserving stock); older ones are delivered (delivery notes below), the last few days' wait.
      orderFields(ctx, amount, ordered) {
        const products = ctx.shared.products as Product[];
        const n = ctx.rnd.int(1, 3);
        const lines: Row[] = [];
        for (let i = 0; i < n; i++) {
          const p = ctx.rnd.pick(products);
          lines.push({
            product: `@${p.key}`,
            quantity: Math.max(1, Math.round(amount / n / p.price)),
            unit_price: p.price,
          });
        }
        const channel = ctx.choices('order', 'channel');
        const delivered = ordered < -7 ? [{ status: ordered < -30 ? 'delivered' : 'shipped' }] : [];
        return {
          lines,
          ...(channel ? { channel: ctx.rnd.pick(channel) } : {}),
          status: 'draft',
          _then: [{ status: 'confirmed' }],
          ...(delivered.length ? { _finally: delivered } : {}),
        };
      },
    }),
    stock,
    deliveries,
    returns,
    purchasing,
  ],
  reports: {
    sales_by_product: {
      label: 'Sales by product',
      description: 'Ordered quantity and amount per product (order lines of orders that were not cancelled).',
      'x-i18n': zh('按产品销售额'),
      object: 'order_line',
      groupBy: [{ field: 'product' }],
      aggregates: [
        { fn: 'sum', field: 'amount', as: 'amount', label: 'Amount', 'x-i18n': zhLabel('金额') },
        { fn: 'sum', field: 'quantity', as: 'quantity', label: 'Quantity', 'x-i18n': zhLabel('数量') },
      ],
      sort: ['-amount'],
      chart: 'bar',
    },
    orders_by_channel: {
      label: 'Orders by channel',
      'x-i18n': zh('按渠道订单'),
      object: 'order',
      filter: { status: { ne: 'cancelled' } },
      groupBy: [{ field: 'channel' }],
      aggregates: [
        { fn: 'sum', field: 'amount', as: 'amount', label: 'Amount', 'x-i18n': zhLabel('金额') },
        { fn: 'count', as: 'orders', label: 'Orders', 'x-i18n': zhLabel('订单数') },
      ],
      chart: 'pie',
    },
    orders_by_month: {
      label: 'Order intake by month',
      'x-i18n': zh('按月订单金额'),
      object: 'order',
      filter: { status: { ne: 'cancelled' } },
      groupBy: [{ field: 'ordered_on', bucket: 'month', as: 'month' }],
      aggregates: [
        { fn: 'sum', field: 'amount', as: 'amount', label: 'Amount', 'x-i18n': zhLabel('金额') },
        { fn: 'count', as: 'orders', label: 'Orders', 'x-i18n': zhLabel('订单数') },
      ],
      chart: 'line',
    },
  },
  dashboards: (existing) =>
    addWidgets(existing, {
      sales_manager: [
        { report: 'sales_by_product', width: 'half' },
        { report: 'orders_by_channel', width: 'half' },
      ],
      sales_rep: [
        { report: 'orders_by_month', title: 'My orders by month', 'x-i18n': zh('我每月订单'), width: 'half' },
      ],
      finance: [{ report: 'orders_by_month', width: 'half' }],
    }),
};
