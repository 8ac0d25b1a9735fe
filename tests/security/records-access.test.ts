/**
 * Security probes of every record endpoint, as every role: who sees, changes and deletes which deal
 * (BOLA answers 404), hidden fields on every channel, mass assignment, identifier injection, the
 * hierarchy to depth 3 and after a manager change, manual shares.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support';
import { buildWorld, expectNoLeak, SECRET, type UserKey, type World } from './support/security-world';

let server: TestServer;
let world: World | undefined;

beforeAll(async () => {
  server = await startTestServer();
  world = await buildWorld(server, 'sec');
});
afterAll(async () => {
  if (world) await server?.platform.delete(`/api/tenants/${world.tenant.id}`, { query: { confirm: world.tenant.id } });
  await server?.close();
});

/** The world every probe runs in; a probe never skips itself (a missing route is a failure). */
function need(): World {
  if (!world) throw new Error('The security world was not built');
  return world;
}

const OWNERS = ['director', 'mgr', 'lead', 'rep1', 'rep2', 'rep3'] as const;
type Owner = (typeof OWNERS)[number];
const MANAGER_OF: Record<Owner, Owner | null> = {
  director: null,
  mgr: 'director',
  lead: 'mgr',
  rep1: 'mgr',
  rep2: 'mgr',
  rep3: 'lead',
};
const isBelow = (owner: Owner | null, boss: UserKey): boolean => {
  for (let at: Owner | null = owner; at; at = MANAGER_OF[at]) if (at === boss) return true;
  return false;
};
const ROLE: Record<UserKey, 'manager' | 'rep' | 'viewer' | 'none'> = {
  director: 'manager',
  mgr: 'manager',
  lead: 'manager',
  rep1: 'rep',
  rep2: 'rep',
  rep3: 'rep',
  viewer: 'viewer',
  outsider: 'none',
};
type DealKey = Owner | 'won' | 'admin';
/** The admin's deal belongs to nobody in the hierarchy. */
const ownerOf = (d: DealKey): Owner | null => (d === 'won' ? 'rep2' : d === 'admin' ? null : d);
const canRead = (u: UserKey, d: DealKey) => {
  const role = ROLE[u];
  if (role === 'viewer') return true;
  if (role === 'manager') return isBelow(ownerOf(d), u);
  if (role === 'rep') return ownerOf(d) === u || d === 'won';
  return false;
};
const canUpdate = (u: UserKey, d: DealKey) => {
  const role = ROLE[u];
  if (role === 'manager') return isBelow(ownerOf(d), u);
  if (role === 'rep') return ownerOf(d) === u;
  return false;
};
const canDelete = (u: UserKey, d: DealKey) => ROLE[u] === 'manager' && ownerOf(d) === u;
const ALL_USERS: UserKey[] = ['director', 'mgr', 'lead', 'rep1', 'rep2', 'rep3', 'viewer', 'outsider'];
const ALL_DEALS: DealKey[] = [...OWNERS, 'won', 'admin'];

describe('read scope, every role × every record', () => {
  it('GET answers 200 inside the read scope and 404 outside it', async () => {
    const w = need();
    for (const u of ALL_USERS)
      for (const d of ALL_DEALS) {
        const r = await w.users[u].api.get(`/api/records/deal/${w.deals[d]}`);
        expect(r.status, `${u} GET deal of ${d}`).toBe(canRead(u, d) ? 200 : 404);
        expectNoLeakFor(u, r.body);
      }
  });

  it('lists exactly the records in scope, to depth 3', async () => {
    const w = need();
    for (const u of ALL_USERS) {
      const r = await w.users[u].api.get('/api/records/deal', { query: { limit: 500 } });
      if (ROLE[u] === 'none') {
        expect([403, 404, 200], `${u} list`).toContain(r.status);
        if (r.status === 200) expect(r.body.items).toEqual([]);
        continue;
      }
      expect(r.status, r.text).toBe(200);
      const ids = new Set(r.body.items.map((i: { id: string }) => i.id));
      const expected = new Set(ALL_DEALS.filter((d) => canRead(u, d)).map((d) => w.deals[d]));
      expect(ids, `${u} list`).toEqual(expected);
      expectNoLeakFor(u, r.body);
    }
  });

  it('history follows the read scope', async () => {
    const w = need();
    for (const u of ['rep1', 'lead', 'outsider'] as const)
      for (const d of ALL_DEALS) {
        const r = await w.users[u].api.get(`/api/records/deal/${w.deals[d]}/history`);
        expect(r.status, `${u} history of ${d}`).toBe(canRead(u, d) ? 200 : 404);
        expectNoLeakFor(u, r.body);
      }
  });
});

