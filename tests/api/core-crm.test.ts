import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

let server: TestServer;
let tenant: TestTenant;
let demo: TestTenant;
const login = async (email: string) => demo.login(email, 'forma-demo');

beforeAll(async () => {
  server = await startTestServer({
    plugins: [{ kind: 'module', specifier: '@forma/plugin-core-crm', origin: 'workspace' }],
  });
  // Applied through the API (never a copy, tests/support/tenant-clone.ts): this file is the template's own test.
  tenant = await createTestTenant(server, { prefix: 'crm', template: 'core-crm', copy: false });
  demo = await createTestTenant(server, { prefix: 'crmdemo', template: 'core-crm', sampleData: true, copy: false });
}, 300_000);
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.platform.delete(`/api/tenants/${demo?.id}`, { query: { confirm: demo?.id } });
  await server?.close();
});

describe('core-crm template', () => {
  it('is loaded and offered as a template', async () => {
    const plugins = await tenant.api.get('/api/plugins');
    expect(plugins.body.items).toEqual([expect.objectContaining({ name: 'core-crm', status: 'loaded' })]);
    const templates = await tenant.api.get('/api/templates');
    const crm = templates.body.items.find((t: any) => t.name === 'core-crm');
    expect(crm).toMatchObject({ label: 'Core CRM', version: '0.1.0' });
    expect(crm.objects).toEqual(expect.arrayContaining(['account', 'deal', 'quote', 'service_case']));
  });

  it('gives a new tenant the whole CRM', async () => {
    const meta = await tenant.api.get('/api/meta');
    expect(meta.status, meta.text).toBe(200);
    expect(Object.keys(meta.body.objects)).toEqual(
      expect.arrayContaining([
        'account',
        'contact',
        'lead',
        'deal',
        'product',
        'price_list',
        'quote',
        'quote_line',
        'contract',
        'order',
        'receivable',
        'payment',
        'activity',
        'campaign',
        'service_case',
        'survey',
      ]),
    );
    expect(Object.keys(meta.body.roles)).toEqual(
      expect.arrayContaining(['sales_manager', 'sales_rep', 'service_agent', 'finance']),
    );
    expect(Object.keys(meta.body.workflows)).toEqual(
      expect.arrayContaining(['quote_discount_approval', 'contract_approval']),
    );
    expect(meta.body.objects.deal['x-i18n']['zh-CN'].title).toBe('商机');
  });
});

describe('stored RFM scores on accounts', () => {
  it('shows them read-only on the account form and in the Customer value list; nobody writes them by hand', async () => {
    const meta = (await tenant.api.get('/api/meta')).body;
    const rfm = ['rfm_segment', 'rfm_recency', 'rfm_frequency', 'rfm_monetary', 'rfm_scored_on'];
    const form = meta.forms.account;
    expect(form.layout).toContainEqual({ title: 'Customer value', titleZh: '客户价值', fields: rfm });
    for (const f of rfm) expect(form.uiSchema[f], f).toEqual({ 'ui:readonly': true });
    expect(meta.views.customer_value).toMatchObject({
      object: 'account',
      label: 'Customer value (RFM)',
      columns: ['name', ...rfm],
      'x-i18n': { 'zh-CN': { title: '客户价值（RFM）' } },
    });
    const list = await tenant.api.get('/api/records/account', {
      query: {
        filter: JSON.stringify(meta.views.customer_value.filter),
        sort: meta.views.customer_value.sort.join(','),
      },
    });
    expect(list.status, list.text).toBe(200);
    const created = await tenant.api.post('/api/records/account', { name: 'Hand-scored', rfm_segment: 'champions' });
    expect(created.status, created.text).toBe(400);
  });
});

