import {
  autonumber,
  bool,
  children,
  date,
  type Field,
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
  textarea,
} from '../fields';

/** The contact picker offers the chosen account's contacts (x-lookup-filter, docs/metadata.md). */
const CONTACTS_OF_ACCOUNT = { 'x-lookup-filter': { account: '$record.account' } };

/** Quote-level discount (%) above which a quote needs a sales manager's approval before it is sent. */
export const DISCOUNT_APPROVAL_THRESHOLD = 15;

const CURRENCIES = [
  ['CNY', 'Renminbi', '人民币'],
  ['USD', 'US dollar', '美元'],
  ['EUR', 'Euro', '欧元'],
] as const;

export const product: Field = object(
  'Product',
  '产品',
  'name',
  {
    name: text('Name', '产品名称'),
    code: text('Code', '产品编码', 40, { 'x-unique': true }),
    category: select('Category', '类别', [
      ['hardware', 'Hardware', '硬件'],
      ['software', 'Software', '软件'],
      ['service', 'Service', '服务'],
      ['subscription', 'Subscription', '订阅'],
    ]),
    unit: text('Unit', '单位', 20),
    list_price: money('List price', '标准价格', { minimum: 0 }),
    cost: money('Cost', '成本', { minimum: 0 }),
    active: bool('Active', '启用', { default: true }),
    description: textarea('Description', '描述'),
  },
  ['name', 'code'],
);

export const price_list: Field = object(
  'Price list',
  '价格表',
  'name',
  {
    name: text('Name', '名称'),
    currency: select('Currency', '币种', CURRENCIES, { default: 'CNY' }),
    valid_from: date('Valid from', '生效日期'),
    valid_to: date('Valid to', '失效日期'),
    active: bool('Active', '启用', { default: true }),
    entries: children('price_list_entry', 'price_list', 'Prices', '价格明细'),
    products: rollup('entries', 'count', undefined, 'Products', '产品数', { type: 'integer' }),
  },
  ['name'],
);

export const price_list_entry: Field = object(
  'Price list entry',
  '价格明细',
  'product',
  {
    price_list: lookup('price_list', 'Price list', '价格表'),
    product: lookup('product', 'Product', '产品'),
    price: money('Price', '价格', { minimum: 0 }),
    min_quantity: integer('Minimum quantity', '起订量', { minimum: 1, default: 1 }),
  },
  ['price_list', 'product', 'price'],
);

export const quote: Field = object(
  'Quote',
  '报价单',
  'number',
  {
    number: autonumber('Q-{YYYY}-{0000}', 'Number', '报价单号'),
    name: text('Name', '报价名称'),
    deal: lookup('deal', 'Deal', '商机'),
    account: lookup('account', 'Account', '客户'),
    contact: lookup('contact', 'Contact', '联系人', CONTACTS_OF_ACCOUNT),
    price_list: lookup('price_list', 'Price list', '价格表'),
    status: select(
      'Status',
      '状态',
      [
        ['draft', 'Draft', '草稿'],
        ['sent', 'Sent', '已发送'],
        ['accepted', 'Accepted', '已接受'],
        ['declined', 'Declined', '已拒绝'],
      ],
      { default: 'draft' },
    ),
    valid_until: date('Valid until', '有效期至'),
    lines: children('quote_line', 'quote', 'Lines', '报价明细'),
    subtotal: rollup('lines', 'sum', 'amount', 'Subtotal', '小计'),
    cost: rollup('lines', 'sum', 'cost', 'Cost', '成本'),
    discount: percent('Discount', '整单折扣', { minimum: 0, maximum: 100, default: 0 }),
    tax_rate: percent('Tax rate', '税率', { minimum: 0, maximum: 100, default: 13 }),
    discount_amount: formula('(record.subtotal || 0) * (record.discount || 0) / 100', 'Discount amount', '折扣金额', {
      type: 'number',
      'x-kind': 'currency',
    }),
    tax: formula(
      '((record.subtotal || 0) * (1 - (record.discount || 0) / 100)) * (record.tax_rate || 0) / 100',
      'Tax',
      '税额',
      { type: 'number', 'x-kind': 'currency' },
    ),
    total: formula(
      '((record.subtotal || 0) * (1 - (record.discount || 0) / 100)) * (1 + (record.tax_rate || 0) / 100)',
      'Total',
      '总计',
      { type: 'number', 'x-kind': 'currency' },
    ),
    // Margin before tax: what the discounted lines earn over what they cost.
    margin: formula(
      '(record.subtotal || 0) * (1 - (record.discount || 0) / 100) - (record.cost || 0)',
      'Margin',
      '毛利',
      { type: 'number', 'x-kind': 'currency' },
    ),
    terms: textarea('Terms', '条款'),
  },
  ['name', 'account'],
);

/**
 * A line without a unit price takes the quote's price list entry for the product, else the
 * product's list price (x-default-from, docs/metadata.md): the same for the form, the API and imports.
 */
const UNIT_PRICE_FROM = [
  {
    object: 'price_list_entry',
    match: { price_list: '$record.quote.price_list', product: '$record.product' },
    field: 'price',
  },
  { object: 'product', match: { id: '$record.product' }, field: 'list_price' },
];

export const quote_line: Field = object(
  'Quote line',
  '报价明细',
  'description',
  {
    quote: lookup('quote', 'Quote', '报价单'),
    product: lookup('product', 'Product', '产品'),
    description: text('Description', '描述', 500),
    quantity: number('Quantity', '数量', { minimum: 0, default: 1 }),
    unit_price: money('Unit price', '单价', { minimum: 0, 'x-default-from': UNIT_PRICE_FROM }),
    discount: percent('Line discount', '行折扣', { minimum: 0, maximum: 100, default: 0 }),
    amount: formula(
      '(record.quantity || 0) * (record.unit_price || 0) * (1 - (record.discount || 0) / 100)',
      'Amount',
      '金额',
      { type: 'number', 'x-kind': 'currency' },
    ),
    unit_cost: money('Unit cost', '单位成本', {
      minimum: 0,
      'x-default-from': [{ object: 'product', match: { id: '$record.product' }, field: 'cost' }],
    }),
    cost: formula('(record.quantity || 0) * (record.unit_cost || 0)', 'Cost', '成本', {
      type: 'number',
      'x-kind': 'currency',
    }),
    margin: formula(
      '(record.quantity || 0) * (record.unit_price || 0) * (1 - (record.discount || 0) / 100) - (record.quantity || 0) * (record.unit_cost || 0)',
      'Margin',
      '毛利',
      { type: 'number', 'x-kind': 'currency' },
    ),
  },
  ['quote', 'quantity', 'unit_price'],
);
