/**
 * The customer portal (docs/portal.md) through a real server: magic-link sign-in captured from the
 * e-mail outbox, single use and expiry, rate limits, and the isolation of one customer account from
 * another on every route a portal session can reach — and of portal sessions from staff routes.
 */
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

let server: TestServer;
let tenant: TestTenant;
let other: TestTenant;

const ids: Record<string, string> = {};
/** Text stored only in fields the portal role hides: no portal answer may contain it. */
const SECRET = 'internal-okapi-7731';

const ip = () => `198.51.100.${randomInt(1, 200)}`;
const outbox = (t: string) => server.runtime.db.withSchema(`t_${t}`).from('_email_outbox');
const portal = (t = tenant.id) => `/api/portal/${t}`;

async function ok(p: Promise<{ status: number; text: string; body: any }>, what = 'request') {
  const r = await p;
  expect(r.status, `${what}: ${r.text}`).toBeLessThan(300);
  return r.body;
}

/** Asks for a link and returns the one the outbox holds for `email` (the newest). */
async function requestLink(email: string, t = tenant.id): Promise<string | undefined> {
  const before = await outbox(t).where('to_address', email).count<{ count: string }[]>('* as count');
  const r = await server.anon.post(`${portal(t)}/login`, { email }, { headers: { 'x-forwarded-for': ip() } });
  expect(r.status, r.text).toBe(202);
  const rows = await outbox(t).where('to_address', email).orderBy('created_at', 'desc').select('body');
  if (rows.length === Number(before[0]?.count ?? 0)) return undefined;
  const m = /#token=([^\s]+)/.exec(rows[0].body as string);
  return m ? decodeURIComponent(m[1] as string) : undefined;
}

async function signIn(email: string): Promise<{ api: ApiClient; token: string; me: any; cookie: string }> {
  const link = await requestLink(email);
  expect(link, `a link for ${email}`).toBeTruthy();
  const r = await server.anon.post(`${portal()}/session`, { token: link });
  expect(r.status, r.text).toBe(200);
  return {
    api: server.anon.withToken(r.body.token),
    token: r.body.token,
    me: r.body.me,
    cookie: r.headers.get('set-cookie') ?? '',
  };
}

beforeAll(async () => {
  server = await startTestServer({
    plugins: [{ kind: 'module', specifier: '@forma/plugin-core-crm', origin: 'workspace' }],
    trustProxy: true,
    runtimeConfig: { portal: { maxRequestsPerEmail: 6, maxRequestsPerIp: 6 } },
  });
  tenant = await createTestTenant(server, { prefix: 'portal', template: 'core-crm' });
  other = await createTestTenant(server, { prefix: 'portalx', template: 'core-crm' });
  const api = tenant.api;
  const create = async (object: string, body: Record<string, unknown>) =>
    (await ok(api.post(`/api/records/${object}`, body), object)).id as string;
  ids.accountA = await create('account', { name: 'Alpha Ltd', portal_access: true, description: SECRET });
  ids.accountB = await create('account', { name: 'Beta Ltd', portal_access: true });
  ids.accountC = await create('account', { name: 'Gamma Ltd' });
  ids.alice = await create('contact', {
    first_name: 'Alice',
    last_name: 'A',
    email: 'alice@alpha.test',
    account: ids.accountA,
  });
  ids.dave = await create('contact', {
    first_name: 'Dave',
    last_name: 'A',
    email: 'dave@alpha.test',
    account: ids.accountA,
  });
  ids.bob = await create('contact', {
    first_name: 'Bob',
    last_name: 'B',
    email: 'bob@beta.test',
    account: ids.accountB,
  });
  ids.carol = await create('contact', {
    first_name: 'Carol',
    last_name: 'C',
    email: 'carol@gamma.test',
    account: ids.accountC,
  });
  ids.caseA = await create('service_case', { subject: 'Printer broken', account: ids.accountA, contact: ids.alice });
  ids.caseB = await create('service_case', {
    subject: 'Beta secret case',
    account: ids.accountB,
    contact: ids.bob,
    description: 'beta only',
  });
  await ok(api.patch(`/api/records/service_case/${ids.caseA}`, { escalation_level: 2, version: 1 }), 'escalate');
  ids.orderA = await create('order', { account: ids.accountA, amount: 100, notes: SECRET });
  ids.orderB = await create('order', { account: ids.accountB, amount: 200, notes: 'beta order' });
  ids.invoiceA = await create('receivable', { account: ids.accountA, amount: 100, due_on: '2027-01-31' });
  ids.invoiceB = await create('receivable', { account: ids.accountB, amount: 200, due_on: '2027-01-31' });
  ids.commentB = await create('case_comment', { service_case: ids.caseB, body: 'Beta conversation' });
  const file = await api.request('POST', `/api/records/service_case/${ids.caseB}/files`, {
    raw: 'beta file',
    headers: { 'content-type': 'text/plain' },
    query: { name: 'beta.txt' },
  });
  expect(file.status, file.text).toBe(201);
  ids.fileB = file.body.id;
}, 240_000);