describe('core-crm sample data', () => {
  it('creates the sales team in a hierarchy with known passwords', async () => {
    const users = await demo.api.get('/api/users');
    const byEmail = Object.fromEntries(users.body.items.map((u: any) => [u.email, u]));
    expect(byEmail['rep1@demo.test'].roles).toEqual(['sales_rep']);
    expect(byEmail['rep1@demo.test'].manager).toBe(byEmail['manager@demo.test'].id);
    // The SLA escalation of the agent's cases reaches a person at both levels (issue 23).
    expect(byEmail['service@demo.test'].manager).toBe(byEmail['service.manager@demo.test'].id);
    expect(byEmail['service.manager@demo.test'].manager).toBe(byEmail['manager@demo.test'].id);
    await login('finance@demo.test');
  });

  it('fills the pipeline across stages, with probabilities from the stage', async () => {
    const deals = (await demo.api.get('/api/records/deal', { query: { limit: 100 } })).body.items;
    expect(new Set(deals.map((d: any) => d.stage))).toEqual(
      new Set(['prospecting', 'qualification', 'proposal', 'negotiation', 'won', 'lost']),
    );
    const negotiation = deals.find((d: any) => d.name === 'Acme line automation');
    expect(Number(negotiation.probability)).toBe(75);
    expect(Number(negotiation.expected_revenue)).toBe(510000);
  });

  it('computes quote totals from the lines', async () => {
    const q = (await demo.api.get('/api/records/quote', { query: { filter: JSON.stringify({ discount: { eq: 8 } }) } }))
      .body.items[0];
    const full = (await demo.api.get(`/api/records/quote/${q.id}`)).body;
    expect(full.number).toMatch(/^Q-\d{4}-\d{4}$/);
    expect(full.lines).toHaveLength(3);
    // 6 × 85,000 + 20 × 6,200 + 10 × 4,000 = 674,000
    expect(Number(full.subtotal)).toBe(674000);
    // Formulas over roll-ups (discount, tax, total) are fresh as soon as the lines are saved.
    expect(Number(full.discount_amount)).toBe(53920);
    expect(Number(full.total)).toBeCloseTo(674000 * 0.92 * 1.13, 2);
    const saved = await demo.api.patch(
      `/api/records/quote/${q.id}`,
      { terms: 'Net 30' },
      {
        headers: { 'if-match': String(full.version) },
      },
    );
    expect(saved.status, saved.text).toBe(200);
    expect(Number(saved.body.discount_amount)).toBe(53920);
    expect(Number(saved.body.total)).toBeCloseTo(674000 * 0.92 * 1.13, 2);
  });

  it('scopes records by the hierarchy: a rep sees own deals, the manager the team', async () => {
    const rep1 = await login('rep1@demo.test');
    const rep2 = await login('rep2@demo.test');
    const mgr = await login('manager@demo.test');
    const names = async (api: any) =>
      (await api.get('/api/records/deal', { query: { limit: 100 } })).body.items.map((d: any) => d.name);
    const r1 = await names(rep1);
    expect(r1).toContain('Acme line automation');
    expect(r1).not.toContain('Umbrella telehealth pilot');
    // Won deals are shared with the whole sales floor.
    expect(r1).toContain('Initech support renewal');
    expect(await names(rep2)).not.toContain('Acme line automation');
    const m = await names(mgr);
    expect(m).toEqual(
      expect.arrayContaining(['Acme line automation', 'Umbrella telehealth pilot', 'Stark training days']),
    );
  });

  it('has activities due today and overdue, and receivables of every age', async () => {
    const acts = (await demo.api.get('/api/records/activity', { query: { limit: 100 } })).body.items;
    const today = new Date().toISOString().slice(0, 10);
    expect(acts.some((a: any) => a.due_on === today)).toBe(true);
    expect(acts.some((a: any) => a.due_on < today && a.status === 'open')).toBe(true);
    const ar = (await demo.api.get('/api/records/receivable', { query: { limit: 100 } })).body.items;
    expect(ar).toHaveLength(6);
    const partly = ar.find((r: any) => Number(r.amount) === 120000);
    expect(Number(partly.paid)).toBe(60000);
    expect(Number(partly.payment_count)).toBe(1);
  });
});

