import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

let server: TestServer;
let tenant: TestTenant;
let acme: string;

const account = {
  title: 'Account',
  type: 'object',
  'x-label-field': 'name',
  properties: { name: { type: 'string', maxLength: 100 } },
  required: ['name'],
};

const deal = {
  title: 'Deal',
  type: 'object',
  'x-label-field': 'name',
  properties: {
    name: { type: 'string', title: 'Deal name', maxLength: 40 },
    code: { type: 'string', maxLength: 20, 'x-unique': true },
    amount: { type: 'number', minimum: 0, 'x-kind': 'currency' },
    qty: { type: 'integer' },
    stage: { type: 'string', enum: ['new', 'won', 'lost'], default: 'new' },
    hot: { type: 'boolean' },
    tags: { type: 'array', items: { type: 'string', enum: ['a', 'b', 'c'] } },
    close_on: { type: 'string', format: 'date' },
    account: { type: 'string', format: 'uuid', 'x-ref': 'account' },
    rep: { type: 'string', format: 'uuid', 'x-ref': 'user' },
    margin: { type: 'number' },
  },
  required: ['name'],
};

const csv = (api: ApiClient, text: string, query: Record<string, string | boolean> = {}) =>
  api.post('/api/records/deal/import', undefined, { raw: text, headers: { 'content-type': 'text/csv' }, query });
const json = (api: ApiClient, rows: unknown, query: Record<string, string | boolean> = {}) =>
  api.post('/api/records/deal/import', undefined, { raw: JSON.stringify(rows), query });

async function deals(filter?: unknown): Promise<Record<string, unknown>[]> {
  const r = await tenant.api.get('/api/records/deal', {
    query: { limit: 500, sort: 'code', ...(filter ? { filter: JSON.stringify(filter) } : {}) },
  });
  expect(r.status, r.text).toBe(200);
  return r.body.items;
}

beforeAll(async () => {
  server = await startTestServer({ runtimeConfig: { imports: { maxBytes: 64 * 1024, maxRows: 2000, batchSize: 50 } } });
  tenant = await createTestTenant(server, { prefix: 'recimp' });
  expect((await tenant.api.put('/api/meta/objects/account', account)).status).toBe(200);
  const r = await tenant.api.put('/api/meta/objects/deal', deal);
  expect(r.status, r.text).toBe(200);
  acme = (await tenant.api.post('/api/records/account', { name: 'Acme Corp' })).body.id;
  await tenant.api.post('/api/records/account', { name: 'Twin' });
  await tenant.api.post('/api/records/account', { name: 'twin' });
});
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

