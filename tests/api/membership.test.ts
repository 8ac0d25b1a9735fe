import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

/**
 * The membership template (issue 23) through a real server, as its own users: spend roll-ups,
 * points earned from purchases and redeemed without overdraw (also under concurrency), tiers by
 * points or spend, birthday and dormant reminders (members, and core CRM accounts), members on
 * cases and campaigns, and the template's reports compared with SQL over the same rows.
 */
let server: TestServer;
let t: TestTenant;
let clerk: ApiClient;
let mgr: ApiClient;
let agent: ApiClient;
let clerkId: string;
const PASSWORD = 'forma-demo';

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const f = (filter: unknown, extra: Record<string, string> = {}) => ({ filter: JSON.stringify(filter), ...extra });
const sql = async (query: string, bindings: unknown[] = []) =>
  (await server.runtime.db.raw(query.replaceAll('$S', `"t_${t.id}"`), bindings as never)).rows as Record<
    string,
    unknown
  >[];
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

let phoneSeq = 0;
async function newMember(body: Record<string, unknown> = {}, as: ApiClient = clerk) {
  phoneSeq += 1;
  const r = await as.post('/api/records/member', {
    name: `Member ${phoneSeq}`,
    phone: `1370000${String(phoneSeq).padStart(4, '0')}`,
    expires_on: '2099-01-01',
    joined_on: day(0),
    ...body,
  });
  expect(r.status, r.text).toBe(201);
  return r.body as Record<string, any>;
}
const member = async (id: string) => (await mgr.get(`/api/records/member/${id}`)).body as Record<string, any>;
const buy = (m: string, amount: number, extra: Record<string, unknown> = {}, as: ApiClient = clerk) =>
  as.post('/api/records/purchase', { member: m, amount, purchased_on: day(0), channel: 'store', ...extra });
const entry = (m: string, points: number, reason: string, as: ApiClient = clerk, extra: Record<string, unknown> = {}) =>
  as.post('/api/records/points_entry', { member: m, points, reason, ...extra });

