import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

let server: TestServer;
let tenant: TestTenant;
type U = { id: string; email: string; password: string; api: ApiClient };
let director: U;
let mgr: U;
let rep1: U;
let rep2: U;
let rep3: U;
const deals: Record<string, string> = {};

const schema = () => `t_${tenant.id}`;

/** Records are fixtures here (the records API is tested in its own suite): inserted as rows. */
async function insertDeal(owner: string, values: Record<string, unknown>): Promise<string> {
  const [row] = await server.runtime.db
    .withSchema(schema())
    .insert({ owner, created_by: owner, updated_by: owner, ...values })
    .into('deal')
    .returning('id');
  return row.id;
}

async function treeRows(): Promise<Array<{ ancestor: string; descendant: string; depth: number }>> {
  return server.runtime.db.withSchema(schema()).from('_user_tree').select('ancestor', 'descendant', 'depth');
}

/** The closure the hierarchy in `_users` implies, computed independently of the maintained table. */
async function expectedTree() {
  const users: Array<{ id: string; manager: string | null }> = await server.runtime.db
    .withSchema(schema())
    .from('_users')
    .select('id', 'manager');
  const byId = new Map(users.map((u) => [u.id, u.manager]));
  const rows: Array<{ ancestor: string; descendant: string; depth: number }> = [];
  for (const u of users) {
    let at: string | null = u.id;
    let depth = 0;
    while (at) {
      rows.push({ ancestor: at, descendant: u.id, depth });
      at = byId.get(at) ?? null;
      depth += 1;
    }
  }
  return rows;
}

const sortRows = <T extends { ancestor: string; descendant: string }>(rows: T[]) =>
  [...rows].sort((a, b) => `${a.ancestor}${a.descendant}`.localeCompare(`${b.ancestor}${b.descendant}`));

beforeAll(async () => {
  server = await startTestServer();
  tenant = await createTestTenant(server, { prefix: 'perm' });
  const put = async (path: string, body: unknown) => {
    const r = await tenant.api.put(path, body);
    expect(r.status, r.text).toBe(200);
  };
  await put('/api/meta/objects/deal', {
    title: 'Deal',
    type: 'object',
    properties: {
      name: { type: 'string', maxLength: 200 },
      amount: { type: 'number', minimum: 0 },
      stage: { type: 'string', enum: ['new', 'won', 'lost'], default: 'new' },
      discount: { type: 'number' },
      margin: { type: 'number' },
    },
    required: ['name'],
  });
  await put('/api/meta/objects/secret', { title: 'Secret', type: 'object', properties: { code: { type: 'string' } } });
  await put('/api/meta/roles/rep', {
    label: 'Sales rep',
    objects: {
      deal: { create: true, read: 'own', update: 'own', delete: false, fields: { discount: 'read', margin: 'none' } },
    },
    sharing: [{ object: 'deal', filter: { stage: { eq: 'won' } }, access: 'read', label: 'Won deals' }],
  });
  await put('/api/meta/roles/manager', {
    objects: {
      deal: { create: true, read: 'subordinates', update: 'subordinates', delete: 'own', fields: { margin: 'read' } },
    },
  });
  director = await tenant.addUser({ roles: ['manager'], name: 'Director' });
  mgr = await tenant.addUser({ roles: ['manager'], manager: director.id, name: 'Manager' });
  rep1 = await tenant.addUser({ roles: ['rep'], manager: mgr.id, name: 'Rep 1' });
  rep2 = await tenant.addUser({ roles: ['rep'], manager: mgr.id, name: 'Rep 2' });
  rep3 = await tenant.addUser({ roles: ['rep'], manager: rep1.id, name: 'Rep 3' });
  deals.director = await insertDeal(director.id, { name: 'D', amount: 1 });
  deals.mgr = await insertDeal(mgr.id, { name: 'M', amount: 2 });
  deals.rep1 = await insertDeal(rep1.id, { name: 'R1', amount: 3 });
  deals.rep2won = await insertDeal(rep2.id, { name: 'R2 won', amount: 4, stage: 'won' });
  deals.rep2 = await insertDeal(rep2.id, { name: 'R2', amount: 5 });
  deals.rep3 = await insertDeal(rep3.id, { name: 'R3', amount: 6 });
});

afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