describe('CSV import', () => {
  it('imports typed cells, labels as headers, lookups by name or id, and reports', async () => {
    const text = [
      'Deal name,code,amount,qty,stage,hot,tags,close_on,account,rep',
      `First,C-01,1234.5,3,won,yes,a;b,2026-01-31, acme  corp ,${tenant.admin.email}`,
      `"Second, with comma",C-02,0,,,false,,,${acme},Admin`,
    ].join('\n');
    const r = await csv(tenant.api, text);
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ inserted: 2, updated: 0, failed: [], failedCount: 0, rows: 2, dryRun: false });
    expect(r.body.id).toMatch(/^[0-9a-f-]{36}$/);
    const [first, second] = await deals({ code: { in: ['C-01', 'C-02'] } });
    expect(first).toMatchObject({
      name: 'First',
      amount: 1234.5,
      qty: 3,
      stage: 'won',
      hot: true,
      tags: ['a', 'b'],
      close_on: '2026-01-31',
      account: acme,
      rep: tenant.admin.id,
    });
    // Empty cells are "no value": the default applies on insert.
    expect(second).toMatchObject({ name: 'Second, with comma', amount: 0, stage: 'new', hot: false, account: acme });
    expect(second?.qty).toBeNull();
  });

  it('is all or nothing: one bad row refuses the file with every row error, and nothing is written', async () => {
    const text = [
      'name,code,amount,qty,close_on,account,stage',
      'Ok,N-01,1,1,2026-01-01,Acme Corp,new',
      'Bad,N-02,abc,1.5,2026-13-01,Nobody,maybe',
      'Short,N-03',
      'Twin,N-04,1,1,2026-01-01,twin,new',
    ].join('\n');
    const r = await csv(tenant.api, text);
    expect(r.status, r.text).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    const report = r.body.error.details;
    expect(report).toMatchObject({ inserted: 0, failedCount: 3, id: null });
    const byRow = Object.fromEntries(report.failed.map((f: { row: number; errors: unknown }) => [f.row, f.errors]));
    expect(Object.keys(byRow).map(Number).sort()).toEqual([2, 3, 4]);
    expect(byRow[2]).toMatchObject({
      amount: 'Not a number',
      qty: 'Not an integer',
      account: expect.stringMatching(/No account named "Nobody"/),
    });
    expect(byRow[3]._).toMatch(/Expected 7 cells, found 2/);
    expect(byRow[4].account).toMatch(/2 account records are named "twin": use the id/);
    expect(await deals({ code: { startsWith: 'N-' } })).toHaveLength(0);
  });

  it('keeps the good rows with partial=true and reports the bad ones, validator errors included', async () => {
    const text = ['name,code,amount,stage', 'P1,P-01,5,new', 'P2,P-02,-1,new', ',P-03,1,new', 'P4,P-04,1,closed'].join(
      '\n',
    );
    const r = await csv(tenant.api, text, { partial: true });
    expect(r.status, r.text).toBe(200);
    expect(r.body.inserted).toBe(1);
    expect(r.body.failed.map((f: { row: number }) => f.row).sort()).toEqual([2, 3, 4]);
    const errors = Object.fromEntries(r.body.failed.map((f: { row: number; errors: unknown }) => [f.row, f.errors]));
    expect(errors[2].amount).toBeTruthy();
    expect(errors[3].name).toBeTruthy();
    expect(errors[4].stage).toMatch(/one of/);
    expect((await deals({ code: { startsWith: 'P-' } })).map((d) => d.code)).toEqual(['P-01']);
  });

  it('checks everything on a dry run and writes nothing', async () => {
    const r = await csv(tenant.api, 'name,code\nDry,D-01\nDry2,D-02', { dryRun: true });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ dryRun: true, inserted: 2, id: null });
    expect(await deals({ code: { startsWith: 'D-' } })).toHaveLength(0);
  });

  it('reports an in-file unique clash on the exact row', async () => {
    const r = await csv(tenant.api, 'name,code\nU1,U-01\nU2,U-01', { partial: true });
    expect(r.status, r.text).toBe(200);
    expect(r.body.inserted).toBe(1);
    expect(r.body.failed).toEqual([{ row: 2, errors: { code: expect.any(String) } }]);
  });

  it('ignores read-only and system columns of an exported file and says so', async () => {
    const r = await csv(tenant.api, 'id,name,code,created_at,version\n,Ro,R-01,2020-01-01,7');
    expect(r.status, r.text).toBe(200);
    expect(r.body.ignoredColumns).toEqual(['id', 'created_at', 'version']);
    const [ro] = await deals({ code: { eq: 'R-01' } });
    expect(ro).toMatchObject({ version: 1 });
  });
});

