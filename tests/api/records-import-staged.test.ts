/**
 * The staged import (runtime/src/records/import-staged.ts) against the record-by-record path on the
 * same files: one server stages CSV imports, a second one (same database) is configured to write
 * every import record by record. Reports, records and their audit must be the same; then the
 * unhappy paths and the permission probes of the staged path, and concurrent importers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

let staged: TestServer;
let rows: TestServer;
let a: TestTenant; // staged
let b: TestTenant; // record by record

const item = {
  title: 'Item',
  type: 'object',
  'x-label-field': 'name',
  properties: {
    code: { type: 'string', maxLength: 20, 'x-unique': true },
    name: { type: 'string', title: 'Item name', maxLength: 20 },
    qty: { type: 'integer', minimum: 0 },
    price: { type: 'number', minimum: 0, 'x-kind': 'currency' },
    stage: { type: 'string', enum: ['new', 'won', 'lost'], default: 'new' },
    hot: { type: 'boolean' },
    tags: { type: 'array', items: { type: 'string', enum: ['a', 'b', 'c'] } },
    due: { type: 'string', format: 'date' },
    seen_at: { type: 'string', format: 'date-time' },
    note: { type: 'string', 'x-kind': 'textarea' },
    secret: { type: 'string' },
  },
  required: ['name'],
};

const upload = (api: ApiClient, text: string, query: Record<string, string | boolean> = {}, object = 'item') =>
  api.post(`/api/records/${object}/import`, undefined, { raw: text, headers: { 'content-type': 'text/csv' }, query });

/** A report without what differs by nature (its id, which path wrote it). */
function comparable(body: Record<string, unknown>) {
  const { id: _id, writePath: _path, ...rest } = body;
  const failed = [...((rest.failed as { row: number }[]) ?? [])].sort((x, y) => x.row - y.row);
  return { ...rest, failed };
}

const FIELDS = ['code', 'name', 'qty', 'price', 'stage', 'hot', 'tags', 'due', 'seen_at', 'note', 'secret', 'version'];

async function items(api: ApiClient, prefix: string) {
  const r = await api.get('/api/records/item', {
    query: { limit: 500, sort: 'code', filter: JSON.stringify({ code: { startsWith: prefix } }) },
  });
  expect(r.status, r.text).toBe(200);
  return (r.body.items as Record<string, unknown>[]).map((x) => Object.fromEntries(FIELDS.map((f) => [f, x[f]])));
}

async function history(api: ApiClient, code: string) {
  const r = await api.get('/api/records/item', { query: { filter: JSON.stringify({ code: { eq: code } }) } });
  const id = r.body.items[0]?.id as string;
  const h = await api.get(`/api/records/item/${id}/history`);
  expect(h.status, h.text).toBe(200);
  const list = (h.body.items ?? h.body) as { action: string; changes: Record<string, unknown[]> }[];
  // The record's own id and owner differ between the two tenants by nature.
  return list.map((e) => {
    const { id: _i, owner, ...changes } = e.changes;
    return { action: e.action, owner: owner ? 'set' : 'unset', changes };
  });
}

/** The same import through both paths: the answers (status and report) must be the same. */
async function both(text: string, query: Record<string, string | boolean> = {}) {
  const [x, y] = [await upload(a.api, text, query), await upload(b.api, text, query)];
  expect(x.status, x.text).toBe(y.status);
  if (x.status === 200) {
    expect(x.body.writePath).toBe('staged');
    expect(y.body.writePath).toBe('records');
    expect(comparable(x.body)).toEqual(comparable(y.body));
  } else if (x.body.error?.details?.failed) {
    expect(x.body.error.message).toBe(y.body.error.message);
    expect(comparable(x.body.error.details)).toEqual(comparable(y.body.error.details));
  } else expect(x.body).toEqual(y.body);
  return x;
}

beforeAll(async () => {
  [staged, rows] = await Promise.all([
    startTestServer({ runtimeConfig: { imports: { maxBytes: 64 * 1024, maxRows: 2000 } } }),
    startTestServer({ runtimeConfig: { imports: { maxBytes: 64 * 1024, maxRows: 2000, staged: false } } }),
  ]);
  [a, b] = await Promise.all([
    createTestTenant(staged, { prefix: 'impstg' }),
    createTestTenant(rows, { prefix: 'imprec' }),
  ]);
  for (const t of [a, b]) {
    const r = await t.api.put('/api/meta/objects/item', item);
    expect(r.status, r.text).toBe(200);
  }
});
afterAll(async () => {
  await staged?.platform.delete(`/api/tenants/${a?.id}`, { query: { confirm: a?.id } });
  await rows?.platform.delete(`/api/tenants/${b?.id}`, { query: { confirm: b?.id } });
  await Promise.all([staged?.close(), rows?.close()]);
});