beforeAll(async () => {
  server = await startTestServer({
    plugins: [{ kind: 'module', specifier: '@forma/plugin-core-crm', origin: 'workspace' }],
  });
  t = await createTestTenant(server, { prefix: 'member', template: 'membership', sampleData: true });
  clerk = await t.login('clerk@club.test', PASSWORD);
  mgr = await t.login('members@club.test', PASSWORD);
  clerkId = (await clerk.get('/api/auth/me')).body.user.id;
  agent = (await t.addUser({ roles: ['service_agent'], name: 'Agent' })).api;
}, 300_000);
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${t?.id}`, { query: { confirm: t?.id } });
  await server?.close();
});

describe('sample data', () => {
  it('rolls purchases up to spend, visits, last purchase and points; flags the dormant member', async () => {
    const [han] = (await clerk.get('/api/records/member', { query: f({ phone: { eq: '13800000001' } }) })).body.items;
    expect(han).toMatchObject({
      tier: 'gold',
      points: 5700,
      points_earned: 6200,
      points_redeemed: 500,
      visits: 3,
      dormant: false,
    });
    expect(num(han.lifetime_spend)).toBe(6200);
    expect(han.last_purchase_on).toBe(day(-10));
    const [tang] = (await clerk.get('/api/records/member', { query: f({ phone: { eq: '13800000002' } }) })).body.items;
    expect(tang).toMatchObject({ dormant: true, open_cases: 1, tier: 'bronze', points: 300 });
    const tasks = (await clerk.get('/api/records/activity', { query: f({ member: { eq: tang.id } }) })).body.items;
    expect(tasks.map((a: any) => a.subject)).toEqual([
      expect.stringMatching(/^Win back Tang Bo: no purchase for 90 days/),
    ]);
    const [spring] = (await mgr.get('/api/records/campaign', { query: f({ name: { eq: 'Spring member day' } }) })).body
      .items;
    expect(spring).toMatchObject({ members_invited: 2, members_responded: 1 });
    expect(num(spring.member_revenue)).toBe(1800);
  });
});

describe('spend, points and tiers', () => {
  it('purchases roll up and earn points; the tier follows spend or qualifying points; redeeming never demotes', async () => {
    const m = await newMember();
    expect(m).toMatchObject({ tier: 'bronze', points: 0, visits: 0, last_purchase_on: null });
    const p1 = await buy(m.id, 900.5);
    expect(p1.status, p1.text).toBe(201);
    expect(p1.body.points).toBe(900);
    // Spend 900.5 reaches silver (800) before the points (1000) would.
    expect(await member(m.id)).toMatchObject({ points: 900, points_earned: 900, tier: 'silver', visits: 1 });
    const older = await buy(m.id, 99.5, { purchased_on: day(-30) });
    expect(older.status, older.text).toBe(201);
    let cur = await member(m.id);
    expect(cur).toMatchObject({ points: 999, visits: 2, last_purchase_on: day(0) });
    expect(num(cur.lifetime_spend)).toBe(1000);
    const ledger = (await clerk.get('/api/records/points_entry', { query: f({ member: { eq: m.id } }) })).body.items;
    expect(ledger.map((e: any) => [e.reason, e.points, e.occurred_on]).sort()).toEqual(
      [
        ['purchase', 900, day(0)],
        ['purchase', 99, day(-30)],
      ].sort(),
    );

    // A manager's bonus lifts the qualifying points to gold (5000); spend is still 1000.
    expect((await entry(m.id, 4500, 'bonus', mgr)).status).toBe(201);
    expect(await member(m.id)).toMatchObject({ points: 5499, points_earned: 5499, tier: 'gold' });
    const redeem = await entry(m.id, -5000, 'redeem');
    expect(redeem.status, redeem.text).toBe(201);
    expect(redeem.body.occurred_on).toBe(day(0));
    cur = await member(m.id);
    expect(cur).toMatchObject({ points: 499, points_earned: 5499, points_redeemed: 5000, tier: 'gold' });

    const over = await entry(m.id, -500, 'redeem');
    expect(over.status).toBe(400);
    expect(over.body.error.fields.points).toBe('The member has 499 points');
    expect((await member(m.id)).points).toBe(499);
  });

  it('refuses bad entries with the field at fault', async () => {
    const m = await newMember();
    expect((await buy(m.id, 50)).status).toBe(201);
    const cases: Array<[Promise<any>, string, RegExp]> = [
      [entry(m.id, 10, 'redeem'), 'points', /negative/],
      [entry(m.id, 0, 'redeem'), 'points', /other than 0/],
      [entry(m.id, 1.5, 'bonus', mgr), 'points', /./],
      [entry(m.id, 'ten' as never, 'bonus', mgr), 'points', /./],
      [entry(m.id, -5, 'bonus', mgr), 'points', /positive/],
      [entry(m.id, 100, 'bonus'), 'reason', /manager/],
      [entry(m.id, -10, 'adjust'), 'reason', /manager/],
      [entry(m.id, 100, 'purchase'), 'reason', /recording the purchase/],
      [entry(m.id, -1, 'nonsense'), 'reason', /./],
      [buy(m.id, -5), 'amount', /./],
      [clerk.post('/api/records/purchase', { amount: 5, purchased_on: day(0) }), 'member', /./],
      [buy('00000000-0000-4000-8000-000000000000', 5), 'member', /./],
      [buy(m.id, 5, { ghost: 1 }), 'ghost', /./],
    ];
    for (const [req, field, message] of cases) {
      const r = await req;
      expect(r.status, `${field}: ${r.text}`).toBe(400);
      expect(r.body.error.fields?.[field], r.text).toMatch(message);
    }
    expect(await member(m.id)).toMatchObject({ points: 50, points_earned: 50, visits: 1 });
  });

  it('permission probes: clerks cannot set points, tiers or roll-ups, delete the ledger or refund', async () => {
    const m = await newMember();
    const p = await buy(m.id, 100);
    const patch = (body: Record<string, unknown>) => clerk.patch(`/api/records/member/${m.id}`, body);
    expect((await patch({ points: 99999 })).status).toBe(403);
    expect((await patch({ tier: 'platinum' })).status).toBe(403);
    expect((await patch({ dormant: true })).status).toBe(403);
    expect((await patch({ lifetime_spend: 99999 })).status).toBe(400);
    // The purchase link on a ledger entry is the system's: a clerk cannot forge purchase points.
    expect((await entry(m.id, 100, 'purchase', clerk, { purchase: p.body.id })).status).toBe(403);
    const e = (await clerk.get('/api/records/points_entry', { query: f({ member: { eq: m.id } }) })).body.items[0];
    // No delete grant: refused (as not found: nothing of the entry's deletability leaks).
    expect([403, 404]).toContain((await clerk.delete(`/api/records/points_entry/${e.id}`)).status);
    expect((await mgr.get(`/api/records/points_entry/${e.id}`)).status).toBe(200);
    expect([403, 404]).toContain((await clerk.patch(`/api/records/points_entry/${e.id}`, { points: 5000 })).status);
    expect([403, 404]).toContain(
      (await clerk.patch(`/api/records/purchase/${p.body.id}`, { status: 'refunded' })).status,
    );
    expect((await mgr.get(`/api/records/purchase/${p.body.id}`)).body.status).toBe('completed');
    // The ledger is append-only, even for an admin: corrections are adjustments and refunds.
    const del = await t.api.delete(`/api/records/points_entry/${e.id}`);
    expect(del.status).toBe(409);
    expect(del.body.error.message).toMatch(/record an adjustment/);
    expect((await t.api.delete(`/api/records/purchase/${p.body.id}`)).body.error.message).toMatch(/refund it/);
    expect([403, 404]).toContain((await mgr.delete(`/api/records/purchase/${p.body.id}`)).status);
    // Service agents read members (from a case); purchases and points are not theirs to see (404).
    expect((await agent.get(`/api/records/member/${m.id}`)).status).toBe(200);
    expect((await buy(m.id, 10, {}, agent)).status).toBe(404);
    expect((await entry(m.id, -1, 'redeem', agent)).status).toBe(404);
    expect((await agent.patch(`/api/records/member/${m.id}`, { name: 'Renamed' })).status).toBe(403);
    expect(await member(m.id)).toMatchObject({ points: 100, tier: 'bronze' });
  });

  it('a refund gives the points back, and is refused once they are spent', async () => {
    const m = await newMember();
    const big = (await buy(m.id, 900)).body;
    const small = (await buy(m.id, 100)).body;
    expect((await entry(m.id, -950, 'redeem')).status).toBe(201);
    const refused = await mgr.patch(`/api/records/purchase/${big.id}`, { status: 'refunded' });
    expect(refused.status).toBe(400);
    expect(refused.body.error.fields.points).toBe('The member has 50 points');
    expect((await mgr.get(`/api/records/purchase/${big.id}`)).body.status).toBe('completed');
    await mgr.post('/api/records/points_entry', { member: m.id, points: 100, reason: 'bonus' });
    const ok = await mgr.patch(`/api/records/purchase/${small.id}`, { status: 'refunded' });
    expect(ok.status, ok.text).toBe(200);
    const cur = await member(m.id);
    // Qualifying points: 900 + 100 bought + 100 bonus − 100 refunded.
    expect(cur).toMatchObject({ points: 50, visits: 1, points_earned: 1000 });
    expect(num(cur.lifetime_spend)).toBe(900);
    const back = await mgr.patch(`/api/records/purchase/${small.id}`, { status: 'completed' });
    expect(back.status).toBe(400);
    expect(back.body.error.fields.status).toMatch(/stays refunded/);
    const edit = await mgr.patch(`/api/records/purchase/${big.id}`, { amount: 1 });
    expect(edit.status).toBe(400);
    expect(edit.body.error.fields.amount).toMatch(/refund it/);
  });
});

describe('concurrency', () => {
  it('20 concurrent redemptions of 100 against 1,000 points: exactly 10 succeed, never negative', async () => {
    const m = await newMember();
    expect((await entry(m.id, 1000, 'bonus', mgr)).status).toBe(201);
    const results = await Promise.all(Array.from({ length: 20 }, () => entry(m.id, -100, 'redeem')));
    const statuses = results.map((r) => r.status);
    expect(
      statuses.filter((s) => s === 201),
      JSON.stringify(results.map((r) => r.text)),
    ).toHaveLength(10);
    expect(statuses.filter((s) => s === 400)).toHaveLength(10);
    for (const r of results.filter((x) => x.status === 400))
      expect(r.body.error.fields.points).toBe('The member has 0 points');
    expect(await member(m.id)).toMatchObject({ points: 0, points_redeemed: 1000, points_earned: 1000 });
    const [row] = await sql(
      `select count(*) as n, sum(points) as total from $S.points_entry where member = ? and reason = 'redeem' and deleted_at is null`,
      [m.id],
    );
    expect([Number(row!.n), Number(row!.total)]).toEqual([10, -1000]);
  });

  it('concurrent purchases and redemptions of one member all count (no lost update, no deadlock)', async () => {
    const m = await newMember();
    expect((await buy(m.id, 300)).status).toBe(201);
    const results = await Promise.all([
      ...Array.from({ length: 8 }, () => buy(m.id, 100)),
      ...Array.from({ length: 4 }, () => entry(m.id, -50, 'redeem')),
    ]);
    expect(
      results.map((r) => r.status),
      JSON.stringify(results.map((r) => r.text)),
    ).toEqual(Array(12).fill(201));
    const cur = await member(m.id);
    expect(cur).toMatchObject({ points: 900, points_earned: 1100, points_redeemed: 200, visits: 9, tier: 'silver' });
    expect(num(cur.lifetime_spend)).toBe(1100);
  });
});

describe('reminders', () => {
  it('flags dormant members once, with a task and a notice for the owner; a purchase wakes them', async () => {
    const quiet = await newMember({ joined_on: day(-400) });
    expect((await buy(quiet.id, 120, { purchased_on: day(-95) })).status).toBe(201);
    const never = await newMember({ joined_on: day(-100) });
    const recent = await newMember({ joined_on: day(-400) });
    expect((await buy(recent.id, 120, { purchased_on: day(-89) })).status).toBe(201);
    const lapsed = await newMember({ joined_on: day(-400), expires_on: day(-1) });
    expect(lapsed.status).toBe('expired');
    expect((await buy(lapsed.id, 10, { purchased_on: day(-200) })).status).toBe(201);

    const sweep = await t.api.post('/api/automations/sweep');
    expect(sweep.status, sweep.text).toBe(200);
    expect(sweep.body.failed).toBe(0);
    expect((await member(quiet.id)).dormant).toBe(true);
    expect((await member(never.id)).dormant).toBe(true);
    expect((await member(recent.id)).dormant).toBe(false);
    expect((await member(lapsed.id)).dormant).toBe(false);
    const tasks = (await clerk.get('/api/records/activity', { query: f({ member: { eq: quiet.id } }) })).body.items;
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ type: 'task', owner: clerkId, assigned_to: clerkId, due_on: day(3) });
    const notes = (await clerk.get('/api/notifications')).body.items.map((n: any) => n.title);
    expect(notes).toContain(`${quiet.name} has not bought anything for 90 days`);
    // Once: a second sweep the same day adds nothing.
    await t.api.post('/api/automations/sweep');
    expect(
      (await clerk.get('/api/records/activity', { query: f({ member: { eq: quiet.id } }) })).body.items,
    ).toHaveLength(1);

    expect((await buy(quiet.id, 10)).status).toBe(201);
    expect((await member(quiet.id)).dormant).toBe(false);
    // Only the rule sets the flag: a clerk cannot, and it is read-only to them.
    expect((await clerk.patch(`/api/records/member/${recent.id}`, { dormant: true })).status).toBe(403);
  });

  it("reminds the owner a week before a member's birthday; the next birthday rolls on", async () => {
    // Born in a leap year, so the test holds when the day is 29 February too.
    const soon = day(7).slice(5);
    const b = await newMember({ birthday: `1984-${soon}` });
    expect(b.next_birthday).toBe(day(7));
    const later = await newMember({ birthday: `1984-${day(8).slice(5)}` });
    const leap = await newMember({ birthday: '2000-02-29' });
    const year = Number(day(0).slice(0, 4));
    const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
    const feb = (y: number) => `${y}-02-${isLeap(y) ? '29' : '28'}`;
    expect(leap.next_birthday).toBe(feb(year) >= day(0) ? feb(year) : feb(year + 1));
    const none = await newMember();
    expect(none.next_birthday).toBeNull();

    await t.api.post('/api/automations/sweep');
    const tasks = (await clerk.get('/api/records/activity', { query: f({ member: { in: [b.id, later.id] } }) })).body
      .items;
    expect(tasks.map((x: any) => [x.member, x.subject, x.due_on])).toEqual([
      [b.id, `Birthday of ${b.name} on ${day(7)}`, day(7)],
    ]);

    // A passed next birthday (as after a year) is moved on by the nightly job, through the script.
    await sql(`update $S.member set next_birthday = '2020-01-01' where id = ?`, [later.id]);
    await server.plugins!.runJob('core-crm.member-birthdays', undefined, { tenants: [t.id] });
    expect((await member(later.id)).next_birthday).toBe(day(8));
    // A formula: nobody types it.
    const typed = await clerk.patch(`/api/records/member/${b.id}`, { next_birthday: '2020-01-01' });
    expect(typed.status).toBe(400);
    expect(typed.body.error.fields.next_birthday).toBeTruthy();
  });

  it('core CRM: customers with no done activity for 90 days get a follow-up task (date roll-up)', async () => {
    const acct = async (name: string, type = 'customer') => {
      const r = await t.api.post('/api/records/account', { name, type });
      expect(r.status, r.text).toBe(201);
      return r.body.id as string;
    };
    const log = async (account: string, done_on: string | undefined, status = 'done') => {
      const r = await t.api.post('/api/records/activity', {
        subject: 'Call',
        type: 'call',
        account,
        status,
        ...(done_on ? { done_on } : {}),
      });
      expect(r.status, r.text).toBe(201);
      return r.body;
    };
    const quiet = await acct('Quiet Ltd');
    await log(quiet, day(-120));
    await log(quiet, day(-90));
    await log(quiet, undefined, 'open');
    const busy = await acct('Busy Ltd');
    await log(busy, day(-90));
    const stamped = await log(busy, undefined);
    expect(stamped.done_on).toBe(day(0));
    const prospect = await acct('Prospect Ltd', 'prospect');
    await log(prospect, day(-90));

    const last = async (id: string) => (await t.api.get(`/api/records/account/${id}`)).body.last_activity_on;
    expect([await last(quiet), await last(busy), await last(prospect)]).toEqual([day(-90), day(0), day(-90)]);
    // A roll-up is computed, never typed.
    expect((await t.api.patch(`/api/records/account/${quiet}`, { last_activity_on: day(0) })).status).toBe(400);

    expect((await t.api.post('/api/automations/sweep')).body.failed).toBe(0);
    const tasks = (
      await t.api.get('/api/records/activity', {
        query: f({ account: { in: [quiet, busy, prospect] }, type: { eq: 'task' } }),
      })
    ).body.items;
    expect(tasks.map((x: any) => [x.account, x.subject])).toEqual([[quiet, 'No contact for 90 days: Quiet Ltd']]);
  });
});

describe('cases and campaigns', () => {
  it('members have service cases and campaign responses; campaigns count them and their purchases', async () => {
    const m = await newMember();
    const c = await clerk.post('/api/records/service_case', { subject: 'Voucher not accepted', member: m.id });
    expect(c.status, c.text).toBe(201);
    expect((await member(m.id)).open_cases).toBe(1);
    expect((await agent.get(`/api/records/service_case/${c.body.id}`, { query: { expand: 'member' } })).status).toBe(
      200,
    );
    expect((await mgr.patch(`/api/records/service_case/${c.body.id}`, { status: 'resolved' })).status).toBe(200);
    expect((await member(m.id)).open_cases).toBe(0);

    // No cost: a campaign's cost is the roll-up of its approved expense lines (refused if typed).
    const camp = await mgr.post('/api/records/campaign', { name: 'Double points week', type: 'email' });
    expect(camp.status, camp.text).toBe(201);
    // Campaigns are the manager's: a clerk reads them, adds members, and cannot create one.
    expect((await clerk.post('/api/records/campaign', { name: 'Mine' })).status).toBe(403);
    const cm = await clerk.post('/api/records/campaign_member', { campaign: camp.body.id, member: m.id });
    expect(cm.status, cm.text).toBe(201);
    expect(cm.body.status).toBe('invited');
    expect((await clerk.post('/api/records/campaign_member', { campaign: camp.body.id })).status).toBe(400);
    const twice = await clerk.post('/api/records/campaign_member', { campaign: camp.body.id, member: m.id });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('DUPLICATE');
    expect(
      (await clerk.patch(`/api/records/campaign_member/${cm.body.id}`, { status: 'converted', responded_on: day(0) }))
        .status,
    ).toBe(200);
    expect((await buy(m.id, 250, { campaign: camp.body.id })).status).toBe(201);
    const got = (await mgr.get(`/api/records/campaign/${camp.body.id}`)).body;
    expect(got).toMatchObject({ members_invited: 1, members_responded: 1 });
    expect(num(got.member_revenue)).toBe(250);
  });
});

describe('reports and dashboards', () => {
  const run = async (api: ApiClient, name: string) => {
    const r = await api.post(`/api/reports/${name}/run`, {});
    expect(r.status, r.text).toBe(200);
    return r.body.rows as Record<string, any>[];
  };

  it('spend by tier matches SQL', async () => {
    const rows = await run(mgr, 'member_spend_by_tier');
    const expected = await sql(
      `select tier, count(*) as n, coalesce(sum(lifetime_spend), 0) as spend, coalesce(sum(visits), 0) as visits
       from $S.member where deleted_at is null group by tier order by tier`,
    );
    const got = [...rows].sort((a, b) => String(a.tier).localeCompare(String(b.tier)));
    expect(got.map((r) => [r.tier, r.members, num(r.spend), num(r.visits)])).toEqual(
      expected.map((r) => [r.tier, Number(r.n), Number(r.spend), Number(r.visits)]),
    );
    // The figures the test itself produced are in it: at least one gold (the sample's Han Mei).
    expect(got.find((r) => r.tier === 'gold')?.members).toBeGreaterThanOrEqual(1);
  });

  it('new members by month matches SQL', async () => {
    const rows = await run(mgr, 'new_members_by_month');
    const expected = await sql(
      `select to_char(joined_on, 'YYYY-MM') as month, count(*) as n from $S.member
       where deleted_at is null group by 1 order by 1 nulls last`,
    );
    expect(rows.map((r) => [r.month ?? null, r.members])).toEqual(expected.map((r) => [r.month, Number(r.n)]));
  });

  it('points issued vs redeemed by month matches SQL', async () => {
    const rows = await run(mgr, 'points_issued_vs_redeemed');
    const expected = await sql(
      `select to_char(occurred_on, 'YYYY-MM') as month,
              sum(case when points > 0 and reason <> 'redeem' then points else 0 end) as issued,
              sum(case when reason = 'redeem' then -points else 0 end) as redeemed
       from $S.points_entry where deleted_at is null group by 1 order by 1 nulls last`,
    );
    expect(rows.map((r) => [r.month ?? null, num(r.issued), num(r.redeemed)])).toEqual(
      expected.map((r) => [r.month, Number(r.issued), Number(r.redeemed)]),
    );
    expect(rows.reduce((s, r) => s + Number(r.redeemed), 0)).toBeGreaterThan(0);
  });

  it('dormant count matches SQL, for the manager and the clerk alike', async () => {
    const expected = await sql(
      `select tier, count(*) as n from $S.member where deleted_at is null and dormant and status = 'active'
       group by tier order by tier`,
    );
    const as = async (api: ApiClient) =>
      (await run(api, 'dormant_members'))
        .map((r) => [r.tier, r.members])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    const want = expected.map((r) => [r.tier, Number(r.n)]);
    expect(want.reduce((s, r) => s + (r[1] as number), 0)).toBeGreaterThanOrEqual(2);
    expect(await as(mgr)).toEqual(want);
    expect(await as(clerk)).toEqual(want);
  });

  it('each role gets its dashboard; people without member access get no member figures', async () => {
    const home = async (api: ApiClient) => (await api.get('/api/dashboards/home')).body.dashboard;
    const m = await home(mgr);
    expect(m.name).toBe('membership');
    expect(m.widgets.map((w: any) => w.report)).toEqual([
      'member_spend_by_tier',
      'new_members_by_month',
      'points_issued_vs_redeemed',
      'dormant_members',
    ]);
    expect((await home(t.api)).name).toBe('membership');
    expect((await home(clerk)).name).toBe('store_clerk');
    const rep = (await t.addUser({ roles: ['sales_rep'] })).api;
    // Reports over objects a role cannot read are not offered to it.
    expect((await rep.post('/api/reports/member_spend_by_tier/run', {})).status).toBe(404);
    expect((await rep.get('/api/dashboards/home')).body.dashboard.name).toBe('sales_rep');
  });
});
