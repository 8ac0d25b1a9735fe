import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

/** The steps of the docs/plugins.md tutorial, through the API, with the plugins found in plugins/*. */
let server: TestServer;
let tenant: TestTenant;
const base = '/api/plugins/example-feedback';

beforeAll(async () => {
  server = await startTestServer({ plugins: 'discover' });
  tenant = await createTestTenant(server, { prefix: 'tut' });
}, 300_000);
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

describe('plugin tutorial (example-feedback)', () => {
  it('step 1: the workspace plugin is discovered and loaded', async () => {
    const r = await server.platform.get('/api/plugins');
    expect(r.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'example-feedback', version: '1.0.0', status: 'loaded' }),
        expect.objectContaining({ name: 'core-crm', status: 'loaded' }),
      ]),
    );
  });

  it('step 2: the new tenant got the plugin’s own tables', async () => {
    const tables = await server.runtime.db
      .select('tablename')
      .from('pg_catalog.pg_tables')
      .where('schemaname', `t_${tenant.id}`)
      .andWhere('tablename', 'like', '\\_p\\_example\\_feedback\\_%');
    expect(tables.map((t: { tablename: string }) => t.tablename).sort()).toEqual([
      '_p_example_feedback_daily',
      '_p_example_feedback_votes',
    ]);
  });

  it('step 3: votes go in and the NPS comes out, for signed-in users', async () => {
    const user = await tenant.addUser({});
    for (const score of [10, 9, 7, 3]) expect((await user.api.post(`${base}/votes`, { score })).status).toBe(201);
    const nps = await user.api.get(`${base}/nps`);
    expect(nps.body).toEqual({ nps: 25, votes: 4, promoters: 2, detractors: 1 });
    expect((await server.anon.post(`${base}/votes`, { score: 5 })).status).toBe(401);
    expect((await server.anon.get(`${base}/about`)).body).toEqual({ plugin: 'example-feedback', scale: '0-10' });
  });

  it('step 3: bad votes are refused with 400 and nothing is stored', async () => {
    const api = tenant.api;
    for (const body of [
      { score: 11 },
      { score: 'ten' },
      { score: 5, extra: 1 },
      { comment: 'no score' },
      { score: 5, comment: 'x'.repeat(2001) },
    ])
      expect((await api.post(`${base}/votes`, body)).status, JSON.stringify(body)).toBe(400);
    expect((await api.request('POST', `${base}/votes`, { raw: '{"score": 5' })).status).toBe(400);
    expect((await api.post(`${base}/votes`, [{ score: 5 }])).status).toBe(400);
    expect((await api.get(`${base}/nps`)).body.votes).toBe(4);
  });

  it('step 4: the template brings the survey object, its field kind and script', async () => {
    const applied = await tenant.api.post('/api/templates/example-feedback/apply', { sampleData: true });
    expect(applied.status, applied.text).toBe(200);
    expect(applied.body.sampleData).toBe('inserted');
    const meta = (await tenant.api.get('/api/meta')).body;
    expect(meta.objects.survey.properties.score['x-kind']).toBe('nps');
    const outOfRange = await tenant.api.post('/api/records/survey', { title: 'T', score: 11 });
    expect(outOfRange.status).toBe(400);
    expect(outOfRange.body.error.fields.score).toBeDefined();
    const noComment = await tenant.api.post('/api/records/survey', { title: 'Call', score: 3 });
    expect(noComment.status).toBe(400);
    expect(noComment.body.error.fields.comment).toMatch(/went wrong/);
  });

  it('step 5: the hook trims titles before they are saved', async () => {
    const r = await tenant.api.post('/api/records/survey', { title: '   Onboarding   ', score: 9 });
    expect(r.status, r.text).toBe(201);
    expect(r.body.title).toBe('Onboarding');
    const list = await tenant.api.get('/api/records/survey', { query: { count: true } });
    expect(list.body.total).toBe(2);
  });

  it('step 6: the daily job stores a snapshot per tenant, shown to admins only', async () => {
    const run = await server.plugins!.runJob('example-feedback.daily-snapshot', new Date('2030-05-01T00:05:00Z'), {
      tenants: [tenant.id],
    });
    expect(run.failed).toEqual([]);
    await server.plugins!.runJob('example-feedback.daily-snapshot', new Date('2030-05-01T00:05:00Z'), {
      tenants: [tenant.id],
    });
    const history = await tenant.api.get(`${base}/history`);
    expect(history.body.items).toEqual([{ day: '2030-05-01', nps: 25, votes: 4 }]);
    const user = await tenant.addUser({});
    expect((await user.api.get(`${base}/history`)).status).toBe(403);
  });
});
