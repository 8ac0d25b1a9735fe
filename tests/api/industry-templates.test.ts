import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

/**
 * The three industry templates: each tenant is created with `POST /api/tenants {template,
 * sampleData}` and its main flow is run through the API as the template's own users.
 */
let server: TestServer;
const tenants: TestTenant[] = [];
const PASSWORD = 'forma-demo';
const f = (filter: unknown) => ({ filter: JSON.stringify(filter) });

beforeAll(async () => {
  server = await startTestServer({
    plugins: [{ kind: 'module', specifier: '@forma/plugin-core-crm', origin: 'workspace' }],
  });
}, 300_000);
afterAll(async () => {
  for (const t of tenants) await server?.platform.delete(`/api/tenants/${t.id}`, { query: { confirm: t.id } });
  await server?.close();
});

async function tenantWith(template: string): Promise<TestTenant> {
  const t = await createTestTenant(server, { prefix: template.replace('-', ''), template, sampleData: true });
  tenants.push(t);
  return t;
}

describe('product sales (distribution & retail)', () => {
  let t: TestTenant;
  let rep: ApiClient;
  let fin: ApiClient;
  beforeAll(async () => {
    t = await tenantWith('product-sales');
    rep = await t.login('rep@shop.test', PASSWORD);
    fin = await t.login('finance@shop.test', PASSWORD);
  }, 300_000);

  it('orders from the catalogue: lines priced from the product, stock checked, totals rolled up', async () => {
    const products = Object.fromEntries(
      (await rep.get('/api/records/product')).body.items.map((p: any) => [p.code, p.id]),
    );
    const cafe = (await rep.get('/api/records/account', { query: f({ name: { eq: 'Blue Bottle Café' } }) })).body
      .items[0];
    const order = await rep.post('/api/records/order', { account: cafe.id, channel: 'retail' });
    expect(order.status, order.text).toBe(201);
    const line = (body: Record<string, unknown>) =>
      rep.post('/api/records/order_line', { order: order.body.id, ...body });
    const l1 = await line({ product: products['EM-100'], quantity: 2 });
    expect(l1.status, l1.text).toBe(201);
    expect(Number(l1.body.unit_price)).toBe(3200);
    expect(Number(l1.body.amount)).toBe(6400);
    expect((await line({ product: products['CB-1KG'], quantity: 10, unit_price: 170 })).status).toBe(201);
    const tooMany = await line({ product: products['MF-20'], quantity: 10 });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.fields.quantity).toMatch(/Only 6 in stock/);
    const saved = (await rep.get(`/api/records/order/${order.body.id}`)).body;
    expect(Number(saved.amount)).toBe(8100);
    expect(saved.number).toMatch(/^SO-\d{4}-\d{4}$/);
  });

  it('bills the order and ages the receivable; reps cannot touch finance records', async () => {
    const order = (await fin.get('/api/records/order')).body.items[0];
    const ar = await fin.post('/api/records/receivable', {
      account: order.account,
      order: order.id,
      due_on: '2020-01-31',
      amount: 8100,
      payments: [{ paid_on: '2020-02-10', amount: 3000, method: 'wechat' }],
    });
    expect(ar.status, ar.text).toBe(201);
    await server.plugins!.runJob('core-crm.receivables-aging', undefined, { tenants: [t.id] });
    const aged = (await fin.get(`/api/records/receivable/${ar.body.id}`)).body;
    expect(Number(aged.paid)).toBe(3000);
    expect(aged.aging).toBe('d180_plus');
    expect(
      (await rep.post('/api/records/receivable', { account: order.account, due_on: '2030-01-01', amount: 1 })).status,
    ).toBe(403);
    expect((await rep.delete(`/api/records/order/${order.id}`)).status).toBe(403);
  });
});

