import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

/**
 * The project-sales template's rules (issue 23), through a real server on a tenant made from the
 * template with its sample data: contact roles on a deal (the decision map) and the decision maker
 * before contracting, competitors and loss reasons with their win/loss reports (compared with SQL),
 * milestones invoiced only once accepted, service contracts reminded before renewal.
 */
type User = { id: string; api: ApiClient };

let server: TestServer;
let t: TestTenant;
let manager: User;
let rep: User;
let rep2: User;
let finance: User;
let account: string;
let contacts: string[];

const sql = async (query: string, bindings: unknown[] = []) =>
  (await server.runtime.db.raw(query.replaceAll('$S', `"t_${t.id}"`), bindings as never)).rows as Record<
    string,
    unknown
  >[];
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

async function post(who: User, object: string, body: Record<string, unknown>, status = 201) {
  const r = await who.api.post(`/api/records/${object}`, body);
  expect(r.status, r.text).toBe(status);
  return r.body;
}
const get = async (who: User, object: string, id: string) => (await who.api.get(`/api/records/${object}/${id}`)).body;

beforeAll(async () => {
  server = await startTestServer({
    plugins: [{ kind: 'module', specifier: '@forma/plugin-core-crm', origin: 'workspace' }],
  });
  t = await createTestTenant(server, { prefix: 'projs', template: 'project-sales', sampleData: true });
  const mk = async (roles: string[], name: string, mgr?: string) => {
    const u = await t.addUser({ roles, name, ...(mgr ? { manager: mgr } : {}) });
    return { id: u.id, api: u.api };
  };
  manager = await mk(['sales_manager'], 'Mo Manager');
  rep = await mk(['sales_rep'], 'Ren Rep', manager.id);
  rep2 = await mk(['sales_rep'], 'Rui Rep', manager.id);
  finance = await mk(['finance'], 'Fan Finance');
  account = (await post(rep, 'account', { name: 'Eastern Power Grid' })).id;
  contacts = [];
  for (const [last_name, job_title] of [
    ['Wang', 'CEO'],
    ['Li', 'IT director'],
    ['Zhao', 'Procurement'],
  ])
    contacts.push((await post(rep, 'contact', { last_name, job_title, account })).id);
}, 300_000);
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${t?.id}`, { query: { confirm: t?.id } });
  await server?.close();
});

describe('project sales template', () => {
  it('the sample deal carries its decision map, a competitor and a service contract', async () => {
    const deal = (await t.api.get('/api/records/deal')).body.items.find(
      (d: { name: string }) => d.name === 'Core banking modernisation',
    );
    const roles = (
      await t.api.get('/api/records/deal_contact_role', {
        query: { filter: JSON.stringify({ deal: { eq: deal.id } }), sort: 'role' },
      })
    ).body.items.map((r: { role: string }) => r.role);
    expect(roles.sort()).toEqual(['decision_maker', 'influencer', 'technical_buyer']);
    // The account manager owns the deal's roles and sees them (the decision-maker rule reads them as them).
    const am = await t.login('am@b2b.test', 'forma-demo');
    const mine = await am.get('/api/records/deal_contact_role', {
      query: { filter: JSON.stringify({ deal: { eq: deal.id } }) },
    });
    expect(mine.body.items).toHaveLength(3);
    expect((await t.api.get('/api/records/competitor')).body.items).toHaveLength(1);
    expect((await t.api.get('/api/records/service_contract')).body.items[0]).toMatchObject({ status: 'active' });
  });

  it('contact roles are line items of the deal; contracting needs a decision maker among them', async () => {
    const deal = await post(rep, 'deal', {
      name: 'Grid analytics',
      account,
      amount: 900000,
      stage: 'proposal',
      contact_roles: [
        { contact: contacts[1], role: 'technical_buyer', attitude: 'supporter' },
        { contact: contacts[2], role: 'blocker', attitude: 'opponent', influence: 'low' },
      ],
    });
    const bad = await rep.api.post('/api/records/deal_contact_role', {
      deal: deal.id,
      contact: contacts[0],
      role: 'king',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.role).toBeTruthy();
    const early = await rep.api.patch(`/api/records/deal/${deal.id}`, { stage: 'contracting' });
    expect(early.status, early.text).toBe(400);
    expect(early.body.error.fields.contact_roles).toMatch(/decision maker/);
    // Created straight at contracting: no line is saved yet, so no decision maker either.
    const direct = await rep.api.post('/api/records/deal', {
      name: 'Shortcut',
      account,
      stage: 'contracting',
      contact_roles: [{ contact: contacts[0], role: 'decision_maker' }],
    });
    expect(direct.status, direct.text).toBe(400);
    // Another rep may neither read this deal's roles nor add one.
    const probe = await rep2.api.post('/api/records/deal_contact_role', {
      deal: deal.id,
      contact: contacts[0],
      role: 'decision_maker',
    });
    // The deal is outside their scope, so the lookup names nothing they can see.
    expect(probe.status, probe.text).toBe(400);
    expect(Object.keys(probe.body.error.fields)).toEqual(['deal']);
    expect(
      (
        await rep2.api.get('/api/records/deal_contact_role', {
          query: { filter: JSON.stringify({ deal: { eq: deal.id } }) },
        })
      ).body.items,
    ).toEqual([]);
    await post(rep, 'deal_contact_role', {
      deal: deal.id,
      contact: contacts[0],
      role: 'decision_maker',
      influence: 'high',
    });
    const ok = await rep.api.patch(`/api/records/deal/${deal.id}`, { stage: 'contracting' });
    expect(ok.status, ok.text).toBe(200);
    // The decision map: the deal's roles, by role, with the contacts named.
    const lines = (
      await rep.api.get('/api/records/deal_contact_role', {
        query: { filter: JSON.stringify({ deal: { eq: deal.id } }), sort: 'role' },
      })
    ).body.items as Array<{ role: string; contact: string }>;
    expect(lines.map((l) => l.role).sort()).toEqual(['blocker', 'decision_maker', 'technical_buyer']);
  });

  it('loss reasons are a picklist, required when a deal is lost', async () => {
    const d = await post(rep, 'deal', { name: 'Substation sensors', account, amount: 120000, stage: 'proposal' });
    const none = await rep.api.patch(`/api/records/deal/${d.id}`, { stage: 'lost' });
    expect(none.status, none.text).toBe(400);
    expect(none.body.error.fields.lost_reason).toBeTruthy();
    const free = await rep.api.patch(`/api/records/deal/${d.id}`, { stage: 'lost', lost_reason: 'they were cheaper' });
    expect(free.status).toBe(400);
    const ok = await rep.api.patch(`/api/records/deal/${d.id}`, { stage: 'lost', lost_reason: 'price' });
    expect(ok.status, ok.text).toBe(200);
  });

  it('competitors: strengths and weaknesses per deal; win/loss and loss reason reports equal SQL', async () => {
    const rival = (await post(rep, 'competitor', { name: 'GridSoft', strengths: 'Cheap', weaknesses: 'No support' }))
      .id;
    const other = (await post(rep, 'competitor', { name: 'PowerApps' })).id;
    expect((await finance.api.post('/api/records/competitor', { name: 'Finance pick' })).status).toBe(403);
    const closed: Array<[string, string | null, number, string[]]> = [
      ['won', null, 500000, [rival]],
      ['won', null, 250000, [rival, other]],
      ['lost', 'price', 300000, [rival]],
      ['lost', 'functionality', 80000, [other]],
    ];
    for (const [i, [stage, reason, amount, rivals]] of closed.entries()) {
      const d = await post(rep, 'deal', {
        name: `Closed ${i}`,
        account,
        amount,
        stage: 'proposal',
        competitors: rivals.map((c) => ({ competitor: c, strengths: 'Incumbent', weaknesses: 'Slow' })),
        contact_roles: [{ contact: contacts[0], role: 'decision_maker' }],
      });
      const r = await rep.api.patch(`/api/records/deal/${d.id}`, {
        stage,
        ...(reason ? { lost_reason: reason, lost_to: rivals[0] } : {}),
      });
      expect(r.status, r.text).toBe(200);
    }
    const run = async (name: string) => {
      const r = await t.api.post(`/api/reports/${name}/run`, {});
      expect(r.status, r.text).toBe(200);
      return r.body.rows as Array<Record<string, unknown>>;
    };
    const winLoss = await run('win_loss');
    const expectedWL = await sql(
      `select stage, count(*) as n, sum(amount) as amount from $S.deal
       where deleted_at is null and stage in ('won', 'lost') group by stage`,
    );
    const total = expectedWL.reduce((s, r) => s + Number(r.n), 0);
    expect(winLoss.map((r) => [r.stage, r.deals, Number(r.amount), r.share]).sort()).toEqual(
      expectedWL
        .map((r) => [r.stage, Number(r.n), Number(r.amount), Math.round((Number(r.n) / total) * 1000) / 10])
        .sort(),
    );
    const reasons = await run('loss_reasons');
    const expectedR = await sql(
      `select lost_reason, count(*) as n, sum(amount) as amount from $S.deal
       where deleted_at is null and stage = 'lost' group by lost_reason`,
    );
    expect(reasons.map((r) => [r.lost_reason, r.deals, Number(r.amount)]).sort()).toEqual(
      expectedR.map((r) => [r.lost_reason, Number(r.n), Number(r.amount)]).sort(),
    );
    expect(reasons.find((r) => r.lost_reason === 'price')).toMatchObject({ deals: 2 });
    const byCompetitor = await run('win_loss_by_competitor');
    const expectedC = await sql(
      `select c.competitor, d.stage, count(*) as n from $S.deal_competitor c join $S.deal d on d.id = c.deal
       where c.deleted_at is null and d.deleted_at is null and d.stage in ('won', 'lost') group by 1, 2`,
    );
    expect(byCompetitor.map((r) => [r.competitor, r.outcome, r.deals]).sort()).toEqual(
      expectedC.map((r) => [r.competitor, r.stage, Number(r.n)]).sort(),
    );
    expect(byCompetitor.find((r) => r.competitor === rival && r.outcome === 'won')).toMatchObject({
      deals: 2,
      competitor_label: 'GridSoft',
    });
  });

  it('a milestone is invoiced only after the customer accepted it', async () => {
    const contract = await post(rep, 'contract', { name: 'Grid analytics', account, value: 900000 });
    const other = await post(rep, 'contract', { name: 'Other', account, value: 1000 });
    const m = await post(rep, 'milestone', { contract: contract.id, name: 'Pilot', amount: 300000 });
    const foreign = await post(rep, 'milestone', { contract: other.id, name: 'Other pilot', amount: 100 });
    const invoice = (milestone: string, contractId = contract.id) =>
      finance.api.post('/api/records/receivable', {
        account,
        contract: contractId,
        milestone,
        due_on: day(30),
        amount: 300000,
      });
    const planned = await invoice(m.id);
    expect(planned.status, planned.text).toBe(400);
    expect(planned.body.error.fields.milestone).toMatch(/not accepted/);
    expect((await rep.api.patch(`/api/records/milestone/${m.id}`, { status: 'delivered' })).status).toBe(200);
    expect((await invoice(m.id)).status).toBe(400);
    // The milestone's own rule: not straight from delivered to invoiced either.
    expect((await rep.api.patch(`/api/records/milestone/${m.id}`, { status: 'invoiced' })).status).toBe(400);
    expect((await finance.api.patch(`/api/records/milestone/${m.id}`, { status: 'accepted' })).status).toBe(200);
    // Reps do not invoice; an accepted milestone of another contract is not this contract's invoice.
    expect(
      (
        await rep.api.post('/api/records/receivable', {
          account,
          milestone: m.id,
          due_on: day(30),
          amount: 1,
        })
      ).status,
    ).toBe(403);
    await finance.api.patch(`/api/records/milestone/${foreign.id}`, { status: 'accepted' });
    const wrong = await invoice(foreign.id);
    expect(wrong.status, wrong.text).toBe(400);
    expect(wrong.body.error.fields.milestone).toMatch(/another contract/);
    const ok = await invoice(m.id);
    expect(ok.status, ok.text).toBe(201);
    expect(Number((await get(rep, 'milestone', m.id)).invoiced_amount)).toBe(300000);
  });

  it('service contracts: reminded before renewal, expired after their end', async () => {
    const soon = await post(rep, 'service_contract', {
      name: 'Grid support',
      account,
      level: 'premium',
      annual_value: 50000,
      start_on: day(-300),
      end_on: day(65),
      renewal_on: day(30),
    });
    const later = await post(rep, 'service_contract', {
      name: 'Later support',
      account,
      end_on: day(400),
      renewal_on: day(300),
    });
    const past = await post(rep, 'service_contract', {
      name: 'Old support',
      account,
      end_on: day(-1),
      renewal_on: day(-60),
      status: 'renewal_due',
    });
    expect((await rep2.api.get(`/api/records/service_contract/${soon.id}`)).status).toBe(404);
    expect((await rep.api.post('/api/automations/sweep', {})).status).toBe(403);
    const sweep = await t.api.post('/api/automations/sweep', {});
    expect(sweep.status, sweep.text).toBe(200);
    expect((await get(rep, 'service_contract', soon.id)).status).toBe('renewal_due');
    expect((await get(rep, 'service_contract', later.id)).status).toBe('active');
    expect((await get(rep, 'service_contract', past.id)).status).toBe('expired');
    const tasks = (
      await rep.api.get('/api/records/activity', {
        query: { filter: JSON.stringify({ subject: { contains: soon.number } }) },
      })
    ).body.items;
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ due_on: day(30), assigned_to: rep.id, owner: rep.id, account });
    const notes = (await rep.api.get('/api/notifications')).body.items as Array<{ title: string }>;
    expect(notes.some((n) => n.title === `Service contract ${soon.number} renews on ${day(30)}`)).toBe(true);
    // Once: a second sweep the same day neither reminds again nor adds a task.
    await t.api.post('/api/automations/sweep', {});
    expect(
      (
        await rep.api.get('/api/records/activity', {
          query: { filter: JSON.stringify({ subject: { contains: soon.number } }) },
        })
      ).body.items,
    ).toHaveLength(1);
  });
});