describe('manager hierarchy (closure table)', () => {
  it('holds every ancestor of every user, to any depth', async () => {
    expect(sortRows(await treeRows())).toEqual(sortRows(await expectedTree()));
    const rows = await treeRows();
    expect(rows).toContainEqual({ ancestor: director.id, descendant: rep3.id, depth: 3 });
  });

  it('follows a manager change with the whole subtree', async () => {
    const r = await tenant.api.patch(`/api/users/${rep1.id}`, { manager: director.id });
    expect(r.status, r.text).toBe(200);
    const rows = await treeRows();
    expect(rows).not.toContainEqual(expect.objectContaining({ ancestor: mgr.id, descendant: rep3.id }));
    expect(rows).toContainEqual({ ancestor: director.id, descendant: rep3.id, depth: 2 });
    expect(sortRows(rows)).toEqual(sortRows(await expectedTree()));
    // Back where it was, for the tests below.
    expect((await tenant.api.patch(`/api/users/${rep1.id}`, { manager: mgr.id })).status).toBe(200);
    expect(sortRows(await treeRows())).toEqual(sortRows(await expectedTree()));
  });

  it('stays exact under concurrent moves and new users', async () => {
    const moves = await Promise.all([
      tenant.api.patch(`/api/users/${rep2.id}`, { manager: rep1.id }),
      tenant.api.patch(`/api/users/${rep2.id}`, { manager: director.id }),
      tenant.api.patch(`/api/users/${rep3.id}`, { manager: rep2.id }),
      tenant.addUser({ roles: ['rep'], manager: rep2.id }),
      tenant.addUser({ roles: ['rep'], manager: rep3.id }),
    ]);
    expect(moves.slice(0, 3).map((m) => (m as { status: number }).status)).toEqual([200, 200, 200]);
    expect(sortRows(await treeRows())).toEqual(sortRows(await expectedTree()));
    await tenant.api.patch(`/api/users/${rep2.id}`, { manager: mgr.id });
    await tenant.api.patch(`/api/users/${rep3.id}`, { manager: rep1.id });
    expect(sortRows(await treeRows())).toEqual(sortRows(await expectedTree()));
  });

  it('leaves the tree alone when only a name changes', async () => {
    const before = sortRows(await treeRows());
    expect((await tenant.api.patch(`/api/users/${rep3.id}`, { name: 'Rep Three' })).status).toBe(200);
    expect(sortRows(await treeRows())).toEqual(before);
  });
});

