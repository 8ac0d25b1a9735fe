import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

/**
 * A saved segment's filter, object and roles are dependencies like a view's: removing or renaming a
 * field, object or role a segment still uses is refused at plan time (and at apply) with a coded
 * issue naming the segment by its label, so the designer can say it in the admin's language.
 * Before, the field was dropped and the segment broke at its next refresh.
 */
let server: TestServer;
let tenant: TestTenant;

const region = {
  type: 'object',
  title: 'Region',
  'x-label-field': 'name',
  properties: { name: { type: 'string', title: 'Region name', maxLength: 100 }, code: { type: 'string' } },
};
const client = {
  type: 'object',
  title: 'Client',
  'x-label-field': 'name',
  properties: {
    name: { type: 'string', maxLength: 100 },
    score: { type: 'integer', title: 'Score' },
    note: { type: 'string' },
    region: { type: 'string', format: 'uuid', 'x-ref': 'region' },
  },
};
const bigNorth = {
  label: 'Big in the North',
  object: 'client',
  filter: { and: [{ score: { gte: 50 } }, { 'region.name': { eq: 'North' } }] },
  roles: ['seg_viewer'],
};

const version = async () => (await tenant.api.get('/api/meta')).body.version as number;
const withoutField = (def: { properties: Record<string, unknown> }, field: string) => {
  const properties: Record<string, unknown> = { ...def.properties };
  delete properties[field];
  return { ...def, properties };
};

interface Issue {
  path: string;
  code: string;
  message: string;
  params: Record<string, string>;
}
const segmentIssues = (body: { error: { details: { issues: Issue[] } } }) =>
  body.error.details.issues.filter((i) => i.params.via === 'segment');

beforeAll(async () => {
  server = await startTestServer();
  tenant = await createTestTenant(server, { prefix: 'segdep' });
  const r = await tenant.api.post('/api/meta/apply', {
    objects: { region, client },
    roles: { seg_viewer: { label: 'Segment viewer', objects: { client: { read: 'all' } } } },
  });
  expect(r.status, r.text).toBe(200);
  const s = await tenant.api.put('/api/meta/segments/big_north', bigNorth);
  expect(s.status, s.text).toBe(200);
});

afterAll(async () => {
  await server?.close();
});

describe('removing what a segment uses', () => {
  it('refuses deleting a field of its filter at plan time, naming the segment with a code', async () => {
    const v = await version();
    const r = await tenant.api.post('/api/meta/plan', { objects: { client: withoutField(client, 'score') } });
    expect(r.status, r.text).toBe(409);
    expect(r.body.error.code).toBe('CONFLICT');
    expect(Object.keys(r.body.error.details.dependents)).toEqual(['field:client.score']);
    const [issue, ...more] = segmentIssues(r.body);
    expect(more).toEqual([]);
    expect(issue).toEqual({
      path: '/segments/big_north',
      code: 'still_used',
      message:
        'Field "Score" (client.score) is still used by segment "Big in the North" (big_north): change or remove that first',
      params: {
        kind: 'field',
        what: 'client.score',
        whatLabel: 'Score',
        via: 'segment',
        name: 'big_north',
        user: 'Big in the North',
      },
    });
    // Apply refuses it too, even with destructive steps allowed, and nothing changes.
    const applied = await tenant.api.put('/api/meta/objects/client', withoutField(client, 'score'), {
      query: { allowDestructive: true },
    });
    expect(applied.status, applied.text).toBe(409);
    expect(segmentIssues(applied.body)[0]?.params.user).toBe('Big in the North');
    expect(await version()).toBe(v);
    expect((await tenant.api.get('/api/meta')).body.objects.client.properties.score).toBeDefined();
  });

  it('refuses deleting a field the filter reads through a lookup', async () => {
    const r = await tenant.api.post('/api/meta/plan', { objects: { region: withoutField(region, 'name') } });
    expect(r.status, r.text).toBe(409);
    const issues = segmentIssues(r.body);
    expect(issues.map((i) => [i.params.what, i.params.whatLabel, i.path])).toEqual([
      ['region.name', 'Region name', '/segments/big_north'],
    ]);
    // The lookup itself is on the path too.
    const lookup = await tenant.api.post('/api/meta/plan', { objects: { client: withoutField(client, 'region') } });
    expect(lookup.status, lookup.text).toBe(409);
    expect(segmentIssues(lookup.body).map((i) => i.params.what)).toContain('client.region');
  });

  it('refuses renaming a filtered field, deleting the object or a role the segment names', async () => {
    const { score, ...rest } = client.properties;
    const renamed = await tenant.api.post('/api/meta/plan', {
      objects: { client: { ...client, properties: { ...rest, points: { ...score, 'x-renamed-from': 'score' } } } },
    });
    expect(renamed.status, renamed.text).toBe(409);
    expect(segmentIssues(renamed.body).map((i) => i.params.what)).toContain('client.score');

    const dropped = await tenant.api.post('/api/meta/plan', { objects: { client: null } });
    expect(dropped.status, dropped.text).toBe(409);
    const objectIssue = segmentIssues(dropped.body).find((i) => i.params.kind === 'object');
    expect(objectIssue?.message).toContain('Object "Client" (client) is still used by segment "Big in the North"');

    const role = await tenant.api.post('/api/meta/plan', { roles: { seg_viewer: null } });
    expect(role.status, role.text).toBe(409);
    expect(segmentIssues(role.body).map((i) => [i.params.kind, i.params.whatLabel])).toEqual([
      ['role', 'Segment viewer'],
    ]);
  });

  it('allows deleting a field no segment uses, and the field with the segment in one change', async () => {
    const unused = await tenant.api.put('/api/meta/objects/client', withoutField(client, 'note'), {
      query: { allowDestructive: true },
    });
    expect(unused.status, unused.text).toBe(200);
    const together = await tenant.api.post(
      '/api/meta/apply',
      { objects: { client: withoutField(withoutField(client, 'note'), 'score') }, segments: { big_north: null } },
      { query: { allowDestructive: true } },
    );
    expect(together.status, together.text).toBe(200);
    expect((await tenant.api.get('/api/meta')).body.objects.client.properties.score).toBeUndefined();
  });

  it('does not let a non-admin probe the plan', async () => {
    const user = await tenant.addUser({ roles: ['seg_viewer'] });
    const r = await user.api.post('/api/meta/plan', { objects: { client: withoutField(client, 'name') } });
    expect(r.status).toBe(403);
    expect(JSON.stringify(r.body)).not.toContain('dependents');
  });
});
