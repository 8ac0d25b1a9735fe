import type { TemplateDocument } from '@forma/platform/plugin-api';
import { approvalGraph } from '../approval-graph';
import { coreCrmDocument } from '../document';
import {
  autonumber,
  bool,
  children,
  date,
  formula,
  integer,
  lookup,
  money,
  number,
  object,
  percent,
  relatedRollup,
  rollup,
  select,
  text,
  textarea,
} from '../fields';
import { AGING_BUCKETS } from '../objects/contracts';
import { DEMO_PASSWORD } from '../sample-data';
import { addFields, compose, template } from './compose';
import { MANAGER_STEP } from '../workflows';
import { productSalesScripts } from './product-sales-scripts';

/** A purchase line's unit cost defaults to the product's cost. */
const UNIT_COST_FROM = [{ object: 'product', match: { id: '$record.product' }, field: 'cost' }];
const lineAmount = (price: string) =>
  formula(`(record.quantity || 0) * (record.${price} || 0)`, 'Amount', '金额', {
    type: 'number',
    'x-kind': 'currency',
  });
/** A counter of `stock_level`: moved only by documents' scripts (`adjust()`), read-only for every role. */
const COUNTERS = { on_hand: 'read', reserved: 'read', available: 'read', slot: 'read' } as const;
const stockSum = (field: string, title: string, zh: string) =>
  relatedRollup({ object: 'stock_level', via: 'product', op: 'sum', field }, title, zh, { type: 'integer' });

type Grant = { create: unknown; read: unknown; update: unknown; delete: unknown; fields?: Record<string, string> };
const g = (create: unknown, read: unknown, update: unknown, del: unknown, fields?: Grant['fields']): Grant => ({
  create,
  read,
  update,
  delete: del,
  ...(fields ? { fields } : {}),
});
const readOnly = g(false, 'all', false, false);

/** A form with sections and its line items shown as an editable table (`lineItems`, like the quote's). */
const linesForm = (object: string, sections: Array<[string, string[]]>, columns: string[]) => ({
  object,
  uiSchema: {
    'ui:order': [...sections.flatMap(([, f]) => f), '*'],
    lines: { 'ui:field': 'lineItems', 'ui:options': { columns } },
  },
  layout: sections.map(([title, fields]) => ({ title, fields })),
});

/**
 * Product sales (distribution and retail): the core CRM plus warehouses with stock per product,
 * orders that reserve, delivery notes that deliver, purchase orders to suppliers that bring stock in,
 * payables with aging, customer returns, and order lines priced from the customer's price list with
 * quantity breaks and a discount limit per role. Rules are scripts (./product-sales-scripts.ts).
 */