describe('roles are checked against the metadata', () => {
  it('refuses unknown roles on users, accepts admin and defined roles', async () => {
    const bad = await tenant.api.post('/api/users', {
      email: `ghost@${tenant.id}.test`,
      name: 'G',
      password: 'user password 123',
      roles: ['ghost'],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.roles).toMatch(/ghost/);
    expect((await tenant.api.patch(`/api/users/${rep3.id}`, { roles: ['rep', 'nope'] })).status).toBe(400);
    expect((await tenant.api.patch(`/api/users/${rep3.id}`, { roles: ['rep', 'manager'] })).status).toBe(200);
    expect((await tenant.api.patch(`/api/users/${rep3.id}`, { roles: ['rep'] })).status).toBe(200);
  });

  it('refuses role documents naming unknown objects or fields, or hiding id', async () => {
    const unknownObject = await tenant.api.put('/api/meta/roles/bad', { objects: { nope: { read: true } } });
    expect(unknownObject.status).toBe(400);
    expect(JSON.stringify(unknownObject.body.error)).toMatch(/nope/);
    const unknownField = await tenant.api.put('/api/meta/roles/bad', {
      objects: { deal: { read: true, fields: { nope: 'none' } } },
    });
    expect(unknownField.status).toBe(400);
    const hiddenId = await tenant.api.put('/api/meta/roles/bad', {
      objects: { deal: { read: true, fields: { id: 'none' } } },
    });
    expect(hiddenId.status).toBe(400);
    expect(JSON.stringify(hiddenId.body.error)).toMatch(/id/);
    const badRule = await tenant.api.put('/api/meta/roles/bad', {
      sharing: [{ object: 'deal', filter: { 'name; drop table deal': { eq: 1 } }, access: 'read' }],
    });
    expect(badRule.status).toBe(400);
    expect((await tenant.api.put('/api/meta/roles/admin', { objects: {} })).status).toBe(400);
  });
});

describe('effective permissions ("view as")', () => {
  it('lists scopes, the roles behind them and every field', async () => {
    const r = await tenant.api.get('/api/meta/effective-permissions', { query: { user: rep1.id } });
    expect(r.status, r.text).toBe(200);
    expect(r.body.admin).toBe(false);
    expect(r.body.user).toMatchObject({ id: rep1.id, roles: ['rep'] });
    const deal = r.body.objects.deal;
    expect(deal).toMatchObject({ create: true, read: 'own', update: 'own', delete: 'none' });
    expect(deal.via.read).toEqual(['rep']);
    expect(deal.fields).toMatchObject({ name: 'edit', discount: 'read', margin: 'none', id: 'read', owner: 'read' });
    expect(deal.sharing).toEqual([
      { role: 'rep', index: 0, label: 'Won deals', access: 'read', filter: { stage: { eq: 'won' } } },
    ]);
    expect(r.body.objects.secret).toMatchObject({ create: false, read: 'none' });
    expect(r.body.objects.secret.fields.code).toBe('none');
  });

  it('combines roles to the most permissive', async () => {
    await tenant.api.patch(`/api/users/${rep3.id}`, { roles: ['rep', 'manager'] });
    const r = await tenant.api.get('/api/meta/effective-permissions', { query: { user: rep3.id } });
    expect(r.body.objects.deal).toMatchObject({ read: 'subordinates', delete: 'own' });
    expect(r.body.objects.deal.fields).toMatchObject({ discount: 'edit', margin: 'read' });
    await tenant.api.patch(`/api/users/${rep3.id}`, { roles: ['rep'] });
  });

  it('is for admins only, and answers unknown users with 404', async () => {
    expect((await rep1.api.get('/api/meta/effective-permissions', { query: { user: rep1.id } })).status).toBe(403);
    expect((await tenant.api.get('/api/meta/effective-permissions', { query: { user: 'nope' } })).status).toBe(404);
    expect(
      (
        await tenant.api.get('/api/meta/effective-permissions', {
          query: { user: '00000000-0000-4000-8000-000000000000' },
        })
      ).status,
    ).toBe(404);
    expect((await tenant.api.get('/api/meta/effective-permissions')).status).toBe(400);
    expect((await tenant.api.get('/api/meta/effective-permissions', { query: { user: rep1.id, x: 1 } })).status).toBe(
      400,
    );
  });
});

describe('the explainer', () => {
  const explain = (api: ApiClient, deal: string, user?: string) =>
    api.get(`/api/records/deal/${deal}/access`, { query: user ? { user } : {} });

  it('names the scope that lets a user read their own record', async () => {
    const r = await explain(tenant.api, deals.rep1 as string, rep1.id);
    expect(r.status, r.text).toBe(200);
    expect(r.body.read).toEqual({ allowed: true, reasons: [{ kind: 'scope', scope: 'own', roles: ['rep'] }] });
    expect(r.body.update.allowed).toBe(true);
    expect(r.body.delete).toMatchObject({ allowed: false, reasons: [] });
    expect(r.body.delete.denial).toMatch(/No role/);
    expect(r.body.fields).toEqual({ discount: 'read', margin: 'none' });
  });

  it('follows the hierarchy for subordinates, to depth 3', async () => {
    const r = await explain(tenant.api, deals.rep3 as string, director.id);
    expect(r.body.read).toEqual({
      allowed: true,
      reasons: [{ kind: 'scope', scope: 'subordinates', roles: ['manager'] }],
    });
    const other = await explain(tenant.api, deals.director as string, mgr.id);
    expect(other.body.read.allowed).toBe(false);
    expect(other.body.read.denial).toMatch(/outside/);
  });

  it('names a sharing rule', async () => {
    const r = await explain(tenant.api, deals.rep2won as string, rep1.id);
    expect(r.body.read).toEqual({
      allowed: true,
      reasons: [{ kind: 'sharingRule', role: 'rep', index: 0, label: 'Won deals', access: 'read' }],
    });
    expect(r.body.update.allowed).toBe(false);
  });

  it('explains the admin', async () => {
    const r = await explain(tenant.api, deals.rep2 as string);
    expect(r.body.read).toEqual({ allowed: true, reasons: [{ kind: 'admin' }] });
  });

  it('lets users ask about themselves only, and hides records they cannot read', async () => {
    expect((await explain(rep1.api, deals.rep1 as string)).status).toBe(200);
    expect((await explain(rep1.api, deals.rep1 as string, rep1.id)).status).toBe(200);
    expect((await explain(rep1.api, deals.rep1 as string, rep2.id)).status).toBe(403);
    expect((await explain(rep1.api, deals.mgr as string)).status).toBe(404);
  });

  it('answers 404 for unknown objects, records and users, and crafted names', async () => {
    expect((await tenant.api.get(`/api/records/nope/${deals.rep1}/access`)).status).toBe(404);
    expect((await tenant.api.get('/api/records/deal/00000000-0000-4000-8000-000000000000/access')).status).toBe(404);
    expect((await tenant.api.get('/api/records/deal/not-a-uuid/access')).status).toBe(404);
    expect((await explain(tenant.api, deals.rep1 as string, '00000000-0000-4000-8000-000000000000')).status).toBe(404);
    const injected = await tenant.api.get(
      `/api/records/${encodeURIComponent('deal"; drop table deal; --')}/${deals.rep1}/access`,
    );
    expect([400, 404]).toContain(injected.status);
    expect((await tenant.api.get(`/api/records/_users/${rep1.id}/access`)).status).toBe(404);
    expect((await server.anon.get(`/api/records/deal/${deals.rep1}/access`)).status).toBe(401);
  });
});

describe('manual shares', () => {
  let shareId: string;

  it('lets the owner share a record with a user, and changing the level keeps one share', async () => {
    const r = await rep1.api.post(`/api/records/deal/${deals.rep1}/shares`, { user: rep2.id, level: 'read' });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({ object: 'deal', record: deals.rep1, user: rep2.id, role: null, level: 'read' });
    shareId = r.body.id;
    const again = await rep1.api.post(`/api/records/deal/${deals.rep1}/shares`, { user: rep2.id, level: 'edit' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: shareId, level: 'edit' });
    const list = await rep1.api.get(`/api/records/deal/${deals.rep1}/shares`);
    expect(list.body.items).toHaveLength(1);
  });

  it('shows in the explainer as the reason, for read and edit', async () => {
    const r = await tenant.api.get(`/api/records/deal/${deals.rep1}/access`, { query: { user: rep2.id } });
    expect(r.body.read).toEqual({
      allowed: true,
      reasons: [{ kind: 'manualShare', share: shareId, user: rep2.id, role: null, level: 'edit' }],
    });
    expect(r.body.update.allowed).toBe(true);
    expect(r.body.delete.allowed).toBe(false);
    expect((await rep2.api.get(`/api/records/deal/${deals.rep1}/access`)).status).toBe(200);
  });

  it('lets only the owner or an admin manage shares', async () => {
    // rep2 can read the record now, but does not own it.
    expect(
      (await rep2.api.post(`/api/records/deal/${deals.rep1}/shares`, { user: rep3.id, level: 'read' })).status,
    ).toBe(403);
    expect((await rep2.api.get(`/api/records/deal/${deals.rep1}/shares`)).status).toBe(403);
    // A record rep2 cannot read does not exist for them.
    expect(
      (await rep2.api.post(`/api/records/deal/${deals.mgr}/shares`, { user: rep2.id, level: 'read' })).status,
    ).toBe(404);
    expect((await rep2.api.get(`/api/records/deal/${deals.director}/shares`)).status).toBe(404);
    const byAdmin = await tenant.api.post(`/api/records/deal/${deals.mgr}/shares`, { role: 'rep', level: 'read' });
    expect(byAdmin.status, byAdmin.text).toBe(201);
    const r = await tenant.api.get(`/api/records/deal/${deals.mgr}/access`, { query: { user: rep3.id } });
    expect(r.body.read.reasons).toEqual([
      { kind: 'manualShare', share: byAdmin.body.id, user: null, role: 'rep', level: 'read' },
    ]);
    expect(r.body.update.allowed).toBe(false);
  });

  it('refuses malformed shares with 400 and changes nothing', async () => {
    const url = `/api/records/deal/${deals.rep1}/shares`;
    const bad = [
      { level: 'read' },
      { user: rep2.id, role: 'rep', level: 'read' },
      { user: 'nope', level: 'read' },
      { user: '00000000-0000-4000-8000-000000000000', level: 'read' },
      { user: rep1.id, level: 'read' },
      { role: 'ghost', level: 'read' },
      { role: 'admin', level: 'read' },
      { user: rep2.id, level: 'owner' },
      { user: rep2.id, level: 'read', extra: 1 },
      { user: 5, level: 'read' },
    ];
    for (const body of bad) {
      const r = await rep1.api.post(url, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
    }
    expect((await rep1.api.post(url, undefined, { raw: '{"user":' })).status).toBe(400);
    expect((await rep1.api.get(url)).body.items).toHaveLength(1);
  });

  it('keeps one share per grantee under concurrent writers', async () => {
    const url = `/api/records/deal/${deals.rep3}/shares`;
    const levels = ['read', 'edit', 'read', 'edit', 'read', 'edit'];
    const answers = await Promise.all(levels.map((level) => rep3.api.post(url, { user: rep2.id, level })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    const list = await rep3.api.get(url);
    expect(list.body.items.filter((i: { user: string }) => i.user === rep2.id)).toHaveLength(1);
    await rep3.api.delete(`${url}/${list.body.items[0].id}`);
  });

  it('refuses oversized bodies with 413', async () => {
    const r = await rep1.api.post(`/api/records/deal/${deals.rep1}/shares`, undefined, {
      raw: JSON.stringify({ user: rep2.id, level: 'read', pad: 'x'.repeat(1_200_000) }),
    });
    expect(r.status).toBe(413);
  });

  it('removes a share', async () => {
    const url = `/api/records/deal/${deals.rep1}/shares/${shareId}`;
    expect((await rep2.api.delete(url)).status).toBe(403);
    expect((await rep1.api.delete(url)).status).toBe(204);
    expect((await rep1.api.delete(url)).status).toBe(404);
    expect((await rep1.api.delete(`/api/records/deal/${deals.rep1}/shares/not-a-uuid`)).status).toBe(404);
    expect((await rep2.api.get(`/api/records/deal/${deals.rep1}/access`)).status).toBe(404);
  });
});

describe('the app metadata view', () => {
  it('shows a user only the objects and fields they may read', async () => {
    const r = await rep1.api.get('/api/meta/app');
    expect(r.status).toBe(200);
    expect(Object.keys(r.body.objects)).toEqual(['deal']);
    expect(Object.keys(r.body.objects.deal.properties).sort()).toEqual(['amount', 'discount', 'name', 'stage']);
  });

  it('shows admins everything', async () => {
    const r = await tenant.api.get('/api/meta/app');
    expect(Object.keys(r.body.objects).sort()).toEqual(['deal', 'secret']);
    expect(r.body.objects.deal.properties.margin).toBeDefined();
  });
});

describe('several server processes', () => {
  it('see a role change and a manager change made through another one on the next request', async () => {
    const second = await startTestServer();
    try {
      const login = await second.anon.post('/api/auth/login', {
        tenant: tenant.id,
        email: rep3.email,
        password: rep3.password,
      });
      expect(login.status).toBe(200);
      const there = second.anon.withToken(login.body.token);
      const explainOnSecond = () => there.get(`/api/records/deal/${deals.rep3}/access`);
      expect((await explainOnSecond()).body.delete.allowed).toBe(false);
      // Warm the second process's caches, then change roles through the first one.
      expect((await tenant.api.patch(`/api/users/${rep3.id}`, { roles: ['rep', 'manager'] })).status).toBe(200);
      const after = await explainOnSecond();
      expect(after.body.delete).toMatchObject({ allowed: true, reasons: [{ kind: 'scope', scope: 'own' }] });
      expect((await tenant.api.patch(`/api/users/${rep3.id}`, { roles: ['rep'] })).status).toBe(200);
      expect((await explainOnSecond()).body.delete.allowed).toBe(false);
      // The hierarchy lives in the database: a move made here is what the other process reads.
      const mgrThere = await second.anon.post('/api/auth/login', {
        tenant: tenant.id,
        email: mgr.email,
        password: mgr.password,
      });
      const asMgr = second.anon.withToken(mgrThere.body.token);
      expect((await asMgr.get(`/api/records/deal/${deals.rep3}/access`)).status).toBe(200);
      expect((await tenant.api.patch(`/api/users/${rep1.id}`, { manager: director.id })).status).toBe(200);
      expect((await asMgr.get(`/api/records/deal/${deals.rep3}/access`)).status).toBe(404);
      expect((await tenant.api.patch(`/api/users/${rep1.id}`, { manager: mgr.id })).status).toBe(200);
      expect((await asMgr.get(`/api/records/deal/${deals.rep3}/access`)).status).toBe(200);
    } finally {
      await second.close();
    }
  });
});

describe('the permission engine (the records engine contract)', () => {
  it('gives a user their scope as filters with the internal operators', async () => {
    const ctx = await server.runtime.auth.authenticate(rep1.api.token as string);
    if (!ctx) throw new Error('no session');
    const access = await server.runtime.permissions.objectAccess(ctx, 'deal');
    expect(access.can).toEqual({ create: true, read: true, update: true, delete: false });
    expect(access.rowFilter.read).toEqual({
      or: [
        { owner: { eq: rep1.id } },
        { stage: { eq: 'won' } },
        { id: { $sharedWith: { user: rep1.id, roles: ['rep'], level: 'read' } } },
      ],
    });
    expect(access.fields).toEqual({ discount: 'read', margin: 'none' });
    await expect(server.runtime.permissions.objectAccess(ctx, 'nope')).rejects.toMatchObject({ status: 404 });
  });
});
