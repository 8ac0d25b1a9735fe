/**
 * The product-sales template's rules, as the scripts a consultant reads and edits in the designer
 * (docs/templates/product-sales.md). Stock lives on `stock_level` (product × warehouse) and moves only
 * through documents — orders reserve, delivery notes deliver, purchase orders and returns bring stock
 * in, stock adjustments correct it — each with the script API's `adjust()`: a guarded, atomic change
 * under the row's lock, held until the document's save commits. The guarded change of a movement is
 * made first, so the row is locked before its second counter moves and before anything is checked.
 * `available` is always `on_hand − reserved`; it goes below 0 only for back-ordered units.
 * Rows are visited in product order, so two documents never lock the same rows in opposite orders.
 */

const ZH = (zh: string) => `{ 'zh-CN': ${JSON.stringify(zh)} }`;

/** Shared helpers pasted at the top of the stock scripts (scripts have no imports). */
const UNITS_BY_PRODUCT = `
// Units per product of a document's lines, products sorted (the lock order).
const unitsByProduct = (lines) => {
  const units = {};
  for (const l of lines) if (l.product && (l.quantity || 0) > 0) units[l.product] = (units[l.product] || 0) + l.quantity;
  return units;
};
const levelsAt = async (warehouse, products) => {
  const out = {};
  if (!products.length) return out;
  const rows = await query('stock_level', { warehouse: { eq: warehouse }, product: { in: products } }, { limit: 200 });
  for (const r of rows) out[r.product] = r;
  return out;
};
const productName = async (id) => {
  const [p] = await query('product', { id: { eq: id } }, { limit: 1 });
  return p ? p.name : 'a product';
};`;

/**
 * The list price of a line's product for its parent (an order or a quote): the parent's price list
 * (else the default list) entry with the largest minimum quantity the line reaches, else the
 * product's list price; a line without a typed price takes it.
 */
const priceFromList = (parent: 'order' | 'quote') => `let price = null;
if (record.product) {
  const [o] = await query('${parent}', { id: { eq: record.${parent} } }, { limit: 1 });
  let list = o && o.price_list;
  if (!list) {
    const [d] = await query('price_list', { is_default: { eq: true }, active: { eq: true } }, { limit: 1 });
    list = d && d.id;
  }
  if (list) {
    const [e] = await query('price_list_entry',
      { price_list: { eq: list }, product: { eq: record.product }, min_quantity: { lte: record.quantity || 0 } },
      { sort: '-min_quantity', limit: 1 });
    if (e) price = e.price;
  }
  if (price == null) {
    const [p] = await query('product', { id: { eq: record.product } }, { limit: 1 });
    if (p) price = p.list_price;
  }
}
if (record.unit_price == null && price != null) set('unit_price', price);`;