describe('upsert and revert', () => {
  it('updates records found by the key and inserts the others; a revert undoes both', async () => {
    expect((await csv(tenant.api, 'name,code,amount\nKeep,K-01,10\nChange,K-02,20')).status).toBe(200);
    const r = await csv(tenant.api, 'code,amount,name\nK-02,25,Changed\nK-03,30,New', { mode: 'upsert', key: 'code' });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ inserted: 1, updated: 1 });
    expect((await deals({ code: { startsWith: 'K-' } })).map((d) => [d.code, d.name, d.amount])).toEqual([
      ['K-01', 'Keep', 10],
      ['K-02', 'Changed', 25],
      ['K-03', 'New', 30],
    ]);
    const listed = await tenant.api.get('/api/records/deal/imports');
    expect(listed.body.items[0]).toMatchObject({ id: r.body.id, inserted: 1, updated: 1, revertedAt: null });

    const rev = await tenant.api.post(`/api/records/deal/imports/${r.body.id}/revert`);
    expect(rev.status, rev.text).toBe(200);
    expect(rev.body).toEqual({ id: r.body.id, deleted: 1, restored: 1, skipped: 0 });
    expect((await deals({ code: { startsWith: 'K-' } })).map((d) => [d.code, d.name, d.amount])).toEqual([
      ['K-01', 'Keep', 10],
      ['K-02', 'Change', 20],
    ]);
    expect((await tenant.api.post(`/api/records/deal/imports/${r.body.id}/revert`)).status).toBe(409);
    expect((await tenant.api.get(`/api/records/deal/imports/${r.body.id}`)).body.revertedAt).toBeTruthy();
  });

  it('leaves records changed since the import alone when reverting', async () => {
    const r = await csv(tenant.api, 'name,code\nS1,S-01\nS2,S-02');
    const [s1] = await deals({ code: { eq: 'S-01' } });
    const patch = await tenant.api.patch(`/api/records/deal/${s1?.id}`, { name: 'S1 edited' });
    expect(patch.status, patch.text).toBe(200);
    const rev = await tenant.api.post(`/api/records/deal/imports/${r.body.id}/revert`);
    expect(rev.body).toMatchObject({ deleted: 1, skipped: 1 });
    expect((await deals({ code: { startsWith: 'S-' } })).map((d) => d.name)).toEqual(['S1 edited']);
  });

  it('upserts by id, and refuses keys that cannot identify records', async () => {
    const [k1] = await deals({ code: { eq: 'K-01' } });
    const r = await json(tenant.api, [{ id: k1?.id, amount: 11 }], { mode: 'upsert', key: 'id' });
    expect(r.status, r.text).toBe(200);
    expect(r.body.updated).toBe(1);
    expect((await deals({ code: { eq: 'K-01' } }))[0]?.amount).toBe(11);
    const unknownId = await json(tenant.api, [{ id: '00000000-0000-4000-8000-000000000000', amount: 1 }], {
      mode: 'upsert',
      key: 'id',
    });
    expect(unknownId.status).toBe(400);
    expect(unknownId.body.error.details.failed[0].errors.id).toMatch(/No record/);
    expect((await csv(tenant.api, 'code\nx', { mode: 'upsert' })).status).toBe(400);
    expect((await csv(tenant.api, 'code\nx', { mode: 'upsert', key: 'tags' })).status).toBe(400);
    expect((await csv(tenant.api, 'code\nx', { mode: 'upsert', key: 'nope' })).status).toBe(400);
    expect((await csv(tenant.api, 'name\nx', { mode: 'upsert', key: 'code' })).status).toBe(400);
    expect((await csv(tenant.api, 'code\nx', { key: 'code' })).status).toBe(400);
  });

  it('updates a record created by an earlier batch of the same upsert, and reverts both as one', async () => {
    // batchSize is 50 in this file: row 60 finds the record row 1 created.
    const lines = Array.from({ length: 59 }, (_, i) => `V-${i + 100},v${i}`);
    const text = ['code,name', 'V-001,first', ...lines, 'V-001,again'].join('\n');
    const r = await csv(tenant.api, text, { mode: 'upsert', key: 'code' });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ inserted: 60, updated: 1 });
    expect((await deals({ code: { eq: 'V-001' } }))[0]?.name).toBe('again');
    const rev = await tenant.api.post(`/api/records/deal/imports/${r.body.id}/revert`);
    expect(rev.body).toMatchObject({ deleted: 60, skipped: 0 });
    expect(await deals({ code: { startsWith: 'V-' } })).toHaveLength(0);
  });

  it('answers 404 for an unknown import id', async () => {
    expect((await tenant.api.get('/api/records/deal/imports/nope')).status).toBe(404);
    expect(
      (await tenant.api.post('/api/records/deal/imports/00000000-0000-4000-8000-000000000000/revert')).status,
    ).toBe(404);
  });
});