const MIXED = [
  'code,Item name,qty,price,stage,hot,tags,due,seen_at,note',
  'E-01,First,3,1234.50,won,yes,a;b,2026-01-31,2026-01-31T10:00:00Z,"multi\nline, ""quoted"""',
  'E-02,Second,,0,,false,,,,',
  'E-03,Bad qty,1.5,1,new,,,,,',
  'E-04,Bad price,1,abc,new,,,,,',
  'E-05,Bad stage,1,1,maybe,,,,,',
  'E-06,Name far too long for the field,1,1,,,,,,',
  'E-07,,1,1,,,,,,',
  'E-08,Bad tag,1,1,,,a;z,,,',
  'E-09,Bad date,1,1,,,,2026-13-45,,',
  'E-01,Twin code,1,1,,,,,,',
  'E-10,Short row,1',
  'E-11,Negative,-1,1,,,,,,',
  'E-12,Bad bool,1,1,,maybe,,,,',
  "E-13,'); drop table x; --,1,1,,,,,,=cmd|' /C calc'!A0",
].join('\n');

describe('the staged path answers and writes as the record-by-record path', () => {
  it('all or nothing: the same refusal with every row error and row number, nothing written', async () => {
    const r = await both(MIXED);
    expect(r.status).toBe(400);
    expect(r.body.error.details.failed.map((f: { row: number }) => f.row)).toEqual([
      3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
    ]);
    expect(r.body.error.details.failed.find((f: { row: number }) => f.row === 10).errors).toEqual({
      code: 'Already used by another record',
    });
    expect(await items(a.api, 'E-')).toEqual([]);
  });

  it('partial: the same records, values, defaults, failures and audit rows', async () => {
    const r = await both(MIXED, { partial: true });
    expect(r.body).toMatchObject({ inserted: 3, failedCount: 11 });
    const [mine, theirs] = [await items(a.api, 'E-'), await items(b.api, 'E-')];
    expect(mine).toEqual(theirs);
    expect(mine.find((x) => x.code === 'E-13')).toMatchObject({
      name: "'); drop table x; --",
      note: "=cmd|' /C calc'!A0",
    });
    expect(mine.find((x) => x.code === 'E-02')).toMatchObject({ stage: 'new', price: 0, hot: false, qty: null });
    for (const code of ['E-01', 'E-02', 'E-13']) expect(await history(a.api, code)).toEqual(await history(b.api, code));
    expect((await history(a.api, 'E-01'))[0]?.changes).toMatchObject({
      price: [null, 1234.5],
      seen_at: [null, '2026-01-31T10:00:00.000Z'],
      due: [null, '2026-01-31'],
      tags: [null, ['a', 'b']],
      approval_status: [null, 'none'],
    });
  });

  it("audit entries built while the file streams equal the records path's, edge values included", async () => {
    // The staged path writes most create entries from JSON it builds per row; values whose stored
    // form it cannot be sure of (more decimals than the scale, times, multi-selects) go to SQL.
    const text = [
      'code,Item name,qty,price,stage,hot,due,note',
      'H-01,Big,9007199254740991,0.1,lost,true,2026-02-28,"é ✓ 😀 ""q"" \\ /"',
      'H-02,Round,3,1000,won,no,0999-01-01,',
      'H-03,Fine,0,12.345,new,,,x',
      'H-04,Tiny,1,0.000001,new,,,',
      'H-05,Huge,1,123456789012345.5,new,,,',
    ].join('\n');
    const r = await both(text, { partial: true });
    expect(r.status, r.text).toBe(200);
    const written = await items(a.api, 'H-');
    expect(written).toEqual(await items(b.api, 'H-'));
    expect(written.map((x) => x.code)).toEqual(['H-01', 'H-02', 'H-03', 'H-04', 'H-05']);
    for (const { code } of written)
      expect(await history(a.api, code as string)).toEqual(await history(b.api, code as string));
  });

  it('dry run: the same report, nothing written', async () => {
    await both('code,name\nD-01,One\nD-02,Two', { dryRun: true });
    expect(await items(a.api, 'D-')).toEqual([]);
  });

  it('upsert on a natural key: updates, unchanged rows, inserts, key errors, repeated keys, audit and revert', async () => {
    await both('code,name,qty,price\nU-01,One,1,10\nU-02,Two,2,20\nU-03,Three,3,30');
    const text = [
      'code,name,qty,price',
      'U-01,One changed,1,11',
      'U-02,Two,2,20',
      'U-04,Four,4,40',
      ',No key,1,1',
      'U-05,Five,x,1',
    ].join('\n');
    const refused = await both(text, { mode: 'upsert', key: 'code' });
    expect(refused.status).toBe(400);
    const ok = await both(text, { mode: 'upsert', key: 'code', partial: true });
    expect(ok.body).toMatchObject({ inserted: 1, updated: 2, failedCount: 2 });
    expect(await items(a.api, 'U-')).toEqual(await items(b.api, 'U-'));
    for (const code of ['U-01', 'U-02', 'U-04']) expect(await history(a.api, code)).toEqual(await history(b.api, code));
    expect((await history(a.api, 'U-01'))[0]).toMatchObject({
      action: 'update',
      changes: { name: ['One', 'One changed'], price: [10, 11] },
    });

    const reverts = [];
    for (const [t, id] of [
      [a, ok.body.id],
      [b, (await b.api.get('/api/records/item/imports')).body.items[0].id],
    ] as const) {
      const rev = await t.api.post(`/api/records/item/imports/${id}/revert`);
      expect(rev.status, rev.text).toBe(200);
      reverts.push({ ...rev.body, id: undefined });
    }
    expect(reverts[0]).toEqual(reverts[1]);
    expect((await items(a.api, 'U-')).map((x) => [x.code, x.name, x.price])).toEqual([
      ['U-01', 'One', 10],
      ['U-02', 'Two', 20],
      ['U-03', 'Three', 30],
    ]);
  });

  it('upsert: a repeated key updates the record the earlier row wrote, wherever it is in the file', async () => {
    const r = await upload(a.api, 'code,name,qty,price\nR-01,First,1,1\nR-02,Other,2,2\nR-01,Again,3,', {
      mode: 'upsert',
      key: 'code',
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ writePath: 'staged', inserted: 2, updated: 1 });
    expect((await items(a.api, 'R-')).map((x) => [x.code, x.name, x.qty, x.price, x.version])).toEqual([
      ['R-01', 'Again', 3, null, 2],
      ['R-02', 'Other', 2, 2, 1],
    ]);
    expect((await history(a.api, 'R-01')).map((e) => e.action)).toEqual(['update', 'create']);
    const rev = await a.api.post(`/api/records/item/imports/${r.body.id}/revert`);
    expect(rev.body).toMatchObject({ deleted: 2, skipped: 0 });
  });

  it('upsert by id finds records by id and refuses unknown ids on their row', async () => {
    await upload(a.api, 'code,name\nU-01,One');
    const [u1] = (await a.api.get('/api/records/item', { query: { filter: JSON.stringify({ code: { eq: 'U-01' } }) } }))
      .body.items;
    const r = await upload(a.api, `id,qty\n${u1.id},7\n00000000-0000-4000-8000-000000000000,1\nnot-an-id,1`, {
      mode: 'upsert',
      key: 'id',
      partial: true,
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body, r.text).toMatchObject({ writePath: 'staged', updated: 1, inserted: 0, failedCount: 2 });
    expect(r.body.failed[0]).toEqual({ row: 2, errors: { id: 'No record with this id' } });
    expect(r.body.failed[1].row).toBe(3);
  });
});

describe('what the staged path writes cheaply (issue 27)', () => {
  it('gives created records ids that ascend in file order (version 7), each distinct', async () => {
    const n = 40;
    const text = `code,name\n${Array.from({ length: n }, (_, i) => `V7-${String(i).padStart(2, '0')},Row ${i}`).join('\n')}`;
    const r = await upload(a.api, text);
    expect(r.status, r.text).toBe(200);
    expect(r.body.writePath).toBe('staged');
    const list = await a.api.get('/api/records/item', {
      query: { limit: 100, sort: 'code', filter: JSON.stringify({ code: { startsWith: 'V7-' } }) },
    });
    const ids = (list.body.items as { id: string }[]).map((x) => x.id);
    expect(ids).toHaveLength(n);
    expect(new Set(ids).size).toBe(n);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // Sorted by code (the file's order) they are sorted by id: appended at the right of each index.
    expect([...ids].sort()).toEqual(ids);
  });

  it('journals without a per-row foreign-key check, and the import still reverts', async () => {
    const fks = await staged.runtime.db.raw(
      `select count(*)::int n from pg_constraint where conrelid = ?::regclass and contype = 'f'`,
      [`t_${a.id}._import_rows`],
    );
    expect(fks.rows[0].n).toBe(0);
    const r = await upload(a.api, 'code,name\nJ-01,One\nJ-02,Two');
    expect(r.status, r.text).toBe(200);
    const rev = await a.api.post(`/api/records/item/imports/${r.body.id}/revert`);
    expect(rev.status, rev.text).toBe(200);
    expect(rev.body).toMatchObject({ deleted: 2, skipped: 0 });
    expect(await items(a.api, 'J-')).toEqual([]);
  });

  it('a key another writer committed after the checks refuses its row, not the import with a 500', async () => {
    // The checks run before the insert; a value committed in between is what the ON CONFLICT
    // fallback is for. A trigger stands in for the other writer: it commits nothing, but inserts the
    // clashing row the moment the import's insert starts, which a plain INSERT meets as a 23505.
    const schema = `t_${a.id}`;
    await staged.runtime.db.raw(
      `create function ??.late_writer() returns trigger language plpgsql as $$
       begin
         if pg_trigger_depth() = 1 and new.code = 'L-02' and not exists (select 1 from ??.item where code = 'L-02') then
           insert into ??.item (id, code, name, owner, created_by, updated_by)
             values (gen_random_uuid(), 'L-02', 'Other', new.owner, new.owner, new.owner);
         end if;
         return new;
       end $$`,
      [schema, schema, schema],
    );
    await staged.runtime.db.raw(
      'create trigger late_writer before insert on ??.item for each row execute function ??.late_writer()',
      [schema, schema],
    );
    try {
      const r = await upload(a.api, 'code,name\nL-01,One\nL-02,Two\nL-03,Three', { partial: true });
      expect(r.status, r.text).toBe(200);
      expect(r.body).toMatchObject({ inserted: 2, failedCount: 1 });
      expect(r.body.failed).toEqual([{ row: 2, errors: { code: 'Already used by another record' } }]);
      expect((await items(a.api, 'L-')).map((x) => [x.code, x.name])).toEqual([
        ['L-01', 'One'],
        ['L-02', 'Other'],
        ['L-03', 'Three'],
      ]);
    } finally {
      await staged.runtime.db.raw('drop trigger late_writer on ??.item', [schema]);
      await staged.runtime.db.raw('drop function ??.late_writer()', [schema]);
    }
  });
});

describe('unhappy paths of the staged path', () => {
  it('refuses broken quoting, unknown and injected header names, and writes nothing', async () => {
    const broken = await upload(a.api, 'code,name\nM-01,"unterminated\nM-02,ok');
    expect(broken.status).toBe(400);
    const injected = await upload(a.api, 'code,"name""; drop table item; --",x\nM-03,y,z');
    expect(injected.status).toBe(400);
    expect(injected.body.error.details.unknownColumns).toEqual(['name"; drop table item; --', 'x']);
    expect(await items(a.api, 'M-')).toEqual([]);
  });

  it('refuses a body over the byte limit with 413 and writes nothing', async () => {
    const big = `code,name\n${Array.from({ length: 5000 }, (_, i) => `O-${i},${'x'.repeat(15)}`).join('\n')}`;
    const r = await upload(a.api, big);
    expect(r.status).toBe(413);
    expect(await items(a.api, 'O-')).toEqual([]);
  });

  it('refuses values already used by existing records and by earlier rows, on their rows', async () => {
    await upload(a.api, 'code,name\nQ-01,Existing');
    const r = await upload(a.api, 'code,name\nQ-01,Clash\nQ-02,New\nQ-02,Twin', { partial: true });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ writePath: 'staged', inserted: 1 });
    expect(r.body.failed).toEqual([
      { row: 1, errors: { code: 'Already used by another record' } },
      { row: 3, errors: { code: 'Already used by another record' } },
    ]);
  });

  it('takes the record-by-record path for objects with formulas or scripts, and for lookup columns', async () => {
    const r = await a.api.put('/api/meta/objects/calc', {
      title: 'Calc',
      type: 'object',
      properties: { n: { type: 'number' }, twice: { type: 'number', 'x-formula': 'record.n * 2' } },
    });
    expect(r.status, r.text).toBe(200);
    const imported = await upload(a.api, 'n\n2', {}, 'calc');
    expect(imported.status, imported.text).toBe(200);
    expect(imported.body.writePath).toBe('records');
    const list = await a.api.get('/api/records/calc');
    expect(list.body.items[0]).toMatchObject({ n: 2, twice: 4 });
  });
});

