import { coreVolume, type Product } from '../../sample/core-volume';
import type { Row } from '../../sample/volume';
import { addWidgets, type TemplateExtras, zh, zhLabel } from './types';

/**
 * Product sales: the core volume with orders made of catalogue lines (the order amount is their
 * total) over the sales channels. New objects of this template (warehouses, purchase orders…) add a
 * generator to `volume` after the core one; `ctx.shared` holds the core's products and accounts.
 */
export const productSalesExtras: TemplateExtras = {
  seed: 20_260_202,
  volume: [
    coreVolume({
      orderFields(ctx, amount) {
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
        return { lines, ...(channel ? { channel: ctx.rnd.pick(channel) } : {}) };
      },
    }),
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