describe('update and delete scope', () => {
  it('PATCH: 200 in the update scope, 403 readable but not updatable, 404 unreadable', async () => {
    const w = need();
    for (const u of ALL_USERS)
      for (const d of ALL_DEALS) {
        const current = await w.tenant.api.get(`/api/records/deal/${w.deals[d]}`);
        const r = await w.users[u].api.patch(
          `/api/records/deal/${w.deals[d]}`,
          { name: current.body.name },
          { headers: { 'if-match': String(current.body.version) } },
        );
        const expected = canUpdate(u, d) ? 200 : canRead(u, d) ? 403 : 404;
        expect(r.status, `${u} PATCH deal of ${d}: ${r.text}`).toBe(expected);
      }
  });

  it('DELETE: refused (403 readable, 404 unreadable) outside the delete scope, nothing deleted', async () => {
    const w = need();
    for (const u of ALL_USERS)
      for (const d of ALL_DEALS) {
        if (canDelete(u, d)) continue;
        const r = await w.users[u].api.delete(`/api/records/deal/${w.deals[d]}`);
        expect(r.status, `${u} DELETE deal of ${d}`).toBe(canRead(u, d) ? 403 : 404);
      }
    const all = await w.tenant.api.get('/api/records/deal', { query: { limit: 500 } });
    expect(all.body.items).toHaveLength(ALL_DEALS.length);
  });

  it('ids of other tenants answer 404 on every record endpoint', async () => {
    const w = need();
    const other = await buildOtherTenant(server);
    const id = other.deal;
    const api = w.users.rep1.api;
    expect((await api.get(`/api/records/deal/${id}`)).status).toBe(404);
    expect((await w.tenant.api.get(`/api/records/deal/${id}`)).status).toBe(404);
    expect(
      (await w.tenant.api.patch(`/api/records/deal/${id}`, { name: 'x' }, { headers: { 'if-match': '1' } })).status,
    ).toBe(404);
    expect((await w.tenant.api.delete(`/api/records/deal/${id}`)).status).toBe(404);
    expect((await w.tenant.api.get(`/api/records/deal/${id}/history`)).status).toBe(404);
    expect((await w.tenant.api.get(`/api/records/deal/${id}/shares`)).status).toBe(404);
    expect((await w.tenant.api.get(`/api/records/deal/${id}/access`)).status).toBe(404);
    // The other tenant's record is untouched.
    expect((await other.api.get(`/api/records/deal/${id}`)).body.name).toBe('Other tenant deal');
    await server.platform.delete(`/api/tenants/${other.id}`, { query: { confirm: other.id } });
  });
});

function expectNoLeakFor(u: UserKey, body: unknown) {
  if (ROLE[u] === 'manager') {
    // Managers read margins but never the secret note.
    expect(JSON.stringify(body)).not.toContain(SECRET);
    expect(JSON.stringify(body)).not.toContain('"secret_note"');
  } else expectNoLeak(body);
}