export function productSalesTemplate(): TemplateDocument {
  const doc = compose(coreCrmDocument(), {
    objects: {
      warehouse: object(
        'Warehouse',
        '仓库',
        'name',
        {
          name: text('Name', '仓库名称', 100),
          code: text('Code', '仓库编码', 20, { 'x-unique': true }),
          city: text('City', '城市', 100),
          is_default: bool('Default warehouse', '默认仓库', { default: false }),
          active: bool('Active', '启用', { default: true }),
        },
        ['name', 'code'],
      ),
      stock_level: object(
        'Stock level',
        '库存',
        'product',
        {
          product: lookup('product', 'Product', '产品'),
          warehouse: lookup('warehouse', 'Warehouse', '仓库'),
          on_hand: integer('On hand', '现存量', { minimum: 0, default: 0 }),
          reserved: integer('Reserved', '已预留', { minimum: 0, default: 0 }),
          // product:warehouse, filled by the plugin (product-sales-hooks.ts): one row per pair.
          slot: text('Product and warehouse', '产品与仓库', 80, { 'x-unique': true }),
          // on_hand − reserved, kept by the same adjust() calls (a formula here would stop scripts
          // from adjusting the row); below 0 only for back-ordered units.
          available: integer('Available', '可用量', { default: 0 }),
        },
        ['product', 'warehouse'],
      ),
      stock_adjustment: object(
        'Stock adjustment',
        '库存调整',
        'product',
        {
          product: lookup('product', 'Product', '产品'),
          warehouse: lookup('warehouse', 'Warehouse', '仓库'),
          quantity: integer('Quantity (+ in, − out)', '调整数量（正为入库，负为出库）'),
          reason: select(
            'Reason',
            '原因',
            [
              ['count', 'Stock count', '盘点'],
              ['damage', 'Damaged', '损坏'],
              ['opening', 'Opening stock', '期初库存'],
              ['other', 'Other', '其他'],
            ],
            { default: 'count' },
          ),
          note: text('Note', '备注', 500),
        },
        ['product', 'warehouse', 'quantity'],
      ),
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
          // 1 when the discount is above the saver's limit (set by order_line_price, never typed).
          over_limit: integer('Discount above limit', '折扣超限', { minimum: 0, maximum: 1, default: 0 }),
        },
        ['order', 'product', 'quantity'],
      ),
      delivery_note: object(
        'Delivery note',
        '发货单',
        'number',
        {
          number: autonumber('DN-{YYYY}-{0000}', 'Number', '发货单号'),
          order: lookup('order', 'Order', '订单'),
          status: select(
            'Status',
            '状态',
            [
              ['draft', 'Draft', '草稿'],
              ['posted', 'Posted', '已过账'],
            ],
            { default: 'draft' },
          ),
          delivered_on: date('Delivered on', '发货日期'),
          carrier: text('Carrier', '承运商', 100),
          lines: children('delivery_note_line', 'delivery_note', 'Lines', '发货明细'),
          units: rollup('lines', 'sum', 'quantity', 'Units', '件数', { type: 'integer' }),
        },
        ['order'],
      ),
      delivery_note_line: object(
        'Delivery note line',
        '发货明细',
        'product',
        {
          delivery_note: lookup('delivery_note', 'Delivery note', '发货单'),
          product: lookup('product', 'Product', '产品'),
          quantity: integer('Quantity', '数量', { minimum: 1 }),
        },
        ['delivery_note', 'product', 'quantity'],
      ),
      purchase_order: object(
        'Purchase order',
        '采购单',
        'number',
        {
          number: autonumber('PO-{YYYY}-{0000}', 'Number', '采购单号'),
          supplier: lookup('account', 'Supplier', '供应商'),
          warehouse: lookup('warehouse', 'Deliver to', '收货仓库'),
          status: select(
            'Status',
            '状态',
            [
              ['draft', 'Draft', '草稿'],
              ['ordered', 'Ordered', '已下单'],
              ['received', 'Received', '已收货'],
              ['cancelled', 'Cancelled', '已取消'],
            ],
            { default: 'draft' },
          ),
          ordered_on: date('Order date', '下单日期'),
          received_on: date('Received on', '收货日期'),
          payment_days: integer('Payment terms (days)', '账期（天）', { minimum: 0, maximum: 365, default: 30 }),
          lines: children('purchase_order_line', 'purchase_order', 'Lines', '采购明细'),
          total: rollup('lines', 'sum', 'amount', 'Total', '采购金额'),
        },
        ['supplier', 'warehouse'],
      ),
      purchase_order_line: object(
        'Purchase order line',
        '采购明细',
        'product',
        {
          purchase_order: lookup('purchase_order', 'Purchase order', '采购单'),
          product: lookup('product', 'Product', '产品'),
          quantity: integer('Quantity', '数量', { minimum: 1 }),
          unit_cost: money('Unit cost', '单位成本', { minimum: 0, 'x-default-from': UNIT_COST_FROM }),
          amount: lineAmount('unit_cost'),
        },
        ['purchase_order', 'product', 'quantity'],
      ),
      payable: object(
        'Payable',
        '应付款',
        'number',
        {
          number: autonumber('AP-{YYYY}-{0000}', 'Number', '应付编号'),
          supplier: lookup('account', 'Supplier', '供应商'),
          purchase_order: lookup('purchase_order', 'Purchase order', '采购单'),
          supplier_invoice: text('Supplier invoice', '供应商发票号', 60),
          invoiced_on: date('Invoice date', '开票日期'),
          due_on: date('Due date', '到期日'),
          amount: money('Amount', '应付金额', { minimum: 0 }),
          paid: money('Paid', '已付款', { minimum: 0, default: 0 }),
          balance: formula('(record.amount || 0) - (record.paid || 0)', 'Balance', '未付款', {
            type: 'number',
            'x-kind': 'currency',
          }),
          // Kept current by the core CRM's nightly aging job, exactly like receivables.
          aging: select('Aging', '账龄', AGING_BUCKETS, { default: 'not_due' }),
          days_overdue: integer('Days overdue', '逾期天数', { default: 0 }),
        },
        ['supplier', 'due_on', 'amount'],
      ),
      sales_return: object(
        'Return',
        '退货单',
        'number',
        {
          number: autonumber('RMA-{YYYY}-{0000}', 'Number', '退货单号'),
          order: lookup('order', 'Order', '订单'),
          account: lookup('account', 'Account', '客户'),
          status: select(
            'Status',
            '状态',
            [
              ['draft', 'Draft', '草稿'],
              ['received', 'Received', '已收货'],
            ],
            { default: 'draft' },
          ),
          reason: select('Reason', '退货原因', [
            ['defective', 'Defective', '质量问题'],
            ['wrong_item', 'Wrong item', '发错货'],
            ['not_needed', 'No longer needed', '不再需要'],
            ['other', 'Other', '其他'],
          ]),
          restock: bool('Back into stock', '重新入库', { default: true }),
          received_on: date('Received on', '收货日期'),
          lines: children('return_line', 'sales_return', 'Lines', '退货明细'),
          credit_amount: rollup('lines', 'sum', 'amount', 'Credit to the customer', '退款金额'),
          notes: textarea('Notes', '备注'),
        },
        ['order'],
      ),
      return_line: object(
        'Return line',
        '退货明细',
        'product',
        {
          sales_return: lookup('sales_return', 'Return', '退货单'),
          product: lookup('product', 'Product', '产品'),
          quantity: integer('Quantity', '数量', { minimum: 1 }),
          unit_price: money('Unit price', '单价', { minimum: 0 }),
          amount: lineAmount('unit_price'),
        },
        ['sales_return', 'product', 'quantity'],
      ),
      discount_limit: object(
        'Discount limit',
        '折扣权限',
        'role',
        {
          role: text('Role (API name)', '角色（API 名称）', 63),
          max_discount: percent('Highest line discount without approval', '无需审批的最高行折扣', {
            minimum: 0,
            maximum: 100,
          }),
        },
        ['role', 'max_discount'],
      ),
    },
    scripts: productSalesScripts,
    workflows: {
      order_discount_approval: {
        object: 'order',
        label: 'Order discount approval',
        description:
          "Orders with a line discount above the rep's limit need their manager's approval before they are confirmed.",
        'x-i18n': { 'zh-CN': { title: '订单折扣审批' } },
        trigger: { on: 'submit', condition: 'record.lines_over_limit > 0' },
        // The approval is given for these lines: any change to them sends the order back.
        afterApproval: { mode: 'reapprove', fields: ['lines', 'amount'] },
        fallbackRole: 'sales_manager',
        ...approvalGraph({
          steps: [
            {
              ...MANAGER_STEP,
              approvers: [{ managerOf: 'submitter' }],
              show: ['amount', 'lines_over_limit'],
            },
          ],
        }),
      },
    },
    automations: {
      payable_from_purchase_order: {
        label: 'A received purchase order becomes a payable',
        description:
          "When a purchase order is received, a payable for its total is due after the order's payment terms.",
        'x-i18n': { 'zh-CN': { title: '采购收货生成应付款' } },
        object: 'purchase_order',
        trigger: { on: 'update', fields: ['status'], changedTo: 'received' },
        actions: [
          {
            type: 'create',
            object: 'payable',
            values: { invoiced_on: '$today' },
            expressions: {
              supplier: 'record.supplier',
              purchase_order: 'record.id',
              amount: 'record.total || 0',
              due_on:
                'new Date(Date.parse(record.received_on + "T00:00:00Z") + (record.payment_days || 0) * 86400000).toISOString().slice(0, 10)',
            },
          },
        ],
      },
    },
    forms: {
      order: linesForm(
        'order',
        [
          ['Order', ['number', 'account', 'ordered_on', 'status', 'channel', 'warehouse', 'price_list']],
          ['Lines', ['lines']],
          ['Totals', ['amount', 'tax_rate', 'tax', 'total', 'allow_backorder', 'backordered', 'notes']],
        ],
        ['product', 'quantity', 'unit_price', 'discount', 'amount'],
      ),
      delivery_note: linesForm(
        'delivery_note',
        [
          ['Delivery', ['number', 'order', 'status', 'delivered_on', 'carrier']],
          ['Lines', ['lines', 'units']],
        ],
        ['product', 'quantity'],
      ),
      purchase_order: linesForm(
        'purchase_order',
        [
          [
            'Purchase order',
            ['number', 'supplier', 'warehouse', 'status', 'ordered_on', 'received_on', 'payment_days'],
          ],
          ['Lines', ['lines', 'total']],
        ],
        ['product', 'quantity', 'unit_cost', 'amount'],
      ),
      sales_return: linesForm(
        'sales_return',
        [
          ['Return', ['number', 'order', 'account', 'status', 'reason', 'restock', 'received_on']],
          ['Lines', ['lines', 'credit_amount', 'notes']],
        ],
        ['product', 'quantity', 'unit_price', 'amount'],
      ),
    },
    views: {
      low_stock: {
        object: 'product',
        label: 'Low stock',
        columns: ['code', 'name', 'stock', 'reserved', 'available', 'reorder_level'],
        filter: { available: { lte: 10 } },
        sort: ['available'],
        'x-i18n': { 'zh-CN': { title: '库存不足' } },
      },
      stock_by_warehouse: {
        object: 'stock_level',
        label: 'Stock by warehouse',
        columns: ['warehouse', 'product', 'on_hand', 'reserved', 'available'],
        sort: ['warehouse', 'product'],
        'x-i18n': { 'zh-CN': { title: '分仓库存' } },
      },
      open_payables: {
        object: 'payable',
        label: 'Open payables',
        columns: ['number', 'supplier', 'due_on', 'amount', 'balance', 'aging', 'days_overdue'],
        filter: { aging: { ne: 'paid' } },
        sort: ['due_on'],
        'x-i18n': { 'zh-CN': { title: '未结应付' } },
      },
    },
  });
  const objects = doc.objects as unknown as Record<string, { properties: Record<string, Record<string, unknown>> }>;
  addFields(doc, 'product', {
    // Totals over the product's warehouses (related roll-ups: never typed, always exact).
    stock: stockSum('on_hand', 'Stock on hand', '库存'),
    reserved: stockSum('reserved', 'Reserved', '已预留'),
    available: stockSum('available', 'Available', '可用量'),
    reorder_level: integer('Reorder level', '补货点', { minimum: 0, default: 10 }),
    barcode: text('Barcode', '条码', 40),
  });
  // Quote lines are priced by quote_line_price (quantity breaks need "the largest minimum quantity
  // reached", which the core's x-default-from cannot say); the price is then filled on save.
  const quoteLine = objects.quote_line as unknown as {
    properties: Record<string, Record<string, unknown>>;
    required: string[];
  };
  delete quoteLine.properties.unit_price!['x-default-from'];
  quoteLine.required = quoteLine.required.filter((f) => f !== 'unit_price');
  addFields(doc, 'price_list', {
    is_default: bool('Default price list', '默认价格表', { default: false }),
  });
  // Suppliers are accounts of type Supplier (purchase orders and payables point at them).
  const type = objects.account!.properties.type!;
  type.enum = [...(type.enum as string[]), 'supplier'];
  type['x-enum-labels'] = { ...(type['x-enum-labels'] as object), supplier: 'Supplier' };
  const zh = (type['x-i18n'] as { 'zh-CN': { enum: Record<string, string> } })['zh-CN'];
  zh.enum = { ...zh.enum, supplier: '供应商' };
  addFields(doc, 'account', {
    price_list: lookup('price_list', 'Price list', '价格表'),
  });
  addFields(doc, 'order', {
    channel: select('Channel', '销售渠道', [
      ['direct', 'Direct', '直销'],
      ['distributor', 'Distributor', '经销商'],
      ['retail', 'Retail store', '门店'],
      ['online', 'Online', '电商'],
    ]),
    warehouse: lookup('warehouse', 'Ships from', '发货仓库'),
    price_list: lookup('price_list', 'Price list', '价格表'),
    lines: children('order_line', 'order', 'Lines', '订单明细'),
    // The amount is the lines' total, never typed (a roll-up the records engine keeps exact).
    amount: rollup('lines', 'sum', 'amount', 'Amount', '订单金额'),
    tax_rate: percent('Tax rate', '税率', { minimum: 0, maximum: 100, default: 13 }),
    tax: formula('Math.round((record.amount || 0) * (record.tax_rate || 0)) / 100', 'Tax', '税额', {
      type: 'number',
      'x-kind': 'currency',
    }),
    total: formula(
      'Math.round((record.amount || 0) * (100 + (record.tax_rate || 0))) / 100',
      'Total incl. tax',
      '含税总额',
      { type: 'number', 'x-kind': 'currency' },
    ),
    lines_over_limit: rollup('lines', 'sum', 'over_limit', 'Lines above the discount limit', '折扣超限明细数', {
      type: 'integer',
    }),
    allow_backorder: bool('Allow back-orders', '允许缺货订货', { default: false }),
    backordered: integer('Back-ordered units', '缺货数量', { minimum: 0, default: 0 }),
  });
  const orderDef = (doc.objects as unknown as Record<string, { required?: string[] }>).order!;
  orderDef.required = (orderDef.required ?? []).filter((f) => f !== 'amount');
  const roles = doc.roles as unknown as Record<string, { objects: Record<string, unknown> }>;
  // Order lines follow their order's access; not the customer portal's (an `account` scope needs an
  // account lookup, which lines do not have, and the portal never lists lines).
  for (const role of Object.values(roles)) {
    const grant = role.objects.order as { fields?: unknown } | undefined;
    if (grant && !Object.values(grant).includes('account')) {
      const { fields: _fields, ...scopes } = grant;
      role.objects.order_line = scopes;
    }
  }
  // Stock counters are read-only for every role: documents move them (their scripts act as the system).
  const stockReaders = {
    warehouse: readOnly,
    stock_level: g(false, 'all', false, false, COUNTERS),
    delivery_note: readOnly,
    delivery_note_line: readOnly,
    discount_limit: readOnly,
  };
  Object.assign(roles.sales_rep!.objects, stockReaders, {
    sales_return: g('all', 'own', 'own', false),
    return_line: g('all', 'own', 'own', false),
  });
  Object.assign(roles.sales_manager!.objects, stockReaders, {
    sales_return: g('all', 'subordinates', 'subordinates', false),
    return_line: g('all', 'subordinates', 'subordinates', false),
  });
  Object.assign(roles.finance!.objects, stockReaders, {
    purchase_order: g('all', 'all', 'all', false),
    purchase_order_line: g('all', 'all', 'all', 'all'),
    payable: g('all', 'all', 'all', false),
    sales_return: g(false, 'all', 'all', false),
    return_line: readOnly,
    stock_adjustment: readOnly,
    discount_limit: g('all', 'all', 'all', 'all'),
  });
  roles.warehouse_clerk = {
    label: 'Warehouse clerk',
    description: 'Receives purchase orders, posts delivery notes and returns, counts stock.',
    'x-i18n': { 'zh-CN': { title: '仓库管理员' } },
    objects: {
      account: readOnly,
      product: g(false, 'all', false, false, { cost: 'none' }),
      order: readOnly,
      order_line: readOnly,
      warehouse: readOnly,
      stock_level: g('all', 'all', false, false, COUNTERS),
      stock_adjustment: g('all', 'all', false, false),
      delivery_note: g('all', 'all', 'all', false),
      delivery_note_line: g('all', 'all', 'all', 'all'),
      purchase_order: g(false, 'all', 'all', false),
      purchase_order_line: readOnly,
      sales_return: g('all', 'all', 'all', false),
      return_line: g('all', 'all', 'all', 'all'),
    },
  } as unknown as (typeof roles)[string];
  return template({
    name: 'product-sales',
    label: 'Product sales (distribution & retail)',
    version: '0.2.0',
    description:
      'Warehouses and stock per product, orders that reserve and delivery notes that deliver, purchase orders and payables, returns, price lists with quantity breaks and discount limits.',
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
        {
          _key: 'clerk',
          email: 'warehouse@shop.test',
          name: 'Warehouse',
          password: DEMO_PASSWORD,
          roles: ['warehouse_clerk'],
          manager: '@mgr',
        },
      ],
      warehouse: [
        { _key: 'sh', name: 'Shanghai main', code: 'WH-SH', city: 'Shanghai', is_default: true },
        { _key: 'bj', name: 'Beijing', code: 'WH-BJ', city: 'Beijing' },
      ],
      product: [
        { _key: 'em', name: 'Espresso machine', code: 'EM-100', category: 'hardware', unit: 'unit', list_price: 3200 },
        { _key: 'cb', name: 'Coffee beans 1 kg', code: 'CB-1KG', category: 'hardware', unit: 'bag', list_price: 180 },
        { _key: 'mf', name: 'Milk frother', code: 'MF-20', category: 'hardware', unit: 'unit', list_price: 260 },
      ],
      stock_level: [
        { product: '@em', warehouse: '@sh', on_hand: 25, available: 25 },
        { product: '@em', warehouse: '@bj', on_hand: 5, available: 5 },
        { product: '@cb', warehouse: '@sh', on_hand: 400, available: 400 },
        { product: '@mf', warehouse: '@sh', on_hand: 6, available: 6 },
      ],
      price_list: [
        {
          _key: 'std',
          name: 'Standard 2026',
          is_default: true,
          entries: [
            { product: '@cb', price: 180, min_quantity: 1 },
            { product: '@cb', price: 165, min_quantity: 50 },
          ],
        },
        {
          _key: 'trade',
          name: 'Trade customers',
          entries: [
            { product: '@em', price: 2900, min_quantity: 1 },
            { product: '@cb', price: 150, min_quantity: 1 },
          ],
        },
      ],
      discount_limit: [
        { role: 'sales_rep', max_discount: 5 },
        { role: 'sales_manager', max_discount: 15 },
      ],
      account: [
        { _key: 'cafe', _owner: '@rep', name: 'Blue Bottle Café', type: 'customer', industry: 'retail' },
        {
          _key: 'hotel',
          _owner: '@rep',
          name: 'Harbour Hotel',
          type: 'customer',
          industry: 'other',
          price_list: '@trade',
        },
        { _key: 'roaster', name: 'Yunnan Roasters', type: 'supplier', industry: 'manufacturing' },
      ],
      purchase_order: [
        {
          supplier: '@roaster',
          warehouse: '@sh',
          status: 'ordered',
          lines: [{ product: '@cb', quantity: 200, unit_cost: 95 }],
        },
      ],
    },
  });
}
