import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PluginManager } from '../../platform/src/plugins/plugin-manager';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

/**
 * The plugin loader: each plugin loads in isolation, a failing one is reported by GET /api/plugins
 * with its error, leaves nothing registered behind, and never stops the others.
 */
let server: TestServer;
let tenant: TestTenant;

const okPlugin = (name: string, extra: Record<string, unknown> = {}) => ({
  kind: 'inline' as const,
  definition: { name, version: '1.2.3', ...extra },
});

beforeAll(async () => {
  server = await startTestServer({
    plugins: [
      okPlugin('good-one', {
        routes: async (app: any) => {
          app.get('/whoami', async (request: any) => ({ user: request.ctx.user.email, tenant: request.ctx.tenant }));
          app.get('/admin-only', { preHandler: app.requireAdmin }, async () => ({ ok: true }));
        },
      }),
      okPlugin('needs-future', { engines: { forma: '>=99.0.0' } }),
      okPlugin('bad-range', { engines: { forma: 'not a range!' } }),
      okPlugin('Bad_Name'),
      { kind: 'inline', definition: { name: 'no-version', version: 'one' } },
      okPlugin('throws-in-setup', {
        metadata: { objects: {} },
        setup: () => {
          throw new Error('setup exploded');
        },
      }),
      okPlugin('bad-template', { metadata: { objects: { Bad: { type: 'object', properties: {} } } } }),
      okPlugin('bad-routes', {
        metadata: { objects: {} },
        routes: async (app: any) => {
          await app.register(async () => {
            throw new Error('nested route plugin failed');
          });
        },
      }),
      okPlugin('dup-routes', {
        routes: async (app: any) => {
          app.get('/x', async () => 1);
          app.get('/x', async () => 2);
        },
      }),
      okPlugin('bad-cron', { jobs: [{ name: 'tick', cron: '61 * * * *', run: async () => {} }] }),
      okPlugin('stray-table', {
        migrations: [
          {
            id: '001',
            up: async (trx: any, t: any) => trx.schema.withSchema(t.schema).createTable('deal', () => {}),
          },
        ],
      }),
      okPlugin('good-one'),
      { kind: 'module', specifier: '@forma/plugin-does-not-exist', origin: 'npm' },
      { kind: 'invalid', name: '../etc/passwd', error: 'FORMA_PLUGINS entries must be npm package names' },
      okPlugin('last-good', { routes: async (app: any) => app.get('/ping', async () => ({ pong: true })) }),
    ],
  });
  tenant = await createTestTenant(server, { prefix: 'plug' });
}, 300_000);
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

describe('GET /api/plugins', () => {
  it('lists every plugin with its status; failures carry their error', async () => {
    const r = await tenant.api.get('/api/plugins');
    expect(r.status, r.text).toBe(200);
    const by = (name: string) => r.body.items.filter((p: any) => p.name === name);
    expect(by('good-one')[0]).toEqual({ name: 'good-one', version: '1.2.3', status: 'loaded' });
    expect(by('last-good')[0].status).toBe('loaded');
    expect(by('needs-future')[0]).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/requires Forma >=99/),
    });
    expect(by('bad-range')[0].error).toMatch(/semver range/);
    expect(by('Bad_Name')[0].error).toMatch(/name must match/);
    expect(by('no-version')[0].error).toMatch(/semantic version/);
    expect(by('throws-in-setup')[0].error).toBe('setup exploded');
    expect(by('bad-template')[0].error).toMatch(/not valid/);
    expect(by('bad-routes')[0].error).toMatch(/nested route plugin failed/);
    expect(by('dup-routes')[0].error).toMatch(/already declared/);
    expect(by('bad-cron')[0].error).toMatch(/cron/);
    expect(by('stray-table')[0].error).toMatch(/must be named through table\(\)/);
    // The second plugin of the same name is refused; the first stays loaded.
    expect(by('good-one')).toHaveLength(2);
    expect(by('good-one')[1]).toMatchObject({ status: 'failed', error: expect.stringMatching(/already loaded/) });
    expect(by('@forma/plugin-does-not-exist')[0].status).toBe('failed');
    expect(by('../etc/passwd')[0].error).toMatch(/npm package names/);
    // Errors are messages, never stack traces.
    for (const p of r.body.items) expect(p.error ?? '').not.toMatch(/\n\s+at /);
  });

  it('answers the platform token and signed-in users, nobody else', async () => {
    expect((await server.platform.get('/api/plugins')).status).toBe(200);
    expect((await server.anon.get('/api/plugins')).status).toBe(401);
    expect((await server.anon.withToken('forged').get('/api/plugins')).status).toBe(401);
  });
});