async function buildOtherTenant(srv: TestServer) {
  const { createTestTenant } = await import('../support');
  const t = await createTestTenant(srv, { prefix: 'secother' });
  await t.api.put('/api/meta/objects/deal', {
    title: 'Deal',
    type: 'object',
    properties: { name: { type: 'string', maxLength: 200 } },
  });
  const r = await t.api.post('/api/records/deal', { name: 'Other tenant deal' });
  expect(r.status, r.text).toBe(201);
  return { id: t.id, api: t.api, deal: r.body.id as string };
}

describe('hidden fields on every channel', () => {
  const rep = (w: World) => w.users.rep1.api;

  it('get and list never carry them, even when asked with fields=', async () => {
    const w = need();
    const own = await rep(w).get(`/api/records/deal/${w.deals.rep1}`);
    expect(own.status).toBe(200);
    expect(own.body.discount).toBe(5);
    expectNoLeak(own.body);
    const asked = await rep(w).get('/api/records/deal', { query: { fields: 'name,margin' } });
    expect(asked.status).toBe(400);
    expectNoLeak(asked.body);
  });

  it('filter and sort keys on hidden fields are refused', async () => {
    const w = need();
    for (const filter of [
      { margin: { eq: 42 } },
      { secret_note: { contains: 'zebra' } },
      { or: [{ margin: { gt: 0 } }] },
    ]) {
      const r = await rep(w).get('/api/records/deal', { query: { filter: JSON.stringify(filter) } });
      expect(r.status, JSON.stringify(filter)).toBe(400);
    }
    expect((await rep(w).get('/api/records/deal', { query: { sort: 'margin' } })).status).toBe(400);
    expect((await rep(w).get('/api/records/deal', { query: { sort: '-secret_note' } })).status).toBe(400);
    // Through a lookup: account.rating is hidden from reps too.
    const through = await rep(w).get('/api/records/deal', {
      query: { filter: JSON.stringify({ 'account.rating': { eq: 5 } }) },
    });
    expect(through.status).toBe(400);
  });

  it('q search does not match on hidden text', async () => {
    const w = need();
    const r = await rep(w).get('/api/records/deal', { query: { q: SECRET } });
    expect(r.status).toBe(200);
    expect(r.body.items).toEqual([]);
  });

  it('expand does not carry the lookup target’s hidden fields', async () => {
    const w = need();
    const r = await rep(w).get(`/api/records/deal/${w.deals.rep1}`, { query: { expand: 'account' } });
    expect(r.status, r.text).toBe(200);
    expect(r.body.account).toMatchObject({ id: w.account, name: 'Acme' });
    expect(JSON.stringify(r.body)).not.toContain('"rating"');
    expectNoLeak(r.body);
    const list = await rep(w).get('/api/records/deal', { query: { expand: 'account' } });
    expect(list.status, list.text).toBe(200);
    expect(JSON.stringify(list.body)).not.toContain('"rating"');
    expectNoLeak(list.body);
  });

  it('aggregates refuse hidden fields and count only rows in scope', async () => {
    const w = need();
    expect((await rep(w).get('/api/records/deal/aggregate', { query: { sum: 'margin' } })).status).toBe(400);
    expect(
      (await rep(w).get('/api/records/deal/aggregate', { query: { groupBy: 'secret_note', count: true } })).status,
    ).toBe(400);
    const r = await rep(w).get('/api/records/deal/aggregate', { query: { groupBy: 'stage', count: true } });
    expect(r.status, r.text).toBe(200);
    const total = r.body.groups.reduce((n: number, g: { count: number }) => n + Number(g.count), 0);
    expect(total).toBe(ALL_DEALS.filter((d) => canRead('rep1', d)).length);
  });

  it('export has only readable columns and rows in scope', async () => {
    const w = need();
    const r = await rep(w).get('/api/records/deal/export', { query: { format: 'csv' } });
    expect(r.status, r.text).toBe(200);
    expectNoLeak(r.text);
    const lines = r.text.trim().split(/\r?\n/);
    expect(lines).toHaveLength(1 + ALL_DEALS.filter((d) => canRead('rep1', d)).length);
    expect(
      (await rep(w).get('/api/records/deal/export', { query: { format: 'csv', fields: 'name,margin' } })).status,
    ).toBe(400);
  });

  it('history does not show changes of hidden fields', async () => {
    const w = need();
    const r = await rep(w).get(`/api/records/deal/${w.deals.rep1}/history`);
    expect(r.status).toBe(200);
    expect(r.body.items.length).toBeGreaterThan(0);
    expectNoLeak(r.body);
  });

  it('the app metadata does not name hidden fields', async () => {
    const w = need();
    const r = await rep(w).get('/api/meta/app');
    expect(Object.keys(r.body.objects).sort()).toEqual(['account', 'deal']);
    expectNoLeak(r.body);
    const none = await w.users.outsider.api.get('/api/meta/app');
    expect(none.body.objects).toEqual({});
  });
});