describe('lead conversion (POST /api/plugins/core-crm/leads/:id/convert)', () => {
  it('turns a lead into an account, a contact and a deal, as the rep, in one go', async () => {
    const rep = await login('rep1@demo.test');
    const created = await rep.post('/api/records/lead', {
      company: 'Pied Piper',
      contact_name: 'Richard H',
      email: 'richard@piedpiper.example',
      source: 'web',
      status: 'qualified',
      estimated_amount: 88000,
    });
    expect(created.status, created.text).toBe(201);
    const r = await rep.post(`/api/plugins/core-crm/leads/${created.body.id}/convert`, { closeOn: '2030-01-31' });
    expect(r.status, r.text).toBe(201);
    expect(r.body.account.name).toBe('Pied Piper');
    expect(r.body.contact.account).toBe(r.body.account.id);
    expect(r.body.deal).toMatchObject({ account: r.body.account.id, stage: 'qualification', close_on: '2030-01-31' });
    expect(Number(r.body.deal.amount)).toBe(88000);
    expect(r.body.lead).toMatchObject({ status: 'converted', converted_deal: r.body.deal.id });
    // The rep owns what they converted.
    const deal = await rep.get(`/api/records/deal/${r.body.deal.id}`);
    expect(deal.status).toBe(200);
    // Converting twice is refused and creates nothing.
    const again = await rep.post(`/api/plugins/core-crm/leads/${created.body.id}/convert`, {});
    expect(again.status).toBe(409);
    const count = await demo.api.get('/api/records/account', {
      query: { filter: JSON.stringify({ name: { eq: 'Pied Piper' } }), count: true },
    });
    expect(count.body.total).toBe(1);
  });

  it('attaches to an existing account, and rolls everything back when a step is refused', async () => {
    const rep = await login('rep1@demo.test');
    const lead = (await rep.post('/api/records/lead', { company: 'Acme Manufacturing', contact_name: 'Qian' })).body;
    // A new account named like an existing one breaks the unique name: nothing may be left behind.
    const clash = await rep.post(`/api/plugins/core-crm/leads/${lead.id}/convert`, {});
    expect(clash.status).toBe(409);
    const contacts = await demo.api.get('/api/records/contact', {
      query: { filter: JSON.stringify({ last_name: { eq: 'Qian' } }), count: true },
    });
    expect(contacts.body.total).toBe(0);
    const acme = (
      await rep.get('/api/records/account', {
        query: { filter: JSON.stringify({ name: { eq: 'Acme Manufacturing' } }) },
      })
    ).body.items[0];
    const ok = await rep.post(`/api/plugins/core-crm/leads/${lead.id}/convert`, {
      account: acme.id,
      dealName: 'Acme add-on',
    });
    expect(ok.status, ok.text).toBe(201);
    expect(ok.body.deal.account).toBe(acme.id);
  });

  it('refuses bad input and other people’s leads with clear 4xx', async () => {
    const rep2 = await login('rep2@demo.test');
    const rep1 = await login('rep1@demo.test');
    const lead = (await rep1.post('/api/records/lead', { company: 'Private Co' })).body;
    // rep2 cannot read rep1's lead: it does not exist for them.
    expect((await rep2.post(`/api/plugins/core-crm/leads/${lead.id}/convert`, {})).status).toBe(404);
    expect((await rep1.post('/api/plugins/core-crm/leads/not-a-uuid/convert', {})).status).toBe(400);
    const unknown = await rep1.post(`/api/plugins/core-crm/leads/${lead.id}/convert`, { amount: 'lots' });
    expect(unknown.status).toBe(400);
    const extra = await rep1.post(`/api/plugins/core-crm/leads/${lead.id}/convert`, { owner: 'x' });
    expect(extra.status).toBe(400);
    const malformed = await rep1.request('POST', `/api/plugins/core-crm/leads/${lead.id}/convert`, {
      raw: '{"dealName":',
    });
    expect(malformed.status).toBe(400);
    expect((await server.anon.post(`/api/plugins/core-crm/leads/${lead.id}/convert`, {})).status).toBe(401);
  });
});