describe('a failed plugin leaves nothing behind', () => {
  it('registers no template for plugins that failed after registering one', async () => {
    const names = server.runtime.templates.names();
    expect(names).not.toContain('throws-in-setup');
    expect(names).not.toContain('bad-routes');
  });

  it('mounts no routes of failed plugins, and the good ones still answer', async () => {
    expect((await tenant.api.get('/api/plugins/dup-routes/x')).status).toBe(404);
    expect((await tenant.api.get('/api/plugins/last-good/ping')).body).toEqual({ pong: true });
  });

  it('rolled back the stray table of a refused migration', async () => {
    const r = await server.runtime.db
      .select('tablename')
      .from('pg_catalog.pg_tables')
      .where({ schemaname: `t_${tenant.id}`, tablename: 'deal' });
    expect(r).toHaveLength(0);
  });
});

describe('plugin routes', () => {
  it('see the signed-in user as request.ctx', async () => {
    const r = await tenant.api.get('/api/plugins/good-one/whoami');
    expect(r.status, r.text).toBe(200);
    expect(r.body).toEqual({ user: tenant.admin.email, tenant: tenant.id });
  });

  it('require a session by default and honour requireAdmin', async () => {
    expect((await server.anon.get('/api/plugins/good-one/whoami')).status).toBe(401);
    const rep = await tenant.addUser({ roles: [] });
    expect((await rep.api.get('/api/plugins/good-one/whoami')).status).toBe(200);
    const denied = await rep.api.get('/api/plugins/good-one/admin-only');
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('FORBIDDEN');
    expect((await tenant.api.get('/api/plugins/good-one/admin-only')).body).toEqual({ ok: true });
  });

  it('answer unknown plugins and paths with a JSON 404', async () => {
    const r = await tenant.api.get('/api/plugins/nope/x');
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('NOT_FOUND');
    expect((await tenant.api.get('/api/plugins/good-one/%2e%2e%2fadmin')).status).toBe(404);
  });
});

describe('plugin migrations of existing tenants (start-up)', () => {
  const table = '_p_late_comer_notes';
  const tablesOf = async () =>
    (
      await server.runtime.db
        .select('tablename')
        .from('pg_catalog.pg_tables')
        .where({ schemaname: `t_${tenant.id}` })
        .andWhere('tablename', 'like', '\\_p\\_late%')
    ).map((r: { tablename: string }) => r.tablename);

  it('brings an existing tenant up to date once, tracked per plugin', async () => {
    const manager = new PluginManager(server.runtime, '0.1.0');
    let runs = 0;
    await manager.load([
      okPlugin('late-comer', {
        migrations: [
          {
            id: '001',
            up: async (trx: any, t: any) => {
              runs += 1;
              await trx.schema.withSchema(t.schema).createTable(t.table('notes'), (c: any) => c.text('body'));
            },
          },
        ],
      }),
      okPlugin('late-broken', {
        migrations: [{ id: '001', up: async () => Promise.reject(new Error('migration exploded')) }],
      }),
    ]);
    expect(await tablesOf()).toEqual([]);
    await manager.migrateTenants({ tenants: [tenant.id] });
    await manager.migrateTenants({ tenants: [tenant.id] });
    expect(await tablesOf()).toEqual([table]);
    expect(runs).toBe(1);
    const tracked = await server.runtime.db
      .withSchema(`t_${tenant.id}`)
      .from('_plugin_migrations')
      .where({ plugin: 'late-comer' });
    expect(tracked.map((r: { id: string }) => r.id)).toEqual(['001']);
    expect(manager.statuses()).toEqual([
      { name: 'late-comer', version: '1.2.3', status: 'loaded' },
      { name: 'late-broken', version: '1.2.3', status: 'failed', error: 'migration exploded' },
    ]);
  });
});