describe('JSON import', () => {
  it('imports an array of records, lookups by name included', async () => {
    const r = await json(tenant.api, [
      { name: 'J1', code: 'J-01', amount: 1.5, tags: ['c'], account: 'ACME CORP' },
      { name: 'J2', code: 'J-02', hot: true },
    ]);
    expect(r.status, r.text).toBe(200);
    expect(r.body.inserted).toBe(2);
    expect((await deals({ code: { eq: 'J-01' } }))[0]).toMatchObject({ amount: 1.5, tags: ['c'], account: acme });
  });

  it('reports elements that are not objects, unknown fields, system fields and wrong types per row', async () => {
    const r = await json(
      tenant.api,
      [{ name: 'ok', code: 'J-10' }, 5, { name: 'x', nope: 1 }, { name: 'y', version: 3 }, { name: 'z', amount: '5' }],
      { partial: true },
    );
    expect(r.status, r.text).toBe(200);
    expect(r.body.inserted).toBe(1);
    const errors = Object.fromEntries(r.body.failed.map((f: { row: number; errors: unknown }) => [f.row, f.errors]));
    expect(errors[2]._).toMatch(/JSON object/);
    expect(errors[3].nope).toBe('Unknown field');
    expect(errors[4].version).toMatch(/read-only/i);
    expect(errors[5].amount).toBeTruthy();
  });

  it('refuses a body that is not an array, and truncated JSON', async () => {
    expect((await json(tenant.api, { name: 'x' })).status).toBe(400);
    const cut = await tenant.api.post('/api/records/deal/import', undefined, { raw: '[{"name":"a"},{"na' });
    expect(cut.status).toBe(400);
    expect(cut.body.error.message).toMatch(/JSON/);
  });
});

describe('refusals', () => {
  it.each([
    ['broken quoting', 'name,code\n"open,1\n', /Malformed CSV/],
    ['an empty file', '', /empty/],
    ['an empty header cell', 'name,,code\n1,2,3', /no name/],
    ['a repeated column', 'name,Name\n1,2', /twice/],
  ])('refuses %s with 400 and writes nothing', async (_label, text, message) => {
    const r = await csv(tenant.api, text);
    expect(r.status, r.text).toBe(400);
    expect(r.body.error.message).toMatch(message);
  });

  it('lists unknown columns, injection attempts included, without running them', async () => {
    const r = await csv(tenant.api, 'name,"code""; drop table deal; --",colour\nx,y,z');
    expect(r.status, r.text).toBe(400);
    expect(r.body.error.details.unknownColumns).toEqual(['code"; drop table deal; --', 'colour']);
    expect((await tenant.api.get('/api/records/deal', { query: { limit: 1 } })).status).toBe(200);
  });

  it('refuses a file over the byte limit with 413 and writes nothing', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `Big ${i},B-${i},1`).join('\n');
    const r = await csv(tenant.api, `name,code,amount\n${rows}`);
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('TOO_LARGE');
    expect(await deals({ code: { startsWith: 'B-' } })).toHaveLength(0);
  });

  it('refuses too many rows with 413', async () => {
    const rows = Array.from({ length: 2001 }, () => 'x').join('\n');
    const r = await csv(tenant.api, `name\n${rows}`);
    expect(r.status).toBe(413);
  });

  it('refuses unsupported content types, unknown parameters, unknown objects and anonymous callers', async () => {
    const xml = await tenant.api.post('/api/records/deal/import', undefined, {
      raw: '<a/>',
      headers: { 'content-type': 'application/xml' },
    });
    expect(xml.status).toBe(400);
    expect((await csv(tenant.api, 'name\nx', { mode: 'merge' })).status).toBe(400);
    expect((await csv(tenant.api, 'name\nx', { bogus: 'x' })).status).toBe(400);
    const unknown = await tenant.api.post('/api/records/nope/import', undefined, {
      raw: 'name\nx',
      headers: { 'content-type': 'text/csv' },
    });
    expect(unknown.status).toBe(404);
    expect((await csv(server.anon, 'name\nx')).status).toBe(401);
    const empty = await tenant.api.post('/api/records/deal/import', undefined, {
      headers: { 'content-type': 'text/csv' },
    });
    expect(empty.status).toBe(400);
  });
});