describe('core-crm scheduled jobs', () => {
  it('ages receivables into 30/60/90/180-day buckets', async () => {
    const r = await server.plugins!.runJob('core-crm.receivables-aging', undefined, { tenants: [demo.id] });
    expect(r.failed).toEqual([]);
    const ar = (await demo.api.get('/api/records/receivable', { query: { limit: 100, sort: 'due_on' } })).body.items;
    expect(ar.map((x: any) => x.aging)).toEqual(['d180_plus', 'd91_180', 'd61_90', 'd31_60', 'd1_30', 'not_due']);
    const over90 = await demo.api.get('/api/records/receivable', {
      query: { filter: JSON.stringify({ aging: { in: ['d91_180', 'd180_plus'] } }), count: true },
    });
    expect(over90.body.total).toBe(2);
  });

  it('files activities under due today and overdue (automation rules), reminding each owner once a day', async () => {
    // The tenant's creation already ran the reminder rules once; today's sweep does not repeat them.
    const again = await server.runtime.automations.sweep(undefined, {
      tenants: [demo.id],
      rules: ['activity_due_today', 'activity_overdue'],
    });
    expect(again).toEqual({ succeeded: 0, failed: 0, skipped: 0 });
    const today = (
      await demo.api.get('/api/records/activity', { query: { filter: JSON.stringify({ due_state: { eq: 'today' } }) } })
    ).body.items;
    expect(today.map((a: any) => a.subject)).toEqual(
      expect.arrayContaining(['Call Zhao Lei about the final price', 'Quarterly pipeline review']),
    );
    const overdue = (
      await demo.api.get('/api/records/activity', {
        query: { filter: JSON.stringify({ due_state: { eq: 'overdue' } }) },
      })
    ).body.items;
    expect(overdue.map((a: any) => a.subject)).toEqual(
      expect.arrayContaining(['Follow up on Hooli lead', 'Chase Initech invoice']),
    );
    expect(overdue.map((a: any) => a.subject)).not.toContain('Site visit Acme plant');
    const owner = today.find((a: any) => a.subject === 'Call Zhao Lei about the final price').owner;
    const email = (await demo.api.get(`/api/users/${owner}`)).body.email;
    const notes = (await (await login(email)).get('/api/notifications')).body.items;
    expect(notes.filter((n: any) => n.title === 'Due today: Call Zhao Lei about the final price')).toHaveLength(1);
    const runs = await demo.api.get('/api/automations/runs', { query: { rule: 'activity_overdue' } });
    expect(runs.body.items.length).toBeGreaterThanOrEqual(2);
    expect(runs.body.items.every((r: any) => r.outcome === 'succeeded')).toBe(true);
  });

  it('escalates a case past its SLA to the owner’s manager, once (automation rule)', async () => {
    const users = (await demo.api.get('/api/users')).body.items;
    const agent = users.find((u: any) => u.email === 'service@demo.test');
    const manager = users.find((u: any) => u.email === 'manager@demo.test');
    await demo.api.patch(`/api/users/${agent.id}`, { manager: manager.id });
    await Promise.all([
      server.runtime.automations.sweep(undefined, { tenants: [demo.id], rules: ['case_sla_escalation'] }),
      server.runtime.automations.sweep(undefined, { tenants: [demo.id], rules: ['case_sla_escalation'] }),
    ]);
    await server.runtime.automations.sweep(undefined, { tenants: [demo.id], rules: ['case_sla_escalation'] });
    const cases = (
      await demo.api.get('/api/records/service_case', {
        query: { filter: JSON.stringify({ escalation_level: { gt: 0 } }) },
      })
    ).body.items;
    expect(cases).toHaveLength(1);
    expect(cases[0]).toMatchObject({
      subject: 'Robot arm calibration drift',
      escalation_level: 1,
      escalated_to: manager.id,
    });
    const mgr = await login('manager@demo.test');
    const tasks = (
      await mgr.get('/api/records/activity', {
        query: { filter: JSON.stringify({ service_case: { eq: cases[0].id } }) },
      })
    ).body.items;
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({
      priority: 'high',
      due_state: 'today',
      assigned_to: manager.id,
      owner: manager.id,
    });
    const notes = (await mgr.get('/api/notifications')).body.items.filter((n: any) => n.kind === 'automation');
    expect(notes.filter((n: any) => n.title.includes('Robot arm calibration drift'))).toHaveLength(1);
  });

  it('escalates once more to the next manager up one SLA period later', async () => {
    const users = (await demo.api.get('/api/users')).body.items;
    const manager = users.find((u: any) => u.email === 'manager@demo.test');
    const finance = users.find((u: any) => u.email === 'finance@demo.test');
    await demo.api.patch(`/api/users/${manager.id}`, { manager: finance.id });
    const sweep2 = (hours: number) =>
      server.runtime.automations.sweep(new Date(Date.now() + hours * 3_600_000), {
        tenants: [demo.id],
        rules: ['case_sla_escalation_2'],
      });
    // Not yet one SLA period (at most 72 hours) past the deadline, hours ago: nothing.
    expect((await sweep2(0)).succeeded).toBe(0);
    expect((await sweep2(100)).succeeded).toBe(1);
    expect((await sweep2(101)).succeeded).toBe(0);
    const [escalated] = (
      await demo.api.get('/api/records/service_case', {
        query: { filter: JSON.stringify({ escalation_level: { eq: 2 } }) },
      })
    ).body.items;
    expect(escalated).toMatchObject({ subject: 'Robot arm calibration drift', escalated_to: finance.id });
    const tasks = (
      await demo.api.get('/api/records/activity', {
        query: { filter: JSON.stringify({ service_case: { eq: escalated.id }, assigned_to: { eq: finance.id } }) },
      })
    ).body.items;
    expect(tasks).toHaveLength(1);
    expect(tasks[0].subject).toMatch(/level 2/);
  });

  it('ships the reminders and the escalation as automation rules a consultant can edit', async () => {
    const meta = (await demo.api.get('/api/meta')).body;
    expect(Object.keys(meta.automations)).toEqual(
      expect.arrayContaining([
        'case_sla_escalation',
        'case_sla_escalation_2',
        'activity_due_today',
        'activity_overdue',
      ]),
    );
    const rule = {
      ...meta.automations.case_sla_escalation,
      trigger: { ...meta.automations.case_sla_escalation.trigger, every: 'PT15M' },
    };
    const r = await demo.api.put('/api/meta/automations/case_sla_escalation', rule);
    expect(r.status, r.text).toBe(200);
  });
});