describe('consultative project sales (B2B)', () => {
  let t: TestTenant;
  let am: ApiClient;
  let director: ApiClient;
  let finance: ApiClient;
  beforeAll(async () => {
    t = await tenantWith('project-sales');
    am = await t.login('am@b2b.test', PASSWORD);
    director = await t.login('director@b2b.test', PASSWORD);
    finance = await t.login('finance@b2b.test', PASSWORD);
  }, 300_000);

  it('moves a deal through the consultative stages', async () => {
    const deal = (await am.get('/api/records/deal')).body.items[0];
    expect(deal).toMatchObject({ stage: 'solution' });
    expect(Number(deal.probability)).toBe(30);
    const noContact = await am.post('/api/records/deal', {
      name: 'Quick one',
      account: deal.account,
      stage: 'contracting',
      amount: 1,
    });
    expect(noContact.status).toBe(400);
    expect(noContact.body.error.fields.contact_roles).toMatch(/decision maker/);
    const won = await am.patch(
      `/api/records/deal/${deal.id}`,
      { stage: 'won' },
      { headers: { 'if-match': String(deal.version) } },
    );
    expect(won.status, won.text).toBe(200);
    expect(Number(won.body.probability)).toBe(100);
  });

  it('approves a large contract through manager then finance, then bills it by milestones', async () => {
    const deal = (await am.get('/api/records/deal')).body.items[0];
    const contract = await am.post('/api/records/contract', {
      name: 'Core banking modernisation — SOW',
      account: deal.account,
      deal: deal.id,
      value: 2400000,
      start_on: '2030-07-01',
      end_on: '2031-06-30',
      milestones: [
        { name: 'Design sign-off', amount: 600000, due_on: '2030-09-30' },
        { name: 'Go-live', amount: 1200000, due_on: '2031-03-31' },
        { name: 'Hypercare', amount: 600000, due_on: '2031-06-30' },
      ],
    });
    expect(contract.status, contract.text).toBe(201);
    const id = contract.body.id;
    const full = (await am.get(`/api/records/contract/${id}`)).body;
    expect(Number(full.milestones_total)).toBe(2400000);
    expect(full.status).toBe('draft');

    const submitted = await am.post(`/api/records/contract/${id}/submit`, { comment: 'Signed SOW attached' });
    expect(submitted.status, submitted.text).toBe(201);
    // Pending approval: locked against edits.
    expect((await am.patch(`/api/records/contract/${id}`, { terms: 'x' })).status).toBe(409);

    const approveNext = async (who: ApiClient) => {
      const inbox = (await who.get('/api/approvals/inbox')).body.items.filter((i: any) => i.record === id);
      expect(inbox).toHaveLength(1);
      const r = await who.post(`/api/approvals/tasks/${inbox[0].task}/approve`, { comment: 'OK' });
      expect(r.status, r.text).toBe(200);
    };
    expect((await finance.get('/api/approvals/inbox')).body.items).toHaveLength(0);
    await approveNext(director);
    // Above 500,000 finance approves too.
    await approveNext(finance);
    const active = (await am.get(`/api/records/contract/${id}`)).body;
    expect(active).toMatchObject({ status: 'active', approval_status: 'approved' });

    const milestone = active.milestones.find((m: any) => m.name === 'Design sign-off');
    const early = await am.patch(
      `/api/records/milestone/${milestone.id}`,
      { status: 'invoiced' },
      {
        headers: { 'if-match': String(milestone.version) },
      },
    );
    expect(early.status).toBe(400);
    expect(early.body.error.fields.status).toMatch(/accept/);
    const accepted = await am.patch(
      `/api/records/milestone/${milestone.id}`,
      { status: 'accepted' },
      {
        headers: { 'if-match': String(milestone.version) },
      },
    );
    expect(accepted.status, accepted.text).toBe(200);
    // A milestone's progress leaves the contract approved; a change of its value sends it back.
    expect((await am.get(`/api/records/contract/${id}`)).body.approval_status).toBe('approved');
    const bigger = await am.patch(`/api/records/contract/${id}`, { value: 2500000 });
    expect(bigger.status, bigger.text).toBe(200);
    expect(bigger.body.approval_status).toBe('pending');
  });
});

describe('membership (B2C)', () => {
  let t: TestTenant;
  let clerk: ApiClient;
  beforeAll(async () => {
    t = await tenantWith('membership');
    clerk = await t.login('clerk@club.test', PASSWORD);
  }, 300_000);

  it('keeps points and tier in line with the purchases and redemptions recorded', async () => {
    const sample = (await clerk.get('/api/records/member', { query: f({ phone: { eq: '13800000001' } }) })).body
      .items[0];
    expect(sample).toMatchObject({ tier: 'gold', points: 5700, status: 'active' });

    const m = await clerk.post('/api/records/member', {
      name: 'Lu Xun',
      phone: '13900000009',
      expires_on: '2030-12-31',
    });
    expect(m.status, m.text).toBe(201);
    expect(m.body).toMatchObject({ tier: 'bronze', points: 0, number: 'M-000003' });
    const buy = (amount: number) =>
      clerk.post('/api/records/purchase', { member: m.body.id, amount, purchased_on: '2030-01-05' });
    const entry = (points: number, reason: string) =>
      clerk.post('/api/records/points_entry', { member: m.body.id, points, reason, occurred_on: '2030-01-05' });
    expect((await buy(1200)).status).toBe(201);
    expect((await clerk.get(`/api/records/member/${m.body.id}`)).body).toMatchObject({ points: 1200, tier: 'silver' });
    expect((await buy(4000)).status).toBe(201);
    expect((await clerk.get(`/api/records/member/${m.body.id}`)).body).toMatchObject({ points: 5200, tier: 'gold' });
    const over = await entry(-6000, 'redeem');
    expect(over.status).toBe(400);
    expect(over.body.error.fields.points).toMatch(/5200/);
    expect((await entry(-4500, 'redeem')).status).toBe(201);
    // Redeeming spends the balance; the tier follows lifetime spend and qualifying points, so it stays.
    expect((await clerk.get(`/api/records/member/${m.body.id}`)).body).toMatchObject({ points: 700, tier: 'gold' });
    // Only the transactions move points: the clerk may not set them (nor the tier) directly.
    const cur = (await clerk.get(`/api/records/member/${m.body.id}`)).body;
    const direct = await clerk.patch(
      `/api/records/member/${m.body.id}`,
      { points: 99999 },
      {
        headers: { 'if-match': String(cur.version) },
      },
    );
    expect(direct.status).toBe(403);
  });

  it('renews memberships and marks lapsed ones expired', async () => {
    const lapsed = await clerk.post('/api/records/member', {
      name: 'Old Friend',
      phone: '13900000010',
      expires_on: '2020-01-01',
    });
    expect(lapsed.body.status).toBe('expired');
    const renewal = await clerk.post('/api/records/renewal', {
      member: lapsed.body.id,
      starts_on: '2020-01-02',
      ends_on: '2099-01-01',
      fee: 199,
      channel: 'wechat',
    });
    expect(renewal.status, renewal.text).toBe(201);
    expect((await clerk.get(`/api/records/member/${lapsed.body.id}`)).body).toMatchObject({
      expires_on: '2099-01-01',
      status: 'active',
    });
    const backwards = await clerk.post('/api/records/renewal', {
      member: lapsed.body.id,
      starts_on: '2030-01-02',
      ends_on: '2030-01-01',
    });
    expect(backwards.status).toBe(400);
  });
});
