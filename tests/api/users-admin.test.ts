/**
 * The users screen's routes (issue 22): invitations (one-time password, or an e-mailed link when
 * e-mail is sent), password resets, sessions, bulk import, managers without cycles, the last admin,
 * and every route refused to non-admins.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

let server: TestServer;
let mailServer: TestServer;
let tenant: TestTenant;
let rep: Awaited<ReturnType<TestTenant['addUser']>>;
const MISSING = '00000000-0000-4000-8000-000000000000';

beforeAll(async () => {
  server = await startTestServer();
  mailServer = await startTestServer({ runtimeConfig: { mail: { enabled: true }, publicUrl: 'https://crm.example' } });
  tenant = await createTestTenant(server, { prefix: 'usradm' });
  expect((await tenant.api.put('/api/meta/roles/sales_rep', { label: 'Sales rep' })).status).toBe(200);
  rep = await tenant.addUser({ roles: ['sales_rep'], name: 'Rita Rep' });
});
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await mailServer?.close();
  await server?.close();
});

const login = (email: string, password: string) =>
  server.anon.post('/api/auth/login', { tenant: tenant.id, email, password });

describe('invitations', () => {
  it('without e-mail: creates the user with a one-time password that signs in, shown once', async () => {
    expect((await tenant.api.get('/api/users/settings')).body).toEqual({ emailInvitations: false });
    const r = await tenant.api.post('/api/users/invite', {
      email: 'Nina@Example.test',
      name: 'Nina New',
      roles: ['sales_rep'],
      manager: tenant.admin.id,
    });
    expect(r.status, r.text).toBe(201);
    expect(r.body.delivery).toBe('password');
    expect(r.body.oneTimePassword).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    expect(r.body.user).toMatchObject({ email: 'nina@example.test', roles: ['sales_rep'], manager: tenant.admin.id });
    expect((await login('nina@example.test', r.body.oneTimePassword)).status).toBe(200);
    // The list shows when each user last signed in; the password is never shown again.
    const list = await tenant.api.get('/api/users');
    const nina = list.body.items.find((u: { id: string }) => u.id === r.body.user.id);
    expect(nina.last_login_at).toBeTruthy();
    expect(JSON.stringify(list.body)).not.toContain(r.body.oneTimePassword);
  });

  it('refuses bad input with the field named, and e-mail delivery when e-mail is not set up', async () => {
    const bad = await tenant.api.post('/api/users/invite', { email: 'not-an-email', name: '  ' });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.fields).sort()).toEqual(['email', 'name']);
    const role = await tenant.api.post('/api/users/invite', { email: 'r@x.test', name: 'R', roles: ['ghost'] });
    expect(role.status).toBe(400);
    expect(role.body.error.fields.roles).toContain('ghost');
    const dup = await tenant.api.post('/api/users/invite', { email: rep.email, name: 'Again' });
    expect(dup.status).toBe(409);
    const mail = await tenant.api.post('/api/users/invite', { email: 'm@x.test', name: 'M', delivery: 'email' });
    expect(mail.status).toBe(400);
    expect(mail.body.error.fields.delivery).toMatch(/not set up/);
    const manager = await tenant.api.post('/api/users/invite', { email: 'q@x.test', name: 'Q', manager: MISSING });
    expect(manager.status).toBe(400);
    expect(manager.body.error.fields.manager).toBe('Unknown user');
  });

  it('with e-mail: queues an invitation whose link sets the password once', async () => {
    const mt = await createTestTenant(mailServer, { prefix: 'usrmail' });
    expect((await mt.api.get('/api/users/settings')).body).toEqual({ emailInvitations: true });
    const r = await mt.api.post('/api/users/invite', { email: 'ivan@example.test', name: 'Ivan Invited' });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({ delivery: 'email' });
    expect(r.body.oneTimePassword).toBeUndefined();
    const mails = await mailServer.runtime.db
      .withSchema(`t_${mt.id}`)
      .from('_email_outbox')
      .where('to_address', 'ivan@example.test')
      .select('subject', 'body');
    expect(mails).toHaveLength(1);
    const link = /https:\/\/crm\.example\/invitation\?token=(\S+)/.exec(mails[0].body);
    expect(link, mails[0].body).toBeTruthy();
    const token = decodeURIComponent(link![1]!);
    const short = await mailServer.anon.post('/api/auth/invitation', { token, password: 'short' });
    expect(short.status).toBe(400);
    expect(short.body.error.fields.password).toBeTruthy();
    const ok = await mailServer.anon.post('/api/auth/invitation', { token, password: 'ivans own password' });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toEqual({ tenant: mt.id, email: 'ivan@example.test' });
    const signIn = await mailServer.anon.post('/api/auth/login', {
      tenant: mt.id,
      email: 'ivan@example.test',
      password: 'ivans own password',
    });
    expect(signIn.status).toBe(200);
    // A link works once; a made-up or foreign token gets the same answer.
    for (const t of [token, `${mt.id}.nonsense`, 'nodot', `zz_unknown.${'a'.repeat(43)}`]) {
      const again = await mailServer.anon.post('/api/auth/invitation', { token: t, password: 'another password 1' });
      expect(again.status, t).toBe(401);
      expect(again.body.error.message).toMatch(/not valid any more/);
    }
    // A one-time password may still be chosen when e-mail is set up.
    const otp = await mt.api.post('/api/users/invite', { email: 'p@example.test', name: 'P', delivery: 'password' });
    expect(otp.body.delivery).toBe('password');
    expect(otp.body.oneTimePassword).toBeTruthy();
    await mailServer.platform.delete(`/api/tenants/${mt.id}`, { query: { confirm: mt.id } });
  });
});

describe('password reset and sessions', () => {
  it('resets a password: the old one and every session stop working, the new one signs in', async () => {
    const u = await tenant.addUser({ name: 'Sam Session' });
    await login(u.email, u.password);
    const sessions = await tenant.api.get(`/api/users/${u.id}/sessions`);
    expect(sessions.status).toBe(200);
    expect(sessions.body.items.length).toBe(2);
    expect(sessions.body.items[0]).toEqual(
      expect.objectContaining({ id: expect.stringMatching(/^[0-9a-f]{32}$/), ip: expect.any(String) }),
    );
    const r = await tenant.api.post(`/api/users/${u.id}/reset-password`);
    expect(r.status).toBe(200);
    expect((await u.api.get('/api/auth/me')).status).toBe(401);
    expect((await login(u.email, u.password)).status).toBe(401);
    expect((await login(u.email, r.body.oneTimePassword)).status).toBe(200);
  });

  it('ends one session or all of them', async () => {
    const u = await tenant.addUser({ name: 'Eve Ender' });
    const second = await login(u.email, u.password);
    const other: ApiClient = server.anon.withToken(second.body.token);
    const list = (await tenant.api.get(`/api/users/${u.id}/sessions`)).body.items as Array<{ id: string }>;
    expect(list).toHaveLength(2);
    // The newest first: the second sign-in.
    const one = await tenant.api.delete(`/api/users/${u.id}/sessions/${list[0]!.id}`);
    expect(one.body).toEqual({ ended: 1 });
    expect((await other.get('/api/auth/me')).status).toBe(401);
    expect((await u.api.get('/api/auth/me')).status).toBe(200);
    expect((await tenant.api.delete(`/api/users/${u.id}/sessions/${list[0]!.id}`)).status).toBe(404);
    expect((await tenant.api.delete(`/api/users/${u.id}/sessions`)).body).toEqual({ ended: 1 });
    expect((await u.api.get('/api/auth/me')).status).toBe(401);
  });

  it('answers 404 for an unknown user on every user route', async () => {
    for (const [method, path] of [
      ['post', `/api/users/${MISSING}/reset-password`],
      ['get', `/api/users/${MISSING}/sessions`],
      ['delete', `/api/users/${MISSING}/sessions`],
      ['delete', `/api/users/${MISSING}/sessions/abc`],
      ['patch', `/api/users/${MISSING}`],
      ['post', '/api/users/not-a-uuid/reset-password'],
    ] as const) {
      const r = await (method === 'patch' ? tenant.api.patch(path, { name: 'x' }) : tenant.api[method](path));
      expect(r.status, `${method} ${path}`).toBe(404);
    }
  });
});

describe('managers and admins', () => {
  it('refuses a reporting cycle with a clear message, and a user managing themselves', async () => {
    const boss = await tenant.addUser({ name: 'Bea Boss' });
    const mid = await tenant.addUser({ name: 'Milo Mid', manager: boss.id });
    const low = await tenant.addUser({ name: 'Lou Low', manager: mid.id });
    const cycle = await tenant.api.patch(`/api/users/${boss.id}`, { manager: low.id });
    expect(cycle.status).toBe(400);
    expect(cycle.body.error.fields.manager).toBe('This would make a reporting cycle');
    const self = await tenant.api.patch(`/api/users/${boss.id}`, { manager: boss.id });
    expect(self.body.error.fields.manager).toBe('A user cannot manage themselves');
    // Moving a whole branch under someone else is fine.
    expect((await tenant.api.patch(`/api/users/${mid.id}`, { manager: rep.id })).status).toBe(200);
    expect((await tenant.api.patch(`/api/users/${mid.id}`, { manager: null })).body.manager).toBeNull();
  });

  it('keeps the last active admin: neither deactivating nor dropping their admin role', async () => {
    const self = await tenant.api.patch(`/api/users/${tenant.admin.id}`, { active: false });
    expect(self.status).toBe(409);
    expect(self.body.error.message).toMatch(/at least one active admin/);
    expect((await tenant.api.delete(`/api/users/${tenant.admin.id}`)).status).toBe(409);
    expect((await tenant.api.patch(`/api/users/${tenant.admin.id}`, { roles: [] })).status).toBe(409);
    // With a second admin, the first may step down; reactivating brings the user back.
    const second = await tenant.addUser({ name: 'Second Admin', roles: ['admin'] });
    const off = await tenant.api.delete(`/api/users/${second.id}`);
    expect(off.body.active).toBe(false);
    expect((await second.api.get('/api/auth/me')).status).toBe(401);
    expect((await login(second.email, second.password)).status).toBe(401);
    expect((await tenant.api.patch(`/api/users/${second.id}`, { active: true })).body.active).toBe(true);
    expect((await login(second.email, second.password)).status).toBe(200);
  });
});

describe('import', () => {
  it('refuses the whole file when a row is bad, naming each row and field; nothing is created', async () => {
    const before = (await tenant.api.get('/api/users')).body.items.length;
    const r = await tenant.api.post('/api/users/import', {
      users: [
        { email: 'ok1@imp.test', name: 'Okay One', roles: ['sales_rep'] },
        { email: 'broken', name: 'Bad Mail' },
        { email: 'ok1@imp.test', name: 'Twin', roles: ['ghost'] },
        { email: 'c1@imp.test', name: 'C1', manager: 'c2@imp.test' },
        { email: 'c2@imp.test', name: 'C2', manager: 'c1@imp.test' },
        { email: 'n@imp.test', name: 'N', manager: 'nobody@imp.test' },
        { email: rep.email, name: 'Already' },
      ],
    });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toBe('6 of 7 rows have errors: nothing was imported');
    expect(r.body.error.details.rows).toEqual([
      { row: 2, errors: { email: 'Must be a valid e-mail address' } },
      { row: 3, errors: { email: 'Same e-mail as row 1', roles: 'Unknown roles: ghost' } },
      { row: 4, errors: { manager: 'This would make a reporting cycle' } },
      { row: 5, errors: { manager: 'This would make a reporting cycle' } },
      { row: 6, errors: { manager: 'No user with this e-mail, here or in the file' } },
      { row: 7, errors: { email: 'A user with this e-mail already exists' } },
    ]);
    expect((await tenant.api.get('/api/users')).body.items.length).toBe(before);
    expect((await tenant.api.post('/api/users/import', { users: [] })).status).toBe(400);
    expect((await tenant.api.post('/api/users/import', { users: 'x' })).status).toBe(400);
  });

  it('creates every row with managers from the file or the tenant, each with a one-time password', async () => {
    const r = await tenant.api.post('/api/users/import', {
      users: [
        { email: 'lead@imp.test', name: 'Lena Lead', roles: ['sales_rep'], manager: rep.email },
        { email: 'member@imp.test', name: 'Mo Member', manager: 'LEAD@imp.test' },
      ],
    });
    expect(r.status, r.text).toBe(201);
    const [lead, member] = r.body.created;
    expect(lead.user.manager).toBe(rep.id);
    expect(member.user.manager).toBe(lead.user.id);
    expect((await login('member@imp.test', member.oneTimePassword)).status).toBe(200);
  });
});

describe('non-admins', () => {
  it('get 403 on every admin route, and see no e-mail addresses in the user list', async () => {
    const id = rep.id;
    const calls: Array<[string, () => Promise<{ status: number }>]> = [
      ['settings', () => rep.api.get('/api/users/settings')],
      ['invite', () => rep.api.post('/api/users/invite', { email: 'z@z.test', name: 'Z' })],
      ['import', () => rep.api.post('/api/users/import', { users: [{ email: 'z@z.test', name: 'Z' }] })],
      ['reset', () => rep.api.post(`/api/users/${tenant.admin.id}/reset-password`)],
      ['sessions', () => rep.api.get(`/api/users/${tenant.admin.id}/sessions`)],
      ['end all', () => rep.api.delete(`/api/users/${tenant.admin.id}/sessions`)],
      ['end one', () => rep.api.delete(`/api/users/${tenant.admin.id}/sessions/abc`)],
      ['create', () => rep.api.post('/api/users', { email: 'z@z.test', name: 'Z', password: 'long password 1' })],
      ['manager', () => rep.api.patch(`/api/users/${id}`, { manager: null })],
      ['roles', () => rep.api.patch(`/api/users/${id}`, { roles: ['admin'] })],
      ['deactivate', () => rep.api.delete(`/api/users/${tenant.admin.id}`)],
    ];
    for (const [name, call] of calls) expect((await call()).status, name).toBe(403);
    const list = await rep.api.get('/api/users');
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).not.toContain('@');
    // Nothing was created or changed by the refused calls.
    expect((await tenant.api.get(`/api/users/${id}`)).body.roles).toEqual(['sales_rep']);
    expect((await tenant.api.get('/api/users')).body.items.some((u: { email: string }) => u.email === 'z@z.test')).toBe(
      false,
    );
  });
});