describe('contract approval', () => {
  it('an approved contract gets its PDF attached before it becomes active', async () => {
    const account = (await demo.api.get('/api/records/account', { query: { limit: 1 } })).body.items[0];
    const created = await demo.api.post('/api/records/contract', {
      name: 'Maintenance 2031',
      account: account.id,
      value: 12000,
      start_on: '2031-01-01',
      end_on: '2031-12-31',
      terms: 'Twelve months of maintenance.',
    });
    expect(created.status, created.text).toBe(201);
    const id = created.body.id;
    expect((await demo.api.post(`/api/records/contract/${id}/submit`, {})).status).toBe(201);
    const mgr = await login('manager@demo.test');
    const task = (await mgr.get('/api/approvals/inbox')).body.items.find((i: any) => i.record === id);
    expect((await mgr.post(`/api/approvals/tasks/${task.task}/approve`, { comment: 'OK' })).status).toBe(200);
    const contract = (await demo.api.get(`/api/records/contract/${id}`)).body;
    expect(contract).toMatchObject({ status: 'active', approval_status: 'approved' });
    const files = (await demo.api.get(`/api/records/contract/${id}/files`)).body;
    const items = files.items ?? files;
    expect(items).toEqual([expect.objectContaining({ name: `contract-${id}.pdf`, contentType: 'application/pdf' })]);
    const pdf = await fetch(new URL(`/api/records/contract/${id}/files/${items[0].id}`, server.url), {
      headers: { authorization: `Bearer ${demo.api.token}` },
    });
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
    const history = (await demo.api.get(`/api/records/contract/${id}/approvals`)).body.items[0].history;
    expect(history.find((h: any) => h.action === 'document')?.data).toMatchObject({ template: 'contract' });
  });
});

describe('quote discount approval', () => {
  it('a discount above 15% is sent only after a sales manager approved it', async () => {
    const rep = await login('rep1@demo.test');
    const mgr = await login('manager@demo.test');
    const quote = (await rep.get('/api/records/quote', { query: { filter: JSON.stringify({ discount: { eq: 18 } }) } }))
      .body.items[0];
    const send = (version: number) =>
      rep.patch(`/api/records/quote/${quote.id}`, { status: 'sent' }, { headers: { 'if-match': String(version) } });
    const early = await send(quote.version);
    expect(early.status).toBe(400);
    expect(early.body.error.fields.status).toMatch(/approved/);

    const submitted = await rep.post(`/api/records/quote/${quote.id}/submit`, { comment: 'Strategic account' });
    expect(submitted.status, submitted.text).toBe(201);
    const task = (await mgr.get('/api/approvals/inbox')).body.items.find((i: any) => i.record === quote.id);
    expect(task).toBeDefined();
    expect((await mgr.post(`/api/approvals/tasks/${task.task}/approve`, { comment: 'Go' })).status).toBe(200);

    const approved = (await rep.get(`/api/records/quote/${quote.id}`)).body;
    expect(approved.approval_status).toBe('approved');
    const sent = await send(approved.version);
    expect(sent.status, sent.text).toBe(200);
    expect(sent.body.status).toBe('sent');
  });

  it('a quote within the discount limit needs no approval and matches no workflow', async () => {
    const rep = await login('rep1@demo.test');
    const quote = (await rep.get('/api/records/quote', { query: { filter: JSON.stringify({ discount: { eq: 8 } }) } }))
      .body.items[0];
    expect((await rep.post(`/api/records/quote/${quote.id}/submit`, {})).status).toBe(400);
  });
});
