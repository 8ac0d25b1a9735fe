import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

/**
 * Expenses and credit limits of the core CRM (issue 23), through a real server on a core-crm
 * tenant with sample data: claims with lines and receipts approved by the manager and, above
 * 5,000, by finance; a campaign's cost is the sum of its approved expense lines; the expense
 * statistics compared with SQL; orders above an account's credit limit need finance's approval.
 */
type User = { id: string; api: ApiClient };

let server: TestServer;
let t: TestTenant;
let manager: User;
let rep: User;
let rep2: User;
let finance: User;
let account: string;
let campaign: string;

const sql = async (query: string, bindings: unknown[] = []) =>
  (await server.runtime.db.raw(query.replaceAll('$S', `"t_${t.id}"`), bindings as never)).rows as Record<
    string,
    unknown
  >[];

async function taskOf(user: User, recordId: string): Promise<string> {
  const r = await user.api.get('/api/approvals/inbox');
  expect(r.status, r.text).toBe(200);
  const item = r.body.items.find((i: { record: string }) => i.record === recordId);
  expect(item, `no task for ${recordId}`).toBeTruthy();
  return item.task;
}
const hasTask = async (user: User, recordId: string) =>
  (await user.api.get('/api/approvals/inbox')).body.items.some((i: { record: string }) => i.record === recordId);

const upload = (api: ApiClient, path: string, body: string) =>
  fetch(new URL(path, api.baseUrl), {
    method: 'POST',
    headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/octet-stream' },
    body,
  });

async function claim(who: User, lines: Array<Record<string, unknown>>, title = 'Customer visit') {
  const r = await who.api.post('/api/records/expense_claim', { title, lines });
  expect(r.status, r.text).toBe(201);
  const lineRows = (
    await who.api.get('/api/records/expense_line', {
      query: { filter: JSON.stringify({ claim: { eq: r.body.id } }), sort: 'amount' },
    })
  ).body.items as Array<{ id: string; amount: number }>;
  return { id: r.body.id as string, lines: lineRows };
}

async function withReceipts(who: User, lines: Array<{ id: string }>) {
  for (const l of lines) {
    const up = await upload(who.api, `/api/records/expense_line/${l.id}/files?name=receipt.txt`, 'receipt');
    expect(up.status).toBe(201);
  }
}

const costOf = async (id: string) => Number((await t.api.get(`/api/records/campaign/${id}`)).body.cost);
const get = async (who: User, object: string, id: string) => (await who.api.get(`/api/records/${object}/${id}`)).body;

