import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

/**
 * Every template's full sample data (issue 23): a tenant created with `sampleData: true` has
 * hundreds of records over 18 months, so every widget of every role's home dashboard shows real
 * figures on the first login; the templates' own reports agree with SQL written here over the same
 * rows; and the generator is deterministic (two tenants, the same data).
 * The other test files keep sample data to the named records (tests/support/test-server.ts).
 */
let server: TestServer;
const tenants: Record<string, TestTenant> = {};
const created: TestTenant[] = [];
const asOf = new Date().toISOString().slice(0, 10);
const PASSWORD = 'forma-demo';

type Report = {
  object: string;
  filter?: Record<string, Record<string, unknown>>;
  groupBy: Array<{ field: string; bucket?: string; as?: string }>;
  aggregates: Array<{ fn: string; field?: string; as: string }>;
};

/** Each template: the people whose home dashboards are checked, and its own reports. */
const TEMPLATES: Record<string, { users: string[]; reports: string[] }> = {
  'core-crm': {
    users: ['rep1@demo.test', 'manager@demo.test', 'director@demo.test', 'service@demo.test', 'finance@demo.test'],
    reports: ['pipeline_by_month', 'open_activities', 'collections_by_month', 'won_by_month', 'cases_by_status'],
  },
  'product-sales': {
    users: ['rep@shop.test', 'manager@shop.test', 'agent1@shop.test', 'finance@shop.test'],
    reports: ['sales_by_product', 'orders_by_channel', 'orders_by_month', 'pipeline_by_month'],
  },
  'project-sales': {
    users: ['am@b2b.test', 'director@b2b.test', 'agent1@b2b.test', 'finance@b2b.test'],
    reports: ['weighted_pipeline', 'milestones_by_status', 'won_by_owner'],
  },
  membership: {
    users: ['members@club.test', 'clerk@club.test', 'clerk2@club.test'],
    reports: [
      'members_by_tier',
      'members_by_status',
      'new_members_by_month',
      'member_sales_by_month',
      'points_by_month',
      'renewals_by_month',
    ],
  },
};

beforeAll(async () => {
  server = await startTestServer({
    plugins: [{ kind: 'module', specifier: '@forma/plugin-core-crm', origin: 'workspace' }],
    // The templates' scripts run on every sample save; their 1 s wall-clock limit (queries
    // included) is not what this file checks, and on a busy CI machine it refused saves of
    // product sales' purchase orders ("timed out after 1000 ms"). Their rules still apply.
    runtimeConfig: { sampleData: { volume: 'full' }, scripts: { timeoutMs: 15_000 } },
  });
}, 300_000);
afterAll(async () => {
  for (const t of created) await server?.platform.delete(`/api/tenants/${t.id}`, { query: { confirm: t.id } });
  await server?.close();
});

async function tenantWith(template: string): Promise<TestTenant> {
  const started = Date.now();
  const t = await createTestTenant(server, { prefix: template.replace('-', ''), template, sampleData: true });
  // Reported, not asserted (no timing assertions): docs/templates/README.md quotes these figures.
  console.info(`tenant from ${template} with full sample data: ${Date.now() - started} ms`);
  created.push(t);
  return t;
}

const sql = async (t: TestTenant, query: string, bindings: unknown[] = []) =>
  (await server.runtime.db.raw(query.replaceAll('$S', `"t_${t.id}"`), bindings as never)).rows as Record<
    string,
    unknown
  >[];

const runReport = async (api: ApiClient, name: string) => {
  const res = await api.post(`/api/reports/${name}/run`, { asOf });
  expect(res.status, `${name}: ${res.text}`).toBe(200);
  return res.body.rows as Record<string, unknown>[];
};

/**
 * The report's rows computed here straight from its definition in SQL (plain group-bys, month
 * buckets, sum/count/avg, eq/ne/nin filters), independently of the report engine.
 */
function reportSql(def: Report): { query: string; bindings: unknown[] } {
  const bindings: unknown[] = [];
  const id = (name: string) => `"${name.replaceAll('"', '')}"`;
  const groups = def.groupBy.map((g) =>
    g.bucket === 'month' ? `to_char(${id(g.field)}, 'YYYY-MM')` : `${id(g.field)}::text`,
  );
  const where = ['deleted_at is null'];
  for (const [field, ops] of Object.entries(def.filter ?? {})) {
    for (const [op, value] of Object.entries(ops)) {
      if (op === 'eq') where.push(`${id(field)} = ?`);
      else if (op === 'ne') where.push(`${id(field)} is distinct from ?`);
      else if (op === 'nin') where.push(`not (${id(field)} = any(?))`);
      else throw new Error(`reportSql: no ${op}`);
      bindings.push(value);
    }
  }
  const measures = def.aggregates.map((a) =>
    a.fn === 'count' ? `count(*) as ${id(a.as)}` : `${a.fn}(${id(a.field!)}) as ${id(a.as)}`,
  );
  return {
    query: `select ${groups.map((g, i) => `${g} as g${i}`).join(', ')}, ${measures.join(', ')}
              from $S.${id(def.object)} where ${where.join(' and ')} group by ${groups.map((_, i) => i + 1).join(', ')}`,
    bindings,
  };
}