describe('script query() runs as the calling user', () => {
  it('returns only the records and fields the caller may read', async () => {
    const w = need();
    const saved = await w.tenant.api.put('/api/meta/scripts/peek', {
      object: 'deal',
      event: 'action',
      code: "return await query('deal', {}, { limit: 200 });",
    });
    expect(saved.status, saved.text).toBe(200);
    const r = await w.users.rep1.api.post(`/api/records/deal/${w.deals.rep1}/actions/peek`, {});
    expect(r.status, r.text).toBe(200);
    const ids = new Set((r.body.result as Array<{ id: string }>).map((d) => d.id));
    expect(ids).toEqual(new Set(ALL_DEALS.filter((d) => canRead('rep1', d)).map((d) => w.deals[d])));
    expectNoLeak(r.body);
    // The action itself runs only on a record the caller can read.
    expect((await w.users.rep1.api.post(`/api/records/deal/${w.deals.mgr}/actions/peek`, {})).status).toBe(404);
  });

  it('refuses filters on hidden fields inside query()', async () => {
    const w = need();
    const saved = await w.tenant.api.put('/api/meta/scripts/peek_margin', {
      object: 'deal',
      event: 'action',
      code: "return await query('deal', { margin: { gt: 0 } });",
    });
    expect(saved.status, saved.text).toBe(200);
    const r = await w.users.rep1.api.post(`/api/records/deal/${w.deals.rep1}/actions/peek_margin`, {});
    expect([400, 422], r.text).toContain(r.status);
    expectNoLeak(r.body);
  });
});