beforeAll(async () => {
  server = await startTestServer({
    plugins: [{ kind: 'module', specifier: '@forma/plugin-core-crm', origin: 'workspace' }],
  });
  t = await createTestTenant(server, { prefix: 'expn', template: 'core-crm', sampleData: true });
  const mk = async (roles: string[], name: string, mgr?: string) => {
    const u = await t.addUser({ roles, name, ...(mgr ? { manager: mgr } : {}) });
    return { id: u.id, api: u.api };
  };
  manager = await mk(['sales_manager'], 'Mia Manager');
  rep = await mk(['sales_rep'], 'Ray Rep', manager.id);
  rep2 = await mk(['sales_rep'], 'Rosa Rep', manager.id);
  finance = await mk(['finance'], 'Fei Finance');
  const a = await rep.api.post('/api/records/account', { name: 'Harbour Logistics' });
  expect(a.status, a.text).toBe(201);
  account = a.body.id;
  const c = await manager.api.post('/api/records/campaign', { name: 'Logistics summit', budget: 20000 });
  expect(c.status, c.text).toBe(201);
  campaign = c.body.id;
}, 300_000);
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${t?.id}`, { query: { confirm: t?.id } });
  await server?.close();
});

describe('expense claims', () => {
  it("sample campaigns' costs come from approved expenses, not typed", async () => {
    const expo = (
      await t.api.get('/api/records/campaign', {
        query: { filter: JSON.stringify({ name: { eq: 'Industrial Expo Shanghai' } }) },
      })
    ).body.items[0];
    expect(Number(expo.cost)).toBe(76000);
    const typed = await t.api.patch(`/api/records/campaign/${expo.id}`, { cost: 1 });
    expect(typed.status, typed.text).toBe(400);
    expect(typed.body.error.fields.cost).toBeTruthy();
  });

  it('a line above 200 needs a receipt before submitting; the manager approves; the campaign cost follows', async () => {
    const c = await claim(rep, [
      { spent_on: '2026-11-02', category: 'meals', description: 'Lunch', amount: 150, account, campaign },
      { spent_on: '2026-11-02', category: 'travel', description: 'Train', amount: 300, campaign },
    ]);
    expect(Number((await get(rep, 'expense_claim', c.id)).total)).toBe(450);
    const refused = await rep.api.post(`/api/records/expense_claim/${c.id}/submit`, {});
    expect(refused.status, refused.text).toBe(400);
    expect(refused.body.error.fields.lines).toMatch(/receipt.*Train/);
    expect((await get(rep, 'expense_claim', c.id)).approval_status).toBe('none');
    // Another rep can neither see the line nor attach to it.
    expect((await upload(rep2.api, `/api/records/expense_line/${c.lines[1]!.id}/files?name=r.txt`, 'x')).status).toBe(
      404,
    );
    await withReceipts(rep, [c.lines[1]!]);
    const s = await rep.api.post(`/api/records/expense_claim/${c.id}/submit`, {});
    expect(s.status, s.text).toBe(201);
    expect(await costOf(campaign)).toBe(0);
    expect(await hasTask(finance, c.id)).toBe(false);
    const ok = await manager.api.post(`/api/approvals/tasks/${await taskOf(manager, c.id)}/approve`, {});
    expect(ok.status, ok.text).toBe(200);
    const done = await get(rep, 'expense_claim', c.id);
    expect(done).toMatchObject({ approval_status: 'approved', status: 'approved' });
    for (const l of c.lines) expect((await get(rep, 'expense_line', l.id)).approved).toBe(true);
    expect(await costOf(campaign)).toBe(450);
  });

  it('above 5,000 finance approves after the manager; a rejection leaves the cost as it was', async () => {
    const big = await claim(rep, [
      { spent_on: '2026-11-05', category: 'marketing', description: 'Booth', amount: 6000, campaign, account },
    ]);
    await withReceipts(rep, big.lines);
    expect((await rep.api.post(`/api/records/expense_claim/${big.id}/submit`, {})).status).toBe(201);
    await manager.api.post(`/api/approvals/tasks/${await taskOf(manager, big.id)}/approve`, {});
    expect((await get(rep, 'expense_claim', big.id)).approval_status).toBe('pending');
    expect(await costOf(campaign)).toBe(450);
    // The rep cannot decide finance's task.
    const task = await taskOf(finance, big.id);
    expect((await rep.api.post(`/api/approvals/tasks/${task}/approve`, {})).status).toBe(404);
    expect((await finance.api.post(`/api/approvals/tasks/${task}/approve`, {})).status).toBe(200);
    expect((await get(rep, 'expense_claim', big.id)).status).toBe('approved');
    expect(await costOf(campaign)).toBe(6450);

    const no = await claim(rep, [
      { spent_on: '2026-11-06', category: 'gifts', description: 'Gift boxes', amount: 7000, campaign },
    ]);
    await withReceipts(rep, no.lines);
    await rep.api.post(`/api/records/expense_claim/${no.id}/submit`, {});
    await manager.api.post(`/api/approvals/tasks/${await taskOf(manager, no.id)}/approve`, {});
    const r = await finance.api.post(`/api/approvals/tasks/${await taskOf(finance, no.id)}/reject`, {
      comment: 'No gifts budget',
    });
    expect(r.status, r.text).toBe(200);
    expect(await get(rep, 'expense_claim', no.id)).toMatchObject({ status: 'rejected', approval_status: 'rejected' });
    expect((await get(rep, 'expense_line', no.lines[0]!.id)).approved).toBe(false);
    expect(await costOf(campaign)).toBe(6450);
  });

  it('nobody types approval: reps cannot mark lines approved or claims approved/paid; finance pays approved claims only', async () => {
    const typedLine = await rep.api.post('/api/records/expense_claim', {
      title: 'Sneaky',
      lines: [{ spent_on: '2026-11-07', category: 'other', amount: 10, approved: true, campaign }],
    });
    expect(typedLine.status, typedLine.text).toBe(403);
    const draft = await claim(rep, [{ spent_on: '2026-11-07', category: 'meals', amount: 20, campaign }], 'Coffee');
    const typedStatus = await rep.api.patch(`/api/records/expense_claim/${draft.id}`, { status: 'approved' });
    expect(typedStatus.status, typedStatus.text).toBe(403);
    const unpaid = await finance.api.patch(`/api/records/expense_claim/${draft.id}`, { status: 'paid' });
    expect(unpaid.status, unpaid.text).toBe(400);
    expect(unpaid.body.error.fields.status).toMatch(/approved/);
    expect(await costOf(campaign)).toBe(6450);
    // The second rep sees none of the first rep's claims; the manager sees the team's.
    expect((await rep2.api.get(`/api/records/expense_claim/${draft.id}`)).status).toBe(404);
    expect((await manager.api.get(`/api/records/expense_claim/${draft.id}`)).status).toBe(200);

    const c = await claim(rep, [{ spent_on: '2026-11-08', category: 'meals', amount: 80, account }], 'Dinner');
    await rep.api.post(`/api/records/expense_claim/${c.id}/submit`, {});
    await manager.api.post(`/api/approvals/tasks/${await taskOf(manager, c.id)}/approve`, {});
    const paidByRep = await rep.api.patch(`/api/records/expense_claim/${c.id}`, { status: 'paid' });
    expect(paidByRep.status).toBe(403);
    const paid = await finance.api.patch(`/api/records/expense_claim/${c.id}`, {
      status: 'paid',
      paid_on: '2026-11-20',
    });
    expect(paid.status, paid.text).toBe(200);
    expect(paid.body.approval_status).toBe('approved');
  });

  it('changing a line of an approved claim sends it back for approval and out of the campaign cost', async () => {
    const c = await claim(rep, [{ spent_on: '2026-11-09', category: 'travel', amount: 100, campaign }], 'Taxi');
    await rep.api.post(`/api/records/expense_claim/${c.id}/submit`, {});
    await manager.api.post(`/api/approvals/tasks/${await taskOf(manager, c.id)}/approve`, {});
    expect(await costOf(campaign)).toBe(6550);
    const change = await rep.api.patch(`/api/records/expense_line/${c.lines[0]!.id}`, { amount: 180 });
    expect(change.status, change.text).toBe(200);
    expect((await get(rep, 'expense_claim', c.id)).approval_status).toBe('pending');
    expect((await get(rep, 'expense_line', c.lines[0]!.id)).approved).toBe(false);
    expect(await costOf(campaign)).toBe(6450);
    await manager.api.post(`/api/approvals/tasks/${await taskOf(manager, c.id)}/approve`, {});
    expect(await costOf(campaign)).toBe(6630);
  });

  it('expense statistics by rep, customer and campaign equal SQL over the same lines', async () => {
    const run = async (name: string) => {
      const r = await manager.api.post(`/api/reports/${name}/run`, {});
      expect(r.status, r.text).toBe(200);
      return r.body.rows as Array<Record<string, unknown>>;
    };
    const approvedBy = async (column: string) =>
      (
        await sql(
          `select ${column} as k, sum(amount) as amount, count(*) as n from $S.expense_line
           where deleted_at is null and approved group by 1`,
        )
      ).map((r) => [r.k, Number(r.amount), Number(r.n)]);
    const sorted = (rows: unknown[][]) => [...rows].sort((a, b) => String(a[0]).localeCompare(String(b[0])));

    // The admin sees every line: run as admin for the whole-tenant comparison.
    const adminRun = async (name: string) =>
      (await t.api.post(`/api/reports/${name}/run`, {})).body.rows as Array<Record<string, unknown>>;
    for (const [report, key, column] of [
      ['expenses_by_rep', 'owner', 'owner'],
      ['expenses_by_customer', 'account', 'account'],
      ['expenses_by_campaign', 'campaign', 'campaign'],
    ] as const) {
      const rows = await adminRun(report);
      expect(sorted(rows.map((r) => [r[key], Number(r.amount), Number(r.lines)]))).toEqual(
        sorted(await approvedBy(column)),
      );
    }
    const byRep = await adminRun('expenses_by_rep');
    expect(byRep.find((r) => r.owner === rep.id)).toMatchObject({ owner_label: 'Ray Rep', amount: 6710, lines: 5 });
    const byCampaign = await adminRun('expenses_by_campaign');
    expect(byCampaign.find((r) => r.campaign === campaign)).toMatchObject({
      campaign_label: 'Logistics summit',
      amount: await costOf(campaign),
    });
    // The manager's run is the team's lines only (their row scope), the second rep's nothing of the first's.
    const teamLines = (await run('expenses_by_rep')).map((r) => r.owner);
    expect(teamLines).toContain(rep.id);
    const rep2Rows = (await rep2.api.post('/api/reports/expenses_by_rep/run', {})).body.rows as unknown[];
    expect(rep2Rows).toEqual([]);
  });
});

describe('credit limit', () => {
  let bank: string;

  beforeAll(async () => {
    const a = await rep.api.post('/api/records/account', { name: 'Tight Credit Ltd' });
    bank = a.body.id;
  });

  it('only finance sets a credit limit', async () => {
    const byRep = await rep.api.patch(`/api/records/account/${bank}`, { credit_limit: 1 });
    expect(byRep.status).toBe(403);
    const r = await finance.api.patch(`/api/records/account/${bank}`, { credit_limit: 10000 });
    expect(r.status, r.text).toBe(200);
    // Finance edits the limit and nothing else of the account.
    expect((await finance.api.patch(`/api/records/account/${bank}`, { name: 'Renamed' })).status).toBe(403);
    const rec = await finance.api.post('/api/records/receivable', {
      account: bank,
      due_on: '2026-12-31',
      amount: 8000,
    });
    expect(rec.status, rec.text).toBe(201);
    expect(Number((await get(rep, 'account', bank)).open_receivables)).toBe(8000);
  });

  it('an order within the limit confirms at once', async () => {
    const o = await rep.api.post('/api/records/order', { account: bank, amount: 1500 });
    expect(o.status, o.text).toBe(201);
    expect(o.body).toMatchObject({ over_credit_limit: false, credit_exposure: 9500 });
    const c = await rep.api.patch(`/api/records/order/${o.body.id}`, { status: 'confirmed' });
    expect(c.status, c.text).toBe(200);
  });

  it('an order above the limit is refused until finance approves it', async () => {
    const o = await rep.api.post('/api/records/order', { account: bank, amount: 3000 });
    expect(o.status, o.text).toBe(201);
    expect(o.body).toMatchObject({ over_credit_limit: true, credit_exposure: 11000 });
    const id = o.body.id as string;
    // Created already confirmed or confirmed later: refused, with what to do.
    const direct = await rep.api.post('/api/records/order', { account: bank, amount: 3000, status: 'confirmed' });
    expect(direct.status, direct.text).toBe(400);
    const c = await rep.api.patch(`/api/records/order/${id}`, { status: 'confirmed' });
    expect(c.status, c.text).toBe(400);
    expect(c.body.error.fields.status).toMatch(/credit limit.*submit it for finance approval/);
    // Typing the flag away does not help: the script recomputes it from the account.
    const typed = await rep.api.patch(`/api/records/order/${id}`, { over_credit_limit: false, status: 'confirmed' });
    expect(typed.status, typed.text).toBe(400);
    expect((await rep.api.post(`/api/records/order/${id}/submit`, {})).status).toBe(201);
    // The rep's own manager is no approver here; finance is.
    expect(await hasTask(manager, id)).toBe(false);
    const task = await taskOf(finance, id);
    expect((await manager.api.post(`/api/approvals/tasks/${task}/approve`, {})).status).toBe(404);
    expect((await finance.api.post(`/api/approvals/tasks/${task}/approve`, {})).status).toBe(200);
    const ok = await rep.api.patch(`/api/records/order/${id}`, { status: 'confirmed' });
    expect(ok.status, ok.text).toBe(200);
    // A bigger amount after the approval asks finance again.
    const more = await rep.api.patch(`/api/records/order/${id}`, { amount: 3500 });
    expect(more.status, more.text).toBe(200);
    expect(more.body.approval_status).toBe('pending');
    expect(await hasTask(finance, id)).toBe(true);
  });

  it('an order under the limit needs no approval: submitting it finds no workflow', async () => {
    const o = await rep.api.post('/api/records/order', { account: account, amount: 999999 });
    expect(o.status, o.text).toBe(201);
    expect(o.body.over_credit_limit).toBe(false);
    expect((await rep.api.post(`/api/records/order/${o.body.id}/submit`, {})).status).toBe(400);
  });

  it('a role that may write orders but not read the account gets a clear refusal, not an unchecked order', async () => {
    const put = await t.api.put('/api/meta/roles/order_clerk', {
      label: 'Order clerk',
      objects: { order: { create: 'all', read: 'own', update: 'own', delete: false } },
    });
    expect(put.status, put.text).toBe(200);
    const clerk = await t.addUser({ roles: ['order_clerk'], name: 'Otto Clerk' });
    const r = await clerk.api.post('/api/records/order', { account: bank, amount: 10 });
    expect(r.status, r.text).toBe(400);
    // Either the lookup or the credit check names the account: nothing is saved unchecked.
    expect(r.body.error.fields.account).toBeTruthy();
  });

  it('payments lower the open receivables the limit is checked against', async () => {
    const [r] = (
      await finance.api.get('/api/records/receivable', { query: { filter: JSON.stringify({ account: { eq: bank } }) } })
    ).body.items;
    const p = await finance.api.post('/api/records/payment', {
      receivable: r.id,
      amount: 5000,
      paid_on: '2026-12-01',
    });
    expect(p.status, p.text).toBe(201);
    const [row] = await sql(
      'select coalesce(sum(balance), 0) as open from $S.receivable where deleted_at is null and account = ? and balance > 0',
      [bank],
    );
    const open = row?.open;
    expect(Number((await get(rep, 'account', bank)).open_receivables)).toBe(Number(open));
    expect(Number(open)).toBe(3000);
    const o = await rep.api.post('/api/records/order', { account: bank, amount: 3000, status: 'confirmed' });
    expect(o.status, o.text).toBe(201);
  });
});