export const productSalesScripts = {
  order_defaults: {
    object: 'order',
    event: 'beforeSave',
    order: -10,
    label: "A new order ships from the default warehouse and is priced with the customer's price list",
    'x-i18n': { 'zh-CN': { label: '新订单从默认仓库发货，并按客户的价格表定价' } },
    code: `if (!old) {
  if (!record.warehouse) {
    const [w] = await query('warehouse', { is_default: { eq: true } }, { limit: 1 });
    if (w) set('warehouse', w.id);
  }
  if (!record.price_list && record.account) {
    const [a] = await query('account', { id: { eq: record.account } }, { limit: 1 });
    if (a && a.price_list) set('price_list', a.price_list);
  }
}`,
  },

  // Confirming reserves the order's units at its warehouse (available − n, reserved + n); cancelling
  // a confirmed order releases what it has not delivered yet. A line beyond what is available
  // refuses the confirmation unless the order allows back-orders: then it is reserved anyway
  // (available goes below 0) and the shortfall is recorded in `backordered`.
  order_confirm_stock: {
    object: 'order',
    event: 'beforeSave',
    label: 'Confirming an order reserves its products at its warehouse; cancelling releases them',
    'x-i18n': { 'zh-CN': { label: '确认订单时在其仓库预留产品；取消时释放' } },
    code: `${UNITS_BY_PRODUCT}
const confirming = record.status === 'confirmed' && (!old || old.status === 'draft');
const cancelling = old && old.status === 'confirmed' && record.status === 'cancelled';
if (old && old.status !== 'draft' && old.status !== record.status && record.status === 'draft') {
  error('status', 'A confirmed order cannot go back to draft: cancel it', ${ZH('已确认的订单不能退回草稿，请取消订单')});
} else if (confirming && !old) {
  error('status', 'Save the order with its lines first, then confirm it', ${ZH('请先保存订单及明细，再确认订单')});
} else if (confirming && (record.lines_over_limit || 0) > 0 && record.approval_status !== 'approved') {
  error('status', 'A line discount is above your limit: submit the order for approval first',
    ${ZH('有明细折扣超出您的权限，请先提交订单审批')});
} else if ((confirming || cancelling) && !record.warehouse) {
  error('warehouse', 'Choose the warehouse the order ships from', ${ZH('请选择发货仓库')});
} else if (confirming || cancelling) {
  const units = unitsByProduct(await query('order_line', { order: { eq: record.id } }, { limit: 200 }));
  if (cancelling) {
    const done = await query('delivery_note_line',
      { 'delivery_note.order': { eq: record.id }, 'delivery_note.status': { eq: 'posted' } }, { limit: 200 });
    for (const [p, n] of Object.entries(unitsByProduct(done))) units[p] = (units[p] || 0) - n;
  }
  const products = Object.keys(units).sort();
  const levels = await levelsAt(record.warehouse, products);
  let short = 0;
  for (const p of products) {
    const qty = units[p];
    const level = levels[p];
    if (qty <= 0) continue;
    if (cancelling) {
      if (!level) continue;
      await adjust('stock_level', level.id, 'reserved', -qty, { min: 0 });
      await adjust('stock_level', level.id, 'available', qty);
      continue;
    }
    if (!level) {
      const name = await productName(p);
      error('status', 'The order\\'s warehouse does not stock ' + name, { 'zh-CN': '发货仓库没有该产品的库存：' + name });
      break;
    }
    const taken = await adjust('stock_level', level.id, 'available', -qty, record.allow_backorder ? {} : { min: 0 });
    if (!taken.ok) {
      error('status', 'Not enough stock: ' + taken.value + ' left of a product this order needs ' + qty + ' of',
        { 'zh-CN': '库存不足：某产品仅剩 ' + taken.value + '，本订单需要 ' + qty });
      break;
    }
    await adjust('stock_level', level.id, 'reserved', qty);
    if (taken.value < 0) short += Math.min(qty, -taken.value);
  }
  if (confirming) set('backordered', short);
}`,
  },

  // The unit price of a line: the order's price list (the customer's, else the default list) entry
  // for the product with the largest minimum quantity the line reaches (quantity breaks), else the
  // product's list price. A typed price stays, but counts as a discount: the line's discount off the
  // list price (typed price and line discount together) above the saver's limit — the highest of
  // their roles' `discount_limit` — marks the line, and the order then needs approval.
  order_line_price: {
    object: 'order_line',
    event: 'beforeSave',
    label: 'Price a line from the price list (quantity breaks) and mark discounts above the role limit',
    'x-i18n': { 'zh-CN': { label: '按价格表（数量阶梯）为订单行定价，并标记超出角色限额的折扣' } },
    code: `${priceFromList('order')}
const unit = record.unit_price == null ? price : record.unit_price;
let over = 0;
if (price > 0 && unit != null && !user.roles.includes('admin')) {
  const given = 100 * (1 - (unit * (1 - (record.discount || 0) / 100)) / price);
  if (given > 0.001) {
    const limits = await query('discount_limit', { role: { in: user.roles } }, { limit: 50 });
    const ceiling = limits.reduce((m, l) => Math.max(m, l.max_discount || 0), 0);
    if (given > ceiling + 0.001) over = 1;
  }
}
if ((record.over_limit || 0) !== over) set('over_limit', over);`,
  },

  quote_defaults: {
    object: 'quote',
    event: 'beforeSave',
    order: -10,
    label: "A new quote is priced with the customer's price list",
    'x-i18n': { 'zh-CN': { label: '新报价按客户的价格表定价' } },
    code: `if (!old && !record.price_list && record.account) {
  const [a] = await query('account', { id: { eq: record.account } }, { limit: 1 });
  if (a && a.price_list) set('price_list', a.price_list);
}`,
  },

  // Quote lines are priced like order lines (quantity breaks included); the quote's own discount
  // approval (core CRM) stays as it is.
  quote_line_price: {
    object: 'quote_line',
    event: 'beforeSave',
    label: 'Price a quote line from the price list (quantity breaks) unless a price is given',
    'x-i18n': { 'zh-CN': { label: '未填价格时按价格表（数量阶梯）为报价行定价' } },
    code: `${priceFromList('quote')}
if (record.unit_price == null && price == null)
  error('unit_price', 'Give a unit price or choose a product', ${ZH('请填写单价或选择产品')});`,
  },

  // A rep prices with the customer's list (or the default one); another list is a manager's choice.
  order_price_list: {
    object: 'order',
    event: 'validate',
    label: "Only a sales manager puts an order on another price list than the customer's",
    'x-i18n': { 'zh-CN': { label: '只有销售经理可以让订单使用客户以外的价格表' } },
    code: `if (record.price_list && (!old || old.price_list !== record.price_list)
    && !user.roles.includes('sales_manager') && !user.roles.includes('admin')) {
  const [a] = record.account ? await query('account', { id: { eq: record.account } }, { limit: 1 }) : [];
  let allowed = a && a.price_list;
  if (!allowed) {
    const [d] = await query('price_list', { is_default: { eq: true }, active: { eq: true } }, { limit: 1 });
    allowed = d && d.id;
  }
  if (record.price_list !== allowed)
    error('price_list', "Only a sales manager chooses another price list than the customer's", ${ZH('只有销售经理可以选择客户价格表以外的价格表')});
}`,
  },

  order_line_stock: {
    object: 'order_line',
    event: 'validate',
    label: 'Lines of a confirmed order do not change; warn early when a line asks for more than is available',
    'x-i18n': { 'zh-CN': { label: '已确认订单的行不能更改；订购数量超过可用库存时提前提醒' } },
    code: `if (record.order) {
  const [o] = await query('order', { id: { eq: record.order } }, { limit: 1 });
  if (o && o.status !== 'draft') {
    error('quantity', 'The order is ' + o.status + ': its lines no longer change', { 'zh-CN': '订单已' + o.status + '，明细不可修改' });
  } else if (o && o.warehouse && record.product && !o.allow_backorder) {
    const [s] = await query('stock_level', { warehouse: { eq: o.warehouse }, product: { eq: record.product } }, { limit: 1 });
    const left = s ? s.available : 0;
    if ((record.quantity || 0) > left) error('quantity', 'Only ' + left + ' in stock', { 'zh-CN': '库存仅剩 ' + left });
  }
}`,
  },

  // Posting a delivery note takes its units off the shelf (on hand − n) and out of the order's
  // reservation (reserved − n). It cannot deliver more than is on hand, nor more of a product than
  // the order still has to deliver (checked once the rows are locked, so two notes racing for the
  // same order cannot both pass).
  delivery_post: {
    object: 'delivery_note',
    event: 'beforeSave',
    label: 'Posting a delivery note takes the units from stock and from the order’s reservation',
    'x-i18n': { 'zh-CN': { label: '过账发货单时从库存和订单预留中扣减数量' } },
    code: `${UNITS_BY_PRODUCT}
const posting = record.status === 'posted' && (!old || old.status !== 'posted');
if (old && old.status === 'posted' && record.status !== 'posted') {
  error('status', 'A posted delivery note does not change: record a return instead', ${ZH('已过账的发货单不可修改，请登记退货')});
} else if (posting && !old) {
  error('status', 'Save the delivery note with its lines first, then post it', ${ZH('请先保存发货单及明细，再过账')});
} else if (posting) {
  const [o] = await query('order', { id: { eq: record.order } }, { limit: 1 });
  if (!o || o.status !== 'confirmed') {
    error('order', 'Only a confirmed order is delivered', ${ZH('只有已确认的订单可以发货')});
  } else {
    const units = unitsByProduct(await query('delivery_note_line', { delivery_note: { eq: record.id } }, { limit: 200 }));
    const products = Object.keys(units).sort();
    if (!products.length) error('status', 'The delivery note has no lines', ${ZH('发货单没有明细')});
    const levels = await levelsAt(o.warehouse, products);
    let ok = products.length > 0;
    for (const p of products) {
      const level = levels[p];
      const took = level ? await adjust('stock_level', level.id, 'on_hand', -units[p], { min: 0 }) : { ok: false, value: 0 };
      if (!took.ok) {
        const name = await productName(p);
        error('status', 'Only ' + took.value + ' of ' + name + ' on hand', { 'zh-CN': name + ' 仅有现货 ' + took.value });
        ok = false;
        break;
      }
      await adjust('stock_level', level.id, 'reserved', -units[p], { min: 0 });
    }
    if (ok) {
      const ordered = unitsByProduct(await query('order_line', { order: { eq: o.id } }, { limit: 200 }));
      const done = unitsByProduct(await query('delivery_note_line',
        { 'delivery_note.order': { eq: o.id }, 'delivery_note.status': { eq: 'posted' } }, { limit: 200 }));
      for (const p of products) {
        const left = (ordered[p] || 0) - (done[p] || 0);
        if (units[p] > left) {
          const name = await productName(p);
          error('status', 'The order has ' + left + ' of ' + name + ' left to deliver', { 'zh-CN': '订单中 ' + name + ' 仅剩 ' + left + ' 待发货' });
          break;
        }
      }
      if (!record.delivered_on) set('delivered_on', today());
    }
  }
}`,
  },

  purchase_order_supplier: {
    object: 'purchase_order',
    event: 'validate',
    label: 'Purchase orders go to supplier accounts',
    'x-i18n': { 'zh-CN': { label: '采购订单只能发给供应商客户' } },
    code: `if (record.supplier && (!old || old.supplier !== record.supplier)) {
  const [a] = await query('account', { id: { eq: record.supplier } }, { limit: 1 });
  if (!a || a.type !== 'supplier') error('supplier', 'Choose an account of type Supplier', ${ZH('请选择类型为供应商的客户')});
}`,
  },

  // Receiving a purchase order puts its units on the shelf of its warehouse (on hand + n,
  // available + n). A received order does not change (a wrong delivery is corrected with a stock
  // adjustment or a new order). Its payable is created by the rule `payable_from_purchase_order`.
  purchase_receive: {
    object: 'purchase_order',
    event: 'beforeSave',
    label: 'Receiving a purchase order adds its units to the warehouse’s stock',
    'x-i18n': { 'zh-CN': { label: '采购订单收货时将数量加入仓库库存' } },
    code: `${UNITS_BY_PRODUCT}
const receiving = record.status === 'received' && (!old || old.status !== 'received');
if (old && old.status === 'received' && record.status !== 'received') {
  error('status', 'A received purchase order does not change', ${ZH('已收货的采购单不可修改')});
} else if (receiving && !old) {
  error('status', 'Save the purchase order with its lines first, then receive it', ${ZH('请先保存采购单及明细，再收货')});
} else if (receiving) {
  const units = unitsByProduct(await query('purchase_order_line', { purchase_order: { eq: record.id } }, { limit: 200 }));
  const products = Object.keys(units).sort();
  const levels = await levelsAt(record.warehouse, products);
  for (const p of products) {
    const level = levels[p];
    if (!level) {
      const name = await productName(p);
      error('status', 'The warehouse has no stock level for ' + name + ': add one first', { 'zh-CN': '仓库中没有 ' + name + ' 的库存记录，请先添加' });
      break;
    }
    await adjust('stock_level', level.id, 'on_hand', units[p]);
    await adjust('stock_level', level.id, 'available', units[p]);
  }
  if (!record.received_on) set('received_on', today());
}`,
  },

  // Receiving a customer return puts the units back on the order's warehouse shelf (unless
  // `restock` is off: damaged goods), and its lines' total is the credit owed to the customer.
  // A return never takes back more of a product than was delivered and not returned yet.
  return_receive: {
    object: 'sales_return',
    event: 'beforeSave',
    label: 'Receiving a return puts the units back in stock; it never returns more than was delivered',
    'x-i18n': { 'zh-CN': { label: '退货收货时将数量放回库存；退货数量不超过已发货数量' } },
    code: `${UNITS_BY_PRODUCT}
const receiving = record.status === 'received' && (!old || old.status !== 'received');
if (old && old.status === 'received' && record.status !== 'received') {
  error('status', 'A received return does not change', ${ZH('已收货的退货单不可修改')});
} else if (receiving && !old) {
  error('status', 'Save the return with its lines first, then receive it', ${ZH('请先保存退货单及明细，再收货')});
} else if (receiving) {
  const [o] = await query('order', { id: { eq: record.order } }, { limit: 1 });
  const units = unitsByProduct(await query('return_line', { sales_return: { eq: record.id } }, { limit: 200 }));
  const products = Object.keys(units).sort();
  const levels = o ? await levelsAt(o.warehouse, products) : {};
  let ok = Boolean(o);
  if (!o) error('order', 'Choose the order the goods come back from', ${ZH('请选择退货对应的订单')});
  if (ok && record.restock) {
    for (const p of products) {
      const level = levels[p];
      if (!level) continue;
      await adjust('stock_level', level.id, 'on_hand', units[p]);
      await adjust('stock_level', level.id, 'available', units[p]);
    }
  }
  if (ok) {
    const delivered = unitsByProduct(await query('delivery_note_line',
      { 'delivery_note.order': { eq: o.id }, 'delivery_note.status': { eq: 'posted' } }, { limit: 200 }));
    const returned = unitsByProduct(await query('return_line',
      { 'sales_return.order': { eq: o.id }, 'sales_return.status': { eq: 'received' } }, { limit: 200 }));
    for (const p of products) {
      const left = (delivered[p] || 0) - (returned[p] || 0);
      if (units[p] > left) {
        const name = await productName(p);
        error('status', 'Only ' + left + ' of ' + name + ' were delivered and not returned', { 'zh-CN': name + ' 已发货且未退回的仅 ' + left });
        break;
      }
    }
    if (!record.received_on) set('received_on', today());
  }
}`,
  },

  // A stock count or a correction: the difference goes to on hand and available together.
  stock_adjustment_post: {
    object: 'stock_adjustment',
    event: 'beforeSave',
    label: 'A stock adjustment moves on-hand and available stock of one product at one warehouse',
    'x-i18n': { 'zh-CN': { label: '库存调整变更一个仓库中一个产品的现有和可用库存' } },
    code: `if (old) {
  error('quantity', 'Stock adjustments do not change once saved: record another one', ${ZH('库存调整保存后不可修改，请另做一笔调整')});
} else if (record.product && record.warehouse && record.quantity) {
  const [level] = await query('stock_level', { warehouse: { eq: record.warehouse }, product: { eq: record.product } }, { limit: 1 });
  if (!level) {
    error('product', 'The warehouse has no stock level for this product: add one first', ${ZH('该仓库没有此产品的库存记录，请先添加')});
  } else {
    const moved = await adjust('stock_level', level.id, 'on_hand', record.quantity, { min: 0 });
    if (!moved.ok) error('quantity', 'Only ' + moved.value + ' on hand', { 'zh-CN': '现货仅 ' + moved.value });
    else await adjust('stock_level', level.id, 'available', record.quantity);
  }
}`,
  },
};