describe('permissions on the staged path', () => {
  it('refuses fields the user may not edit, and never overwrites records outside their scope', async () => {
    const role = await a.api.put('/api/meta/roles/item_rep', {
      label: 'Item rep',
      objects: { item: { create: true, read: 'own', update: 'own', delete: false, fields: { secret: 'read' } } },
    });
    expect(role.status, role.text).toBe(200);
    const reader = await a.api.put('/api/meta/roles/item_reader', {
      label: 'Item reader',
      objects: { item: { create: true, read: 'all', update: 'own', delete: false } },
    });
    expect(reader.status, reader.text).toBe(200);
    const rep = await a.addUser({ roles: ['item_rep'] });
    const peer = await a.addUser({ roles: ['item_reader'] });
    await upload(a.api, 'code,name,qty\nP-01,Admin owns,1');

    expect((await upload(rep.api, 'code,secret\nP-09,x')).status).toBe(403);
    // Outside the rep's read scope: the key is not found, and the insert clashes on the unique code.
    const probe = await upload(rep.api, 'code,name,qty\nP-01,Taken over,99', { mode: 'upsert', key: 'code' });
    expect(probe.status).toBe(400);
    expect(probe.body.error.details).toMatchObject({ writePath: 'staged' });
    expect(probe.body.error.details.failed).toEqual([{ row: 1, errors: { code: 'Already used by another record' } }]);
    // Readable but outside the update scope: refused on its row.
    const peerProbe = await upload(peer.api, 'code,name,qty\nP-01,Taken over,99', { mode: 'upsert', key: 'code' });
    expect(peerProbe.status).toBe(400);
    expect(peerProbe.body.error.details.failed).toEqual([{ row: 1, errors: { _: 'You may not update this record' } }]);
    expect((await items(a.api, 'P-')).map((x) => [x.name, x.qty, x.version])).toEqual([['Admin owns', 1, 1]]);
    // Their own records they may upsert.
    expect((await upload(rep.api, 'code,name\nP-02,Mine')).status).toBe(200);
    const own = await upload(rep.api, 'code,name\nP-02,Mine changed', { mode: 'upsert', key: 'code' });
    expect(own.status, own.text).toBe(200);
    expect(own.body).toMatchObject({ updated: 1, writePath: 'staged' });
  });
});