describe('mass assignment', () => {
  it('system fields are never client-writable, read fields answer 403', async () => {
    const w = need();
    const api = w.users.rep1.api;
    for (const body of [
      { name: 'x', id: '00000000-0000-4000-8000-000000000001' },
      { name: 'x', version: 7 },
      { name: 'x', approval_status: 'approved' },
      { name: 'x', created_by: w.users.director.id },
      { name: 'x', updated_at: '2020-01-01T00:00:00Z' },
      { name: 'x', deleted_at: null },
    ]) {
      const r = await api.post('/api/records/deal', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
    }
    expect((await api.post('/api/records/deal', { name: 'x', discount: 10 })).status).toBe(403);
    const hidden = await api.post('/api/records/deal', { name: 'x', margin: 1 });
    expect([400, 403]).toContain(hidden.status);
    const own = await api.get(`/api/records/deal/${w.deals.rep1}`);
    const patch = await api.patch(
      `/api/records/deal/${w.deals.rep1}`,
      { discount: 50 },
      { headers: { 'if-match': String(own.body.version) } },
    );
    expect(patch.status).toBe(403);
    expect((await api.get(`/api/records/deal/${w.deals.rep1}`)).body.discount).toBe(5);
  });

  it('only admins (or update scope all) set the owner', async () => {
    const w = need();
    const api = w.users.rep1.api;
    // A system field (400) or a forbidden transfer (403): either way nothing is created.
    expect([400, 403]).toContain((await api.post('/api/records/deal', { name: 'x', owner: w.users.rep2.id })).status);
    const own = await api.get(`/api/records/deal/${w.deals.rep1}`);
    const steal = await api.patch(
      `/api/records/deal/${w.deals.rep1}`,
      { owner: w.users.rep2.id },
      { headers: { 'if-match': String(own.body.version) } },
    );
    expect([400, 403]).toContain(steal.status);
    expect((await api.get(`/api/records/deal/${w.deals.rep1}`)).body.owner).toBe(w.users.rep1.id);
  });
});

describe('ownership transfer', () => {
  it('an admin transfers a record; the new owner sees it, the old one no longer does', async () => {
    const w = need();
    const url = `/api/records/deal/${w.deals.rep3}`;
    const before = await w.tenant.api.get(url);
    const r = await w.tenant.api.patch(
      url,
      { owner: w.users.rep2.id },
      { headers: { 'if-match': String(before.body.version) } },
    );
    expect(r.status, r.text).toBe(200);
    expect((await w.users.rep2.api.get(url)).status).toBe(200);
    expect((await w.users.rep3.api.get(url)).status).toBe(404);
    const back = await w.tenant.api.patch(
      url,
      { owner: w.users.rep3.id },
      { headers: { 'if-match': String(r.body.version) } },
    );
    expect(back.status).toBe(200);
    const history = await w.tenant.api.get(`${url}/history`);
    expect(JSON.stringify(history.body)).toContain(w.users.rep2.id);
  });

  it('refuses an unknown or malformed new owner and changes nothing', async () => {
    const w = need();
    const url = `/api/records/deal/${w.deals.rep3}`;
    for (const owner of ['00000000-0000-4000-8000-000000000000', 'nobody', 42, null]) {
      const before = await w.tenant.api.get(url);
      const r = await w.tenant.api.patch(url, { owner }, { headers: { 'if-match': String(before.body.version) } });
      expect(r.status, r.text).toBe(400);
      expect(r.body.error.fields).toHaveProperty('owner');
      expect((await w.tenant.api.get(url)).body.owner).toBe(w.users.rep3.id);
    }
  });
});

describe('identifier injection and internal operators', () => {
  it('crafted object names answer 400/404, never 500, and touch nothing', async () => {
    const w = need();
    const api = w.users.rep1.api;
    for (const name of [
      '_users',
      '_sessions',
      'deal;drop table deal',
      'deal"',
      'pg_catalog.pg_authid',
      'DEAL',
      '..%2fdeal',
    ]) {
      const path = `/api/records/${encodeURIComponent(name)}`;
      for (const r of [
        await api.get(path),
        await api.get(`${path}/${w.deals.rep1}`),
        await api.post(path, { name: 'x' }),
        await api.get(`${path}/${w.deals.rep1}/shares`),
      ])
        expect([400, 404], `${name}: ${r.text}`).toContain(r.status);
    }
    expect((await w.tenant.api.get('/api/records/deal')).status).toBe(200);
  });

  it('crafted field names in filters, sorts and projections answer 400', async () => {
    const w = need();
    const api = w.users.rep1.api;
    const filters = [
      { 'name" or 1=1 --': { eq: 'x' } },
      { name: { 'eq; drop table deal': 'x' } },
      { 'owner.password_hash': { eq: 'x' } },
      { 'account.name); drop table deal; --': { eq: 'x' } },
    ];
    for (const f of filters) {
      const r = await api.get('/api/records/deal', { query: { filter: JSON.stringify(f) } });
      expect(r.status, JSON.stringify(f)).toBe(400);
    }
    expect((await api.get('/api/records/deal', { query: { filter: '{"name":' } })).status).toBe(400);
    expect((await api.get('/api/records/deal', { query: { sort: 'name;drop table deal' } })).status).toBe(400);
    expect((await api.get('/api/records/deal', { query: { fields: 'id,(select 1)' } })).status).toBe(400);
  });

  it('clients cannot use the permission engine’s $-operators', async () => {
    const w = need();
    const api = w.users.rep1.api;
    for (const f of [
      { owner: { $inTeamOf: w.users.director.id } },
      { id: { $sharedWith: { user: w.users.rep1.id, roles: ['rep'], level: 'read' } } },
    ]) {
      const r = await api.get('/api/records/deal', { query: { filter: JSON.stringify(f) } });
      expect(r.status, JSON.stringify(f)).toBe(400);
    }
  });
});

describe('hierarchy changes and manual shares', () => {
  it('a manager change moves what managers see at once', async () => {
    const w = need();
    const leadSees = async () => (await w.users.lead.api.get(`/api/records/deal/${w.deals.rep3}`)).status;
    expect(await leadSees()).toBe(200);
    expect((await w.users.director.api.get(`/api/records/deal/${w.deals.rep3}`)).status).toBe(200);
    expect((await w.tenant.api.patch(`/api/users/${w.users.rep3.id}`, { manager: w.users.director.id })).status).toBe(
      200,
    );
    expect(await leadSees()).toBe(404);
    expect((await w.users.mgr.api.get(`/api/records/deal/${w.deals.rep3}`)).status).toBe(404);
    expect((await w.users.director.api.get(`/api/records/deal/${w.deals.rep3}`)).status).toBe(200);
    expect((await w.tenant.api.patch(`/api/users/${w.users.rep3.id}`, { manager: w.users.lead.id })).status).toBe(200);
    expect(await leadSees()).toBe(200);
  });

  it('a share opens read, then edit, and closes again', async () => {
    const w = need();
    const url = `/api/records/deal/${w.deals.rep1}`;
    expect((await w.users.rep2.api.get(url)).status).toBe(404);
    const s = await w.users.rep1.api.post(`${url}/shares`, { user: w.users.rep2.id, level: 'read' });
    expect(s.status, s.text).toBe(201);
    const seen = await w.users.rep2.api.get(url);
    expect(seen.status).toBe(200);
    expectNoLeak(seen.body);
    const list = await w.users.rep2.api.get('/api/records/deal', { query: { limit: 500 } });
    expect(list.body.items.map((i: { id: string }) => i.id)).toContain(w.deals.rep1);
    const v = String(seen.body.version);
    expect((await w.users.rep2.api.patch(url, { name: 'by rep2' }, { headers: { 'if-match': v } })).status).toBe(403);
    await w.users.rep1.api.post(`${url}/shares`, { user: w.users.rep2.id, level: 'edit' });
    expect((await w.users.rep2.api.patch(url, { name: 'by rep2' }, { headers: { 'if-match': v } })).status).toBe(200);
    expect((await w.users.rep2.api.delete(url)).status).toBe(403);
    expect((await w.users.rep1.api.delete(`${url}/shares/${s.body.id}`)).status).toBe(204);
    expect((await w.users.rep2.api.get(url)).status).toBe(404);
    // Shared with a role, the outsider (no role on deals) still sees nothing.
    await w.tenant.api.post(`${url}/shares`, { role: 'viewer', level: 'edit' });
    expect((await w.users.outsider.api.get(url)).status).toBe(404);
  });
});

describe('approvals inbox', () => {
  it('shows an approver the record without the fields hidden from them', async () => {
    const w = need();
    const wf = await w.tenant.api.put('/api/meta/workflows/deal_review', {
      object: 'deal',
      label: 'Deal review',
      trigger: { on: 'submit' },
      nodes: [
        { id: 'start', type: 'start', position: { x: 0, y: 0 }, data: {} },
        {
          id: 'review',
          type: 'approval',
          position: { x: 0, y: 100 },
          data: { label: 'Review', approvers: [{ user: w.users.rep1.id }], mode: 'any' },
        },
        { id: 'yes', type: 'end', position: { x: 0, y: 200 }, data: { outcome: 'approved' } },
        { id: 'no', type: 'end', position: { x: 200, y: 200 }, data: { outcome: 'rejected' } },
      ],
      edges: [
        { id: 'e1', source: 'start', target: 'review' },
        { id: 'e2', source: 'review', target: 'yes', data: { outcome: 'approved' } },
        { id: 'e3', source: 'review', target: 'no', data: { outcome: 'rejected' } },
      ],
    });
    expect(wf.status, wf.text).toBe(200);
    const submit = await w.users.mgr.api.post(`/api/records/deal/${w.deals.mgr}/submit`, {});
    expect(submit.status, submit.text).toBe(201);
    const inbox = await w.users.rep1.api.get('/api/approvals/inbox');
    expect(inbox.status, inbox.text).toBe(200);
    const item = inbox.body.items.find((i: { record: string }) => i.record === w.deals.mgr);
    expect(item).toBeDefined();
    expectNoLeak(inbox.body);
    // Nobody else's inbox carries the task.
    for (const u of ['rep2', 'viewer', 'outsider'] as const) {
      const other = await w.users[u].api.get('/api/approvals/inbox');
      expect(other.body.items.map((i: { record: string }) => i.record)).not.toContain(w.deals.mgr);
    }
    await w.users.mgr.api.post(`/api/approvals/instances/${submit.body.instance.id}/recall`, {});
  });
});

describe('import', () => {
  const importAs = (w: World, u: UserKey, rows: unknown[], query: Record<string, string> = {}) =>
    w.users[u].api.post('/api/records/deal/import', undefined, { raw: JSON.stringify(rows), query });

  it('an upsert never reaches records outside the caller’s scope', async () => {
    const w = need();
    const before = await w.tenant.api.get(`/api/records/deal/${w.deals.mgr}`);
    const r = await importAs(w, 'rep1', [{ name: before.body.name, amount: 999_999 }], { mode: 'upsert', key: 'name' });
    expect([200, 400, 403], r.text).toContain(r.status);
    const after = await w.tenant.api.get(`/api/records/deal/${w.deals.mgr}`);
    expect(after.body.amount).toBe(before.body.amount);
    expect(after.body.version).toBe(before.body.version);
    // A row it inserted instead is the caller's own: remove it so the matrices above stay exact.
    if (r.status === 200 && r.body.inserted) {
      const mine = await w.users.rep1.api.get('/api/records/deal', {
        query: { filter: JSON.stringify({ amount: { eq: 999_999 } }) },
      });
      for (const item of mine.body.items) await w.tenant.api.delete(`/api/records/deal/${item.id}`);
    }
  });

  it('refuses hidden, read-only and system fields, and hidden keys, inserting nothing', async () => {
    const w = need();
    const count = async () =>
      (await w.tenant.api.get('/api/records/deal', { query: { limit: 500 } })).body.items.length as number;
    const n = await count();
    for (const [rows, query] of [
      [[{ name: 'imp', margin: 5 }], {}],
      [[{ name: 'imp', discount: 5 }], {}],
      [[{ name: 'imp', owner: w.users.rep2.id }], {}],
      [[{ name: 'imp', id: '00000000-0000-4000-8000-000000000009' }], {}],
      [[{ name: 'imp', amount: 1 }], { mode: 'upsert', key: 'secret_note' }],
    ] as const) {
      const r = await importAs(w, 'rep1', [...rows], query as Record<string, string>);
      expect([400, 403], `${JSON.stringify(rows)} ${JSON.stringify(query)}: ${r.text}`).toContain(r.status);
      // The error may name the field the caller sent; it must never carry a stored hidden value.
      expect(r.text).not.toContain(SECRET);
    }
    expect(await count()).toBe(n);
  });
});
