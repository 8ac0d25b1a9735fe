import type { TemplateDocument } from '@forma/platform/plugin-api';
import { coreCrmDocument } from '../document';
import {
  bool,
  children,
  formula,
  integer,
  lookup,
  money,
  number,
  object,
  percent,
  rollup,
  select,
  text,
} from '../fields';
import { DEMO_PASSWORD } from '../sample-data';
import { addFields, compose, template } from './compose';

/**
 * Product sales (distribution and retail): the core CRM plus order lines priced from the product
 * catalogue, stock on hand, sales channels and the order → receivable → payment loop.
 */
export function productSalesTemplate(): TemplateDocument {
  const doc = compose(coreCrmDocument(), {
    objects: {
      order_line: object(
        'Order line',
        '订单明细',
        'product',
        {
          order: lookup('order', 'Order', '订单'),
          product: lookup('product', 'Product', '产品'),
          quantity: number('Quantity', '数量', { minimum: 0, default: 1 }),
          unit_price: money('Unit price', '单价', { minimum: 0 }),
          discount: percent('Line discount', '行折扣', { minimum: 0, maximum: 100, default: 0 }),
          amount: formula(
            '(record.quantity || 0) * (record.unit_price || 0) * (1 - (record.discount || 0) / 100)',
            'Amount',
            '金额',
            { type: 'number', 'x-kind': 'currency' },
          ),
        },
        ['order', 'product', 'quantity'],
      ),
    },
    scripts: {
      order_line_price: {
        object: 'order_line',
        event: 'beforeSave',
        label: 'Price a line from the catalogue unless a price is given',
        code: [
          'if (record.unit_price == null && record.product) {',
          "  const [p] = await query('product', { id: { eq: record.product } }, { limit: 1 });",
          "  if (p) set('unit_price', p.list_price);",
          '}',
        ].join('\n'),
      },
      order_line_stock: {
        object: 'order_line',
        event: 'validate',
        label: 'Warn early when a line asks for more than is in stock (unless back-orders are allowed)',
        code: [
          'if (record.product && record.order) {',
          "  const [p] = await query('product', { id: { eq: record.product } }, { limit: 1 });",
          "  const [o] = await query('order', { id: { eq: record.order } }, { limit: 1 });",
          '  if (p && p.stock != null && record.quantity > p.stock && !(o && o.allow_backorder))',
          "    error('quantity', 'Only ' + p.stock + ' in stock', { 'zh-CN': '库存仅剩 ' + p.stock });",
          '}',
        ].join('\n'),
      },
      // The authoritative check: confirming takes the stock, line by line, with adjust() — a
      // guarded, atomic decrement (never below 0), so concurrent confirmations never oversell. A
      // refused line fails the save, which gives back what earlier lines took. Cancelling a
      // confirmed order returns its stock.
      order_confirm_stock: {
        object: 'order',
        event: 'beforeSave',
        label: 'Confirming an order takes its products from stock; cancelling returns them',
        code: [
          "const confirming = record.status === 'confirmed' && (!old || old.status !== 'confirmed');",
          "const cancelling = old && old.status === 'confirmed' && record.status === 'cancelled';",
          'if (confirming && !old) {',
          "  error('status', 'Save the order with its lines first, then confirm it', { 'zh-CN': '请先保存订单及明细，再确认订单' });",
          '} else if (confirming || cancelling) {',
          "  const lines = await query('order_line', { order: { eq: record.id } }, { limit: 200 });",
          '  let short = 0;',
          '  // Cancelling gives back what was taken: the ordered units less the back-ordered ones.',
          '  let owed = cancelling ? -(old.backordered || 0) : 0;',
          '  for (const line of lines) owed += cancelling ? line.quantity || 0 : 0;',
          '  for (const line of lines) {',
          '    const qty = line.quantity || 0;',
          '    if (!line.product || qty <= 0) continue;',
          '    if (cancelling) {',
          '      const back = Math.min(qty, owed);',
          "      if (back > 0) await adjust('product', line.product, 'stock', back);",
          '      owed -= back;',
          '      continue;',
          '    }',
          "    const taken = await adjust('product', line.product, 'stock', -qty, { min: 0 });",
          '    if (taken.ok) continue;',
          '    if (!record.allow_backorder) {',
          "      error('status', 'Not enough stock: ' + taken.value + ' left of a product this order needs ' + qty + ' of',",
          "        { 'zh-CN': '库存不足：某产品仅剩 ' + taken.value + '，本订单需要 ' + qty });",
          '      break;',
          '    }',
          '    // A back-order: take what is there, the rest is delivered later.',
          "    if (taken.value > 0) await adjust('product', line.product, 'stock', -taken.value, { min: 0 });",
          '    short += qty - taken.value;',
          '  }',
          "  if (confirming) set('backordered', short);",
          '}',
        ].join('\n'),
      },
    },
    views: {
      low_stock: {
        object: 'product',
        label: 'Low stock',
        columns: ['code', 'name', 'stock', 'reorder_level'],
        filter: { stock: { lte: 10 } },
        sort: ['stock'],
        'x-i18n': { 'zh-CN': { title: '库存不足' } },
      },
    },
  });
  addFields(doc, 'product', {
    stock: integer('Stock on hand', '库存', { minimum: 0, default: 0 }),
    reorder_level: integer('Reorder level', '补货点', { minimum: 0, default: 10 }),
    barcode: text('Barcode', '条码', 40),
  });
  addFields(doc, 'order', {
    channel: select('Channel', '销售渠道', [
      ['direct', 'Direct', '直销'],
      ['distributor', 'Distributor', '经销商'],
      ['retail', 'Retail store', '门店'],
      ['online', 'Online', '电商'],
    ]),
    lines: children('order_line', 'order', 'Lines', '订单明细'),
    // The amount is the lines' total, never typed (a roll-up the records engine keeps exact).
    amount: rollup('lines', 'sum', 'amount', 'Amount', '订单金额'),
    allow_backorder: bool('Allow back-orders', '允许缺货订货', { default: false }),
    backordered: integer('Back-ordered units', '缺货数量', { minimum: 0, default: 0 }),
  });
  const orderDef = (doc.objects as unknown as Record<string, { required?: string[] }>).order!;
  orderDef.required = (orderDef.required ?? []).filter((f) => f !== 'amount');
  // Order lines follow their order's access; not the customer portal's (an `account` scope needs an
  // account lookup, which lines do not have, and the portal never lists lines).
  for (const role of Object.values(doc.roles as unknown as Record<string, { objects: Record<string, unknown> }>)) {
    const grant = role.objects.order as { fields?: unknown } | undefined;
    if (grant && !Object.values(grant).includes('account')) {
      const { fields: _fields, ...scopes } = grant;
      role.objects.order_line = scopes;
    }
  }
  return template({
    name: 'product-sales',
    label: 'Product sales (distribution & retail)',
    version: '0.1.0',
    description:
      'Catalogue, price lists, stock, orders with lines priced from the catalogue, receivables and payments.',
    document: doc,
    sampleData: {
      users: [
        {
          _key: 'mgr',
          email: 'manager@shop.test',
          name: 'Store manager',
          password: DEMO_PASSWORD,
          roles: ['sales_manager'],
        },
        {
          _key: 'rep',
          email: 'rep@shop.test',
          name: 'Counter sales',
          password: DEMO_PASSWORD,
          roles: ['sales_rep'],
          manager: '@mgr',
        },
        { _key: 'fin', email: 'finance@shop.test', name: 'Accounts', password: DEMO_PASSWORD, roles: ['finance'] },
      ],
      product: [
        { name: 'Espresso machine', code: 'EM-100', category: 'hardware', unit: 'unit', list_price: 3200, stock: 25 },
        { name: 'Coffee beans 1 kg', code: 'CB-1KG', category: 'hardware', unit: 'bag', list_price: 180, stock: 400 },
        { name: 'Milk frother', code: 'MF-20', category: 'hardware', unit: 'unit', list_price: 260, stock: 6 },
      ],
      account: [{ _key: 'cafe', _owner: '@rep', name: 'Blue Bottle Café', type: 'customer', industry: 'retail' }],
    },
  });
}
