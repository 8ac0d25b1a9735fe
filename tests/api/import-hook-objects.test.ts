/**
 * Plugin hooks that declare the objects they concern (`{objects, handler}`, docs/plugins.md): a
 * CSV import of an object no hook concerns is written set-based (the staged path) even when plugins
 * have hooks for other objects — the shipped ones included — while an object a hook concerns still
 * has that hook run on every imported row (record by record). A malformed declaration fails its plugin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

let server: TestServer;
let tenant: TestTenant;
/** Which objects the test plugin's hooks were called for, in order. */
const calls: string[] = [];

type Row = Record<string, unknown>;

const thing = (title: string) => ({
  title,
  type: 'object',
  properties: {
    code: { type: 'string', maxLength: 20, 'x-unique': true },
    name: { type: 'string', maxLength: 100 },
    note: { type: 'string', maxLength: 100 },
  },
  required: ['code', 'name'],
});

const upload = (api: ApiClient, object: string, csv: string) =>
  api.post(`/api/records/${object}/import`, undefined, {
    raw: csv,
    headers: { 'content-type': 'text/csv' },
    query: { mode: 'upsert', key: 'code' },
  });

async function rows(api: ApiClient, object: string): Promise<Row[]> {
  const r = await api.get(`/api/records/${object}`, { query: { limit: 100, sort: 'code' } });
  expect(r.status, r.text).toBe(200);
  return (r.body.items as Row[]).map((x) => ({ code: x.code, name: x.name, note: x.note ?? null }));
}

beforeAll(async () => {
  server = await startTestServer({
    plugins: [
      // The shipped plugins, as the bench and `npm start` load them.
      { kind: 'module', specifier: '@forma/plugin-core-crm', origin: 'workspace' },
      { kind: 'module', specifier: '@forma/plugin-example-feedback', origin: 'workspace' },
      {
        kind: 'inline',
        definition: {
          name: 'alpha-hooks',
          version: '1.0.0',
          hooks: {
            filters: {
              'record.beforeCreate': {
                objects: ['alpha'],
                handler: (_tx: unknown, p: { object: string; record: Row }) => {
                  calls.push(p.object);
                  p.record.note = 'set by hook';
                },
              },
              'record.beforeUpdate': {
                objects: ['alpha'],
                handler: (_tx: unknown, p: { object: string; patch: Row }) => {
                  calls.push(p.object);
                  p.patch.note = 'updated by hook';
                },
              },
            },
            actions: {
              'record.afterCreate': {
                objects: ['alpha'],
                handler: (_c: unknown, p: Row) => void calls.push(`after ${p.object}`),
              },
            },
          },
        },
      },
      {
        kind: 'inline',
        definition: {
          name: 'bad-objects',
          version: '1.0.0',
          hooks: { filters: { 'record.beforeCreate': { objects: 'alpha', handler: () => {} } } },
        },
      },
      {
        kind: 'inline',
        definition: {
          name: 'no-handler',
          version: '1.0.0',
          hooks: { actions: { 'record.afterCreate': { objects: ['alpha'] } } },
        },
      },
    ],
  });
  tenant = await createTestTenant(server);
  for (const [name, title] of [
    ['alpha', 'Alpha'],
    ['beta', 'Beta'],
  ]) {
    const r = await tenant.api.put(`/api/meta/objects/${name}`, thing(title as string));
    expect(r.status, r.text).toBe(200);
  }
});

afterAll(async () => {
  await server?.close();
});

describe('hooks that declare their objects', () => {
  it('a malformed declaration fails its plugin with a sentence, the others load', async () => {
    const r = await server.platform.get('/api/plugins');
    expect(r.status, r.text).toBe(200);
    const byName = Object.fromEntries((r.body.items as Row[]).map((p) => [p.name, p]));
    expect(byName['alpha-hooks']?.status).toBe('loaded');
    expect(byName['core-crm']?.status).toBe('loaded');
    expect(byName['example-feedback']?.status).toBe('loaded');
    expect(byName['bad-objects']).toMatchObject({
      status: 'failed',
      error: 'Plugin bad-objects: hook record.beforeCreate must name its objects as a non-empty list of object names',
    });
    expect(byName['no-handler']).toMatchObject({
      status: 'failed',
      error: 'Plugin no-handler: hook record.afterCreate must be a function or {objects, handler}',
    });
  });

  it("a hook for alpha leaves beta's import on the staged path and never runs for beta", async () => {
    calls.length = 0;
    const first = await upload(tenant.api, 'beta', 'code,name\nB1,One\nB2,Two\nB3,Three\n');
    expect(first.status, first.text).toBe(200);
    expect(first.body).toMatchObject({ writePath: 'staged', inserted: 3, updated: 0, failedCount: 0 });
    const again = await upload(tenant.api, 'beta', 'code,name\nB2,Two again\nB4,Four\n');
    expect(again.status, again.text).toBe(200);
    expect(again.body).toMatchObject({ writePath: 'staged', inserted: 1, updated: 1, failedCount: 0 });
    expect(await rows(tenant.api, 'beta')).toEqual([
      { code: 'B1', name: 'One', note: null },
      { code: 'B2', name: 'Two again', note: null },
      { code: 'B3', name: 'Three', note: null },
      { code: 'B4', name: 'Four', note: null },
    ]);
    // A single save of beta does not meet the hook either.
    const one = await tenant.api.post('/api/records/beta', { code: 'B5', name: 'Five' });
    expect(one.status, one.text).toBe(201);
    expect(one.body.note ?? null).toBeNull();
    expect(calls).toEqual([]);
  });

  it("alpha's import runs alpha's hooks on every row (record by record)", async () => {
    calls.length = 0;
    const first = await upload(tenant.api, 'alpha', 'code,name,note\nA1,One,typed\nA2,Two,\n');
    expect(first.status, first.text).toBe(200);
    expect(first.body).toMatchObject({ writePath: 'records', inserted: 2, failedCount: 0 });
    const again = await upload(tenant.api, 'alpha', 'code,name\nA2,Two again\nA3,Three\n');
    expect(again.status, again.text).toBe(200);
    expect(again.body).toMatchObject({ writePath: 'records', inserted: 1, updated: 1, failedCount: 0 });
    expect(await rows(tenant.api, 'alpha')).toEqual([
      { code: 'A1', name: 'One', note: 'set by hook' },
      { code: 'A2', name: 'Two again', note: 'updated by hook' },
      { code: 'A3', name: 'Three', note: 'set by hook' },
    ]);
    // Action hooks run after commit: wait for the three creates' to be seen.
    await expect.poll(() => calls.filter((c) => c === 'after alpha').length).toBe(3);
    expect(calls.filter((c) => !c.startsWith('after'))).toEqual(['alpha', 'alpha', 'alpha', 'alpha']);
  });
});