describe('permissions', () => {
  it('needs create access, refuses fields the user may not edit, and links only readable records', async () => {
    const role = await tenant.api.put('/api/meta/roles/importer', {
      label: 'Importer',
      objects: {
        deal: { create: true, read: 'own', update: 'own', delete: 'own', fields: { margin: 'read', qty: 'none' } },
        account: { create: false, read: 'own', update: false, delete: false },
      },
    });
    expect(role.status, role.text).toBe(200);
    const viewerRole = await tenant.api.put('/api/meta/roles/viewer', {
      label: 'Viewer',
      objects: { deal: { create: false, read: 'all', update: false, delete: false } },
    });
    expect(viewerRole.status, viewerRole.text).toBe(200);
    const importer = await tenant.addUser({ roles: ['importer'] });
    const viewer = await tenant.addUser({ roles: ['viewer'] });
    const outsider = await tenant.addUser({ roles: [] });

    expect((await csv(viewer.api, 'name\nx')).status).toBe(403);
    expect((await csv(outsider.api, 'name\nx')).status).toBe(404);
    const readOnly = await csv(importer.api, 'name,margin\nx,1');
    expect(readOnly.status).toBe(403);
    const hidden = await csv(importer.api, 'name,qty\nx,1');
    expect(hidden.status).toBe(400);
    expect(hidden.body.error.details.unknownColumns).toEqual(['qty']);
    // The importer cannot read Acme (accounts: own only), so it cannot be linked by name or id.
    const link = await csv(importer.api, `name,code,account\nL1,L-01,Acme Corp\nL2,L-02,${acme}`, { partial: true });
    expect(link.status, link.text).toBe(200);
    expect(link.body.failed.map((f: { errors: { account: string } }) => f.errors.account)).toEqual([
      expect.stringMatching(/No account named/),
      expect.stringMatching(/No account with this id/),
    ]);
    const mine = await csv(importer.api, 'name,code\nMine,M-01');
    expect(mine.status, mine.text).toBe(200);
    // Other users' imports are not theirs to see or revert; an admin may revert them.
    expect((await viewer.api.get(`/api/records/deal/imports/${mine.body.id}`)).status).toBe(404);
    expect((await viewer.api.post(`/api/records/deal/imports/${mine.body.id}/revert`)).status).toBe(404);
    const theirs = (await importer.api.get('/api/records/deal/imports')).body.items;
    expect(theirs.map((i: { id: string }) => i.id)).toEqual([mine.body.id, link.body.id]);
    expect((await tenant.api.post(`/api/records/deal/imports/${mine.body.id}/revert`)).body.deleted).toBe(1);
  });
});

describe('concurrency', () => {
  it('two concurrent imports of the same unique codes: one wins, the other writes nothing', async () => {
    const text = `name,code\n${Array.from({ length: 40 }, (_, i) => `C${i},Q-${i}`).join('\n')}`;
    const [a, b] = await Promise.all([csv(tenant.api, text), csv(tenant.api, text)]);
    expect([a.status, b.status].sort()).toEqual([200, 400]);
    const loser = a.status === 400 ? a : b;
    expect(loser.body.error.details.failedCount).toBe(40);
    expect(await deals({ code: { startsWith: 'Q-' } })).toHaveLength(40);
  });
});