const num = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 100) / 100);

describe.each(Object.keys(TEMPLATES))('template %s with its full sample data', (template) => {
  let t: TestTenant;
  beforeAll(async () => {
    t = await tenantWith(template);
    tenants[template] = t;
  }, 600_000);

  it('has hundreds of records and a small org chart', async () => {
    const tables = await sql(
      t,
      `select table_name from information_schema.tables where table_schema = ? and table_type = 'BASE TABLE'
         and table_name not like '\\_%'`,
      [`t_${t.id}`],
    );
    let n = 0;
    for (const { table_name } of tables)
      n += Number((await sql(t, `select count(*) as n from $S."${String(table_name)}"`))[0]!.n);
    expect(Number(n)).toBeGreaterThan(300);
    const users = (await t.api.get('/api/users', { query: { limit: 100 } })).body.items as Array<{
      id: string;
      manager?: string;
    }>;
    // A hierarchy: several levels of managers, not a flat list.
    const depth = (u: { manager?: string } | undefined, d = 0): number =>
      u?.manager
        ? depth(
            users.find((x) => x.id === u.manager),
            d + 1,
          )
        : d;
    expect(Math.max(...users.map((u) => depth(u)))).toBeGreaterThanOrEqual(2);
  });

  it('gives every role a home dashboard whose every widget shows real figures', async () => {
    for (const email of [t.admin.email, ...TEMPLATES[template]!.users]) {
      const api = email === t.admin.email ? t.api : await t.login(email, PASSWORD);
      const home = (await api.get('/api/dashboards/home')).body.dashboard;
      expect(home, `${email} has a dashboard`).not.toBeNull();
      expect(home.widgets.length).toBeGreaterThanOrEqual(2);
      for (const w of home.widgets as Array<{ report: string }>) {
        const rows = await runReport(api, w.report);
        const figures = rows.flatMap((r) => Object.values(r)).filter((v) => typeof v === 'number' && v > 0);
        expect(figures.length, `${email}: ${home.name} / ${w.report}`).toBeGreaterThan(0);
      }
    }
  });

  it("the template's reports match SQL over the same rows", async () => {
    const meta = (await t.api.get('/api/meta')).body;
    for (const name of TEMPLATES[template]!.reports) {
      const def = meta.reports[name] as Report;
      expect(def, name).toBeDefined();
      const got = await runReport(t.api, name);
      const { query, bindings } = reportSql(def);
      const expected = await sql(t, query, bindings);
      const key = (r: Record<string, unknown>, fromSql: boolean) =>
        def.groupBy.map((g, i) => String(fromSql ? r[`g${i}`] : r[g.as ?? g.field])).join('|');
      const measures = (r: Record<string, unknown>) => def.aggregates.map((a) => num(r[a.as]));
      expect(Object.fromEntries(got.map((r) => [key(r, false), measures(r)])), name).toEqual(
        Object.fromEntries(expected.map((r) => [key(r, true), measures(r)])),
      );
      expect(got.length, name).toBeGreaterThan(0);
    }
  });
});