afterAll(async () => {
  for (const t of [tenant, other])
    if (t) await server.platform.delete(`/api/tenants/${t.id}`, { query: { confirm: t.id } });
  await server?.close();
});

describe('sign-in by e-mailed link', () => {
  it('answers 202 for every address and mails a link only to contacts of accounts with portal access', async () => {
    expect(await requestLink('nobody@nowhere.test')).toBeUndefined();
    expect(await requestLink('carol@gamma.test')).toBeUndefined();
    expect(await requestLink('ALICE@alpha.test'.toLowerCase())).toMatch(new RegExp(`^${tenant.id}\\.`));
    // A tenant that does not exist answers the same.
    const r = await server.anon.post('/api/portal/no_such_tenant/login', { email: 'alice@alpha.test' });
    expect(r.status).toBe(202);
  });

  it('opens a session once per link; a reused, tampered, expired or foreign link is refused', async () => {
    const link = (await requestLink('alice@alpha.test')) as string;
    const first = await server.anon.post(`${portal()}/session`, { token: link });
    expect(first.status, first.text).toBe(200);
    expect(first.body.me.contact.name).toBe('Alice A');
    expect(first.body.me.account.name).toBe('Alpha Ltd');
    const cookie = first.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/forma_portal=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/Path=\/api\/portal\//);
    expect(cookie).toMatch(/SameSite=Strict/i);

    const again = await server.anon.post(`${portal()}/session`, { token: link });
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe('UNAUTHENTICATED');

    const fresh = (await requestLink('alice@alpha.test')) as string;
    const tampered = `${fresh.slice(0, -2)}${fresh.endsWith('AA') ? 'BB' : 'AA'}`;
    expect((await server.anon.post(`${portal()}/session`, { token: tampered })).status).toBe(401);
    // The same link on another tenant's portal is refused, and stays good for its own.
    expect((await server.anon.post(`${portal(other.id)}/session`, { token: fresh })).status).toBe(401);

    const late = (await requestLink('dave@alpha.test')) as string;
    await server.runtime.db
      .withSchema(`t_${tenant.id}`)
      .from('_portal_links')
      .whereNull('used_at')
      .update({ expires_at: new Date(Date.now() - 1000) });
    expect((await server.anon.post(`${portal()}/session`, { token: late })).status).toBe(401);
    expect((await server.anon.post(`${portal()}/session`, { token: fresh })).status).toBe(401);
  });

  it('refuses malformed JSON, unknown members and oversized bodies with clear errors', async () => {
    const bad = await server.anon.request('POST', `${portal()}/login`, { raw: '{"email":' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('BAD_REQUEST');
    const extra = await server.anon.post(`${portal()}/login`, { email: 'a@b.test', admin: true });
    expect(extra.status).toBe(400);
    const big = await server.anon.request('POST', `${portal()}/login`, {
      raw: JSON.stringify({ email: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(big.status).toBe(413);
    const session = await server.anon.request('POST', `${portal()}/session`, { raw: '[1,2' });
    expect(session.status).toBe(400);
  });

  it('limits sign-in requests per e-mail address and per client address (429 with Retry-After)', async () => {
    const from = { 'x-forwarded-for': '198.51.100.250' };
    const email = `limit-${randomInt(1e6)}@alpha.test`;
    for (let i = 0; i < 6; i++)
      expect(
        (await server.anon.post(`${portal()}/login`, { email }, { headers: { 'x-forwarded-for': ip() } })).status,
      ).toBe(202);
    const overEmail = await server.anon.post(`${portal()}/login`, { email }, { headers: { 'x-forwarded-for': ip() } });
    expect(overEmail.status).toBe(429);
    expect(overEmail.headers.get('retry-after')).toBeTruthy();
    for (let i = 0; i < 6; i++) {
      const r = await server.anon.post(`${portal()}/login`, { email: `ip${i}@x.test` }, { headers: from });
      expect(r.status, `${i}: ${r.text}`).toBe(202);
    }
    const overIp = await server.anon.post(`${portal()}/login`, { email: 'someone@x.test' }, { headers: from });
    expect(overIp.status).toBe(429);
    expect(overIp.body.error.code).toBe('RATE_LIMITED');
  });
});

describe('a portal user sees their own account only', () => {
  let alice: Awaited<ReturnType<typeof signIn>>;
  beforeAll(async () => {
    alice = await signIn('alice@alpha.test');
  });

  it("lists the account's cases, orders and invoices, without internal fields", async () => {
    expect(alice.me.lists.map((l: any) => l.name)).toEqual(['service_case', 'order', 'receivable']);
    const caseFields = alice.me.cases.fields.map((f: any) => f.name);
    expect(caseFields).toContain('subject');
    for (const f of ['escalation_level', 'escalated_to', 'owner']) expect(caseFields).not.toContain(f);
    const editable = alice.me.cases.fields.filter((f: any) => f.editable).map((f: any) => f.name);
    expect(editable).toEqual(['subject', 'priority', 'description']);
    const cases = await ok(alice.api.get(`${portal()}/lists/service_case`));
    expect(cases.items.map((c: any) => c.id)).toEqual([ids.caseA]);
    for (const f of ['escalation_level', 'owner', 'created_by', 'updated_by', 'escalated_to'])
      expect(cases.items[0]).not.toHaveProperty(f);
    const orders = await ok(alice.api.get(`${portal()}/lists/order`));
    expect(orders.items.map((o: any) => o.id)).toEqual([ids.orderA]);
    expect(orders.items[0]).not.toHaveProperty('notes');
    const invoices = await ok(alice.api.get(`${portal()}/lists/receivable`));
    expect(invoices.items.map((o: any) => o.id)).toEqual([ids.invoiceA]);
    expect(invoices.items[0]).not.toHaveProperty('aging');
    for (const r of [cases, orders, invoices, alice.me]) expect(JSON.stringify(r)).not.toContain(SECRET);
  });

  it("answers 404 for account B's records on every portal route, and leaks nothing of them", async () => {
    const probes: Array<[string, Promise<{ status: number; text: string }>]> = [
      ['case by id', alice.api.get(`${portal()}/lists/service_case/${ids.caseB}`)],
      ['order by id', alice.api.get(`${portal()}/lists/order/${ids.orderB}`)],
      ['invoice by id', alice.api.get(`${portal()}/lists/receivable/${ids.invoiceB}`)],
      ['case page', alice.api.get(`${portal()}/cases/${ids.caseB}`)],
      ['comment on B', alice.api.post(`${portal()}/cases/${ids.caseB}/comments`, { body: 'hi' })],
      [
        'upload to B',
        alice.api.request('POST', `${portal()}/cases/${ids.caseB}/files`, {
          raw: 'x',
          headers: { 'content-type': 'text/plain' },
          query: { name: 'x.txt' },
        }),
      ],
      ['download from B', alice.api.get(`${portal()}/cases/${ids.caseB}/files/${ids.fileB}`)],
      ["B's file through A's case", alice.api.get(`${portal()}/cases/${ids.caseA}/files/${ids.fileB}`)],
      ['comment object as a list', alice.api.get(`${portal()}/lists/case_comment`)],
      ['accounts', alice.api.get(`${portal()}/lists/account`)],
      ['contacts', alice.api.get(`${portal()}/lists/contact`)],
      ['deals', alice.api.get(`${portal()}/lists/deal`)],
      ['account B as a record', alice.api.get(`${portal()}/lists/account/${ids.accountB}`)],
      ['not an id', alice.api.get(`${portal()}/cases/not-a-uuid`)],
    ];
    for (const [what, p] of probes) {
      const r = await p;
      expect([400, 404], `${what}: ${r.status} ${r.text}`).toContain(r.status);
      for (const leak of ['Beta', 'beta', ids.accountB, ids.bob]) expect(r.text, what).not.toContain(leak);
    }
  });

  it('offers no filter, search, expand or export on its lists (400), so none can reach past the scope', async () => {
    for (const query of [
      { filter: JSON.stringify({ account: { eq: ids.accountB } }) },
      { q: 'Beta' },
      { expand: 'account' },
      { fields: 'escalation_level' },
      { format: 'csv' },
    ]) {
      const r = await alice.api.get(`${portal()}/lists/service_case`, { query });
      expect(r.status, JSON.stringify(query)).toBe(400);
      expect(r.text).not.toContain('Beta');
    }
  });

  it('refuses the portal session on staff and admin routes (401)', async () => {
    const staff: Array<[string, string]> = [
      ['GET', '/api/auth/me'],
      ['GET', '/api/records/service_case'],
      ['GET', `/api/records/service_case/${ids.caseA}`],
      ['GET', '/api/records/service_case/export'],
      ['GET', '/api/records/service_case/aggregate?count=true'],
      ['GET', `/api/search?q=Beta`],
      ['GET', '/api/reports'],
      ['GET', '/api/meta'],
      ['GET', '/api/meta/app'],
      ['GET', '/api/users'],
      ['GET', `/api/records/service_case/${ids.caseB}/files`],
      ['GET', `/api/records/service_case/${ids.caseA}/timeline`],
      ['POST', '/api/records/service_case'],
    ];
    for (const [method, path] of staff) {
      const r = await alice.api.request(method, path, method === 'POST' ? { body: { subject: 'x' } } : {});
      expect(r.status, `${method} ${path}: ${r.text}`).toBe(401);
      expect(r.text).not.toContain('Beta');
    }
    // The cookie alone never reaches staff routes: its path is the portal's.
    expect(alice.cookie).not.toMatch(/Path=\/;/);
  });

  it('refuses staff sessions on portal routes, and portal sessions of another tenant', async () => {
    for (const path of ['/me', '/lists/service_case', `/cases/${ids.caseA}`])
      expect((await tenant.api.get(`${portal()}${path}`)).status).toBe(401);
    expect((await alice.api.get(`${portal(other.id)}/me`)).status).toBe(401);
    expect((await server.anon.get(`${portal()}/me`)).status).toBe(401);
  });

  it('opens a case for its own account and contact, whatever the body says', async () => {
    const created = await alice.api.post(`${portal()}/cases`, {
      subject: 'Screen flickers',
      description: 'Since Monday',
      priority: 'high',
      account: ids.accountB,
      contact: ids.bob,
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({ subject: 'Screen flickers', account: ids.accountA, contact: ids.alice });
    const staffView = await ok(tenant.api.get(`/api/records/service_case/${created.body.id}`));
    expect(staffView).toMatchObject({ account: ids.accountA, contact: ids.alice, status: 'new' });
    const bobCases = await signIn('bob@beta.test');
    const list = await ok(bobCases.api.get(`${portal()}/lists/service_case`));
    expect(list.items.map((c: any) => c.id)).toEqual([ids.caseB]);

    // Internal fields and system fields cannot be written from the portal.
    for (const extra of [{ escalation_level: 3 }, { owner: tenant.admin.id }, { sla_due_at: '2030-01-01T00:00:00Z' }]) {
      const r = await alice.api.post(`${portal()}/cases`, { subject: 'x', ...extra });
      expect(r.status, r.text).toBe(400);
      expect(Object.keys(r.body.error.fields)).toEqual(Object.keys(extra));
    }
    const unknown = await alice.api.post(`${portal()}/cases`, { subject: 'x', nonsense: 1 });
    expect(unknown.status).toBe(400);
    const bad = await alice.api.request('POST', `${portal()}/cases`, { raw: '{"subject":' });
    expect(bad.status).toBe(400);
  });

  it('comments on and attaches files to its own case; staff replies show in the conversation', async () => {
    const comment = await alice.api.post(`${portal()}/cases/${ids.caseA}/comments`, {
      body: 'Still broken',
      service_case: ids.caseB,
    });
    expect(comment.status).toBe(400);
    const added = await alice.api.post(`${portal()}/cases/${ids.caseA}/comments`, { body: 'Still broken' });
    expect(added.status, added.text).toBe(201);
    expect(added.body).toMatchObject({ body: 'Still broken', mine: true });
    await ok(tenant.api.post('/api/records/case_comment', { service_case: ids.caseA, body: 'We are on it' }), 'reply');
    const file = await alice.api.request('POST', `${portal()}/cases/${ids.caseA}/files`, {
      raw: 'photo of the printer',
      headers: { 'content-type': 'text/plain' },
      query: { name: 'printer.txt' },
    });
    expect(file.status, file.text).toBe(201);
    const page = await ok(alice.api.get(`${portal()}/cases/${ids.caseA}`));
    expect(page.record.id).toBe(ids.caseA);
    expect(page.record).not.toHaveProperty('escalation_level');
    expect(page.comments.map((c: any) => [c.body, c.mine])).toEqual([
      ['Still broken', true],
      ['We are on it', false],
    ]);
    expect(page.files.map((f: any) => f.name)).toEqual(['printer.txt']);
    const body = await alice.api.get(`${portal()}/cases/${ids.caseA}/files/${file.body.id}`);
    expect(body.text).toBe('photo of the printer');
    expect(body.headers.get('content-disposition')).toMatch(/^attachment/);
    // The comment carries the account and contact of the session.
    const stored = await ok(tenant.api.get(`/api/records/case_comment/${added.body.id}`));
    expect(stored).toMatchObject({ account: ids.accountA, contact: ids.alice, service_case: ids.caseA });
    const tooBig = await alice.api.request('POST', `${portal()}/cases/${ids.caseA}/comments`, {
      raw: JSON.stringify({ body: 'x'.repeat(5000) }),
    });
    expect(tooBig.status).toBe(400);
  });

  it('ends the session when the account loses portal access, and on logout', async () => {
    const dave = await signIn('dave@alpha.test');
    expect((await dave.api.get(`${portal()}/me`)).status).toBe(200);
    const out = await dave.api.post(`${portal()}/logout`);
    expect(out.status).toBe(204);
    expect((await dave.api.get(`${portal()}/me`)).status).toBe(401);

    const again = await signIn('dave@alpha.test');
    const account = await ok(tenant.api.get(`/api/records/account/${ids.accountA}`));
    await ok(
      tenant.api.patch(`/api/records/account/${ids.accountA}`, { portal_access: false, version: account.version }),
    );
    expect((await again.api.get(`${portal()}/me`)).status).toBe(401);
    expect((await alice.api.get(`${portal()}/lists/service_case`)).status).toBe(401);
    expect(await requestLink('dave@alpha.test')).toBeUndefined();
  });
});