describe('concurrent importers on the same key', () => {
  it('never duplicate a key: each import either writes all its rows or is refused on its rows', async () => {
    const text = `code,name\n${Array.from({ length: 30 }, (_, i) => `K-${i},N${i}`).join('\n')}`;
    const answers = await Promise.all([
      upload(a.api, text, { mode: 'upsert', key: 'code' }),
      upload(a.api, text, { mode: 'upsert', key: 'code' }),
    ]);
    for (const r of answers) {
      expect([200, 400], r.text).toContain(r.status);
      if (r.status === 400) {
        expect(r.body.error.details.failedCount).toBe(30);
        expect(r.body.error.details.failed[0].errors).toEqual({ code: 'Already used by another record' });
      }
    }
    expect(answers.some((r) => r.status === 200)).toBe(true);
    expect(await items(a.api, 'K-')).toHaveLength(30);

    // On existing keys both succeed, one after the other (the rows are locked while matched).
    const again = await Promise.all([
      upload(a.api, text.replaceAll(',N', ',X'), { mode: 'upsert', key: 'code' }),
      upload(a.api, text.replaceAll(',N', ',Y'), { mode: 'upsert', key: 'code' }),
    ]);
    expect(again.map((r) => r.status)).toEqual([200, 200]);
    const after = await items(a.api, 'K-');
    expect(after).toHaveLength(30);
    expect(new Set(after.map((x) => String(x.name)[0])).size).toBe(1);
  });
});