describe('core CRM sample data in detail', () => {
  it('spreads deals over 18 months through every stage, with quotes, contracts, orders and payments', async () => {
    const t = tenants['core-crm']!;
    const stages = await sql(t, 'select stage, count(*) as n from $S.deal where deleted_at is null group by stage');
    for (const s of ['prospecting', 'qualification', 'proposal', 'negotiation', 'won', 'lost'])
      expect(Number(stages.find((r) => r.stage === s)?.n ?? 0), s).toBeGreaterThanOrEqual(3);
    const [span] = await sql(
      t,
      `select count(distinct to_char(close_on, 'YYYY-MM')) as months from $S.deal where stage = 'won' and close_on >= ?::date - 560`,
      [asOf],
    );
    expect(Number(span!.months)).toBeGreaterThanOrEqual(15);
    for (const table of ['quote', 'quote_line', 'contract', 'order', 'receivable', 'payment', 'campaign', 'lead'])
      expect(Number((await sql(t, `select count(*) as n from $S."${table}"`))[0]!.n), table).toBeGreaterThan(9);
  });

  it('scores its accounts (RFM) as of 30 days ago and today, so the segment movement shows something', async () => {
    const t = tenants['core-crm']!;
    const days = await sql(
      t,
      'select taken_on::text as d, count(*)::int as n from $S._rfm_snapshots group by 1 order by 1',
    );
    const day = (n: number) => new Date(Date.parse(`${asOf}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);
    expect(days.map((r) => r.d)).toEqual([day(30), asOf]);
    for (const r of days) expect(r.n).toBeGreaterThan(9);
    const [scored] = await sql(
      t,
      'select count(*)::int as n, count(distinct rfm_segment)::int as segments from $S.account where rfm_scored_on = ?',
      [asOf],
    );
    expect(scored?.n).toBe(days[1]?.n);
    expect(scored?.segments).toBeGreaterThan(2);
    const movement = await runReport(t.api, 'rfm_movement');
    expect(movement.reduce((s, r) => s + Number(r.customers), 0)).toBeGreaterThan(9);
  });

  it('has open balances in every aging bucket, and activities due today and overdue', async () => {
    const t = tenants['core-crm']!;
    const aging = await runReport(t.api, 'receivables_aging');
    expect(aging.map((r) => r.age).sort()).toEqual(['1-30', '181+', '31-60', '61-90', '91-180', 'current']);
    const due = await sql(
      t,
      `select due_state, count(*) as n from $S.activity where status = 'open' and deleted_at is null group by 1`,
    );
    const count = (s: string) => Number(due.find((r) => r.due_state === s)?.n ?? 0);
    expect(count('today')).toBeGreaterThanOrEqual(5);
    expect(count('overdue')).toBeGreaterThanOrEqual(5);
    const closed = await sql(
      t,
      `select count(*) as n from $S.survey_response r join $S.service_case c on c.id = r.service_case where c.status = 'closed'`,
    );
    expect(Number(closed[0]!.n)).toBeGreaterThan(20);
  });

  it("gives line items their record's owner, so a rep sees the lines of their own quotes and orders", async () => {
    for (const [template, child, parent, via] of [
      ['core-crm', 'quote_line', 'quote', 'quote'],
      ['core-crm', 'payment', 'receivable', 'receivable'],
      ['product-sales', 'order_line', 'order', 'order'],
    ] as const) {
      const t = tenants[template]!;
      const [row] = await sql(
        t,
        `select count(*) as lines, count(*) filter (where l.owner <> p.owner) as others
           from $S."${child}" l join $S."${parent}" p on p.id = l."${via}"`,
      );
      expect(Number(row!.lines), child).toBeGreaterThan(20);
      expect(Number(row!.others), child).toBe(0);
    }
    const t = tenants['product-sales']!;
    const rep = await t.login('rep@shop.test', PASSWORD);
    const [order] = (await rep.get('/api/records/order', { query: { limit: 1, sort: '-amount' } })).body.items;
    const lines = await sql(t, 'select count(*) as n from $S.order_line where "order" = ?', [order.id]);
    expect((await rep.get(`/api/records/order/${order.id}`)).body.lines).toHaveLength(Number(lines[0]!.n));
  });

  it("follows the templates' rules: orders went through stock, members earn from purchases, deals name their decision makers", async () => {
    // Product sales: every order was confirmed from a draft (reserving), older ones delivered by
    // posted delivery notes of exactly their lines; stock counters stay consistent; purchase orders
    // were received into stock and became payables.
    const ps = tenants['product-sales']!;
    const statuses = await sql(ps, `select status, count(*) as n from $S."order" group by 1`);
    const count = (s: string) => Number(statuses.find((r) => r.status === s)?.n ?? 0);
    expect(count('delivered')).toBeGreaterThan(20);
    expect(count('confirmed')).toBeGreaterThan(0);
    const undelivered = await sql(
      ps,
      `select o.id from $S."order" o
        where o.status in ('shipped', 'delivered') and o.deleted_at is null
          and coalesce((select sum(quantity) from $S.order_line l where l."order" = o.id), 0)
           <> coalesce((select sum(dl.quantity) from $S.delivery_note_line dl join $S.delivery_note d on d.id = dl.delivery_note
                         where d."order" = o.id and d.status = 'posted'), 0)`,
    );
    expect(undelivered).toEqual([]);
    const [levels] = await sql(
      ps,
      `select count(*) as n, count(*) filter (where available <> on_hand - reserved or on_hand < 0 or reserved < 0) as bad,
              sum(reserved) as reserved from $S.stock_level`,
    );
    expect(Number(levels!.bad)).toBe(0);
    const [open] = await sql(
      ps,
      `select coalesce(sum(l.quantity), 0) as n from $S.order_line l join $S."order" o on o.id = l."order" where o.status = 'confirmed'`,
    );
    expect(Number(levels!.reserved)).toBe(Number(open!.n));
    const [po] = await sql(
      ps,
      `select count(*) filter (where status = 'received') as received, (select count(*) from $S.payable) as payables from $S.purchase_order`,
    );
    expect(Number(po!.received)).toBeGreaterThan(5);
    const [rma] = await sql(ps, `select count(*) filter (where status = 'received') as n from $S.sales_return`);
    expect(Number(rma!.n)).toBeGreaterThan(3);
    expect(Number(po!.payables)).toBeGreaterThanOrEqual(Number(po!.received));

    // Membership: points come from purchases (one entry each), balances equal the ledger, never negative.
    const ms = tenants.membership!;
    const [ledger] = await sql(
      ms,
      `select (select count(*) from $S.purchase) as purchases,
              (select count(*) from $S.points_entry where reason = 'purchase') as earned,
              (select count(*) from $S.points_entry where reason = 'refund') as refunds,
              (select count(*) from $S.points_entry where reason = 'redeem') as redemptions,
              (select count(*) from $S.member m where m.points < 0 or m.points <>
                 coalesce((select sum(points) from $S.points_entry e where e.member = m.id), 0)) as off`,
    );
    expect(Number(ledger!.purchases)).toBeGreaterThan(100);
    expect(Number(ledger!.earned)).toBe(Number(ledger!.purchases));
    expect(Number(ledger!.refunds)).toBeGreaterThan(0);
    expect(Number(ledger!.redemptions)).toBeGreaterThan(10);
    expect(Number(ledger!.off)).toBe(0);

    // Project sales: every deal contracting or won names its decision maker; deals meet competitors.
    const pj = tenants['project-sales']!;
    const [deals] = await sql(
      pj,
      `select count(*) filter (where stage in ('contracting', 'won')) as late,
              count(*) filter (where stage in ('contracting', 'won') and not exists (select 1 from $S.deal_contact_role r
                 where r.deal = d.id and r.role = 'decision_maker')) as blind,
              (select count(*) from $S.deal_competitor) as rivals
         from $S.deal d`,
    );
    expect(Number(deals!.late)).toBeGreaterThan(20);
    expect(Number(deals!.blind)).toBe(0);
    expect(Number(deals!.rivals)).toBeGreaterThan(20);
    // Service contracts in every state, the reminders' by the template's own rules at creation.
    const states = await sql(pj, 'select distinct status from $S.service_contract');
    expect(states.map((r) => r.status).sort()).toEqual(expect.arrayContaining(['active', 'expired', 'renewed']));

    // Every template on the core: campaign cost is the sum of approved expense lines, reps have claims.
    for (const t of [tenants['core-crm']!, ps, pj]) {
      const [exp] = await sql(
        t,
        `select (select count(*) from $S.campaign where cost > 0) as costed,
                (select count(*) from $S.campaign c where coalesce(c.cost, 0) <> coalesce((select sum(amount)
                   from $S.expense_line l where l.campaign = c.id and l.approved), 0)) as off,
                (select count(distinct owner) from $S.expense_claim where title like 'Customer visits%') as claimants`,
      );
      expect(Number(exp!.costed)).toBeGreaterThan(5);
      expect(Number(exp!.off)).toBe(0);
      expect(Number(exp!.claimants)).toBeGreaterThan(3);
    }
  });

  it('is deterministic: a second tenant from the template holds the same data', async () => {
    const a = tenants['core-crm']!;
    const b = await tenantWith('core-crm');
    const digest = async (t: TestTenant) => ({
      deals: await sql(
        t,
        `select d.name, d.amount, d.stage, d.close_on::text, u.email from $S.deal d join $S._users u on u.id = d.owner order by d.name`,
      ),
      receivables: await sql(
        t,
        `select a.name, r.amount, r.due_on::text, r.paid from $S.receivable r join $S.account a on a.id = r.account order by 1, 2, 3`,
      ),
      cases: await sql(
        t,
        `select c.subject, c.status, c.priority, a.name from $S.service_case c join $S.account a on a.id = c.account order by 4, 1, 2, 3`,
      ),
      users: await sql(
        t,
        `select u.email, m.email as manager from $S._users u left join $S._users m on m.id = u.manager where u.email not like 'admin@%' order by 1`,
      ),
    });
    const [da, db] = [await digest(a), await digest(b)];
    expect(da.deals.length).toBeGreaterThan(200);
    expect(db).toEqual(da);
  }, 600_000);
});
