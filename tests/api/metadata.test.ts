/**
 * Metadata through the HTTP API alone: objects with every field kind become real tables, and a
 * table with data evolves through many planned changes without losing a row unless told to.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Catalog, catalog } from '../support/catalog';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

let server: TestServer;
let tenant: TestTenant;
let db: Catalog;

beforeAll(async () => {
  server = await startTestServer();
  tenant = await createTestTenant(server, { prefix: 'meta' });
  db = catalog(server, tenant.id);
});
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

const account = {
  type: 'object',
  title: 'Account',
  'x-label-field': 'name',
  'x-i18n': { 'zh-CN': { title: '客户' } },
  properties: { name: { type: 'string', title: 'Name', maxLength: 100 } },
  required: ['name'],
};

/** One field of every kind. */
const everyKind = {
  type: 'object',
  title: 'Specimen',
  description: 'A field of every kind',
  'x-label-field': 'name',
  properties: {
    name: { type: 'string', title: 'Name', maxLength: 200, 'x-unique': true },
    notes: { type: 'string', 'x-kind': 'textarea' },
    email: { type: 'string', format: 'email', 'x-index': true },
    site: { type: 'string', format: 'uri' },
    born_on: { type: 'string', format: 'date' },
    seen_at: { type: 'string', format: 'date-time' },
    stage: { type: 'string', enum: ['new', 'won', 'lost'], default: 'new', 'x-enum-labels': { new: 'New' } },
    tags: { type: 'array', items: { type: 'string', enum: ['hot', 'cold'] }, 'x-index': true },
    weight: { type: 'number' },
    amount: { type: 'number', 'x-kind': 'currency', minimum: 0, 'x-i18n': { 'zh-CN': { title: '金额' } } },
    discount: { type: 'number', 'x-kind': 'percent', 'x-scale': 3 },
    count: { type: 'integer' },
    active: { type: 'boolean', default: true },
    account: { type: 'string', format: 'uuid', 'x-ref': 'account' },
    reviewer: { type: 'string', format: 'uuid', 'x-ref': 'user' },
    net: { type: 'number', 'x-kind': 'currency', 'x-formula': 'record.amount * (1 - (record.discount || 0) / 100)' },
    number: { type: 'string', 'x-autonumber': 'S-{YYYY}-{0000}' },
  },
  required: ['name'],
};

const quote = {
  type: 'object',
  title: 'Quote',
  properties: {
    title: { type: 'string', maxLength: 100 },
    lines: { type: 'array', 'x-children': { object: 'quote_line', field: 'quote' } },
    total: { type: 'number', 'x-kind': 'currency', 'x-rollup': { children: 'lines', op: 'sum', field: 'amount' } },
    line_count: { type: 'integer', 'x-rollup': { children: 'lines', op: 'count' } },
  },
};
const quoteLine = {
  type: 'object',
  title: 'Quote line',
  properties: {
    quote: { type: 'string', format: 'uuid', 'x-ref': 'quote' },
    amount: { type: 'number', 'x-kind': 'currency' },
  },
  required: ['quote'],
};

async function version(): Promise<number> {
  const r = await tenant.api.get('/api/meta');
  expect(r.status, r.text).toBe(200);
  return r.body.version;
}

describe('objects of every field kind', () => {
  it('creates real tables with one column per field, of the catalogue type', async () => {
    const a = await tenant.api.put('/api/meta/objects/account', account);
    expect(a.status, a.text).toBe(200);
    expect(a.body.changed).toBe(true);
    expect(a.body.plan.steps.map((s: { kind: string }) => s.kind)).toContain('create_table');
    const s = await tenant.api.put('/api/meta/objects/specimen', everyKind);
    expect(s.status, s.text).toBe(200);
    expect(s.body.version).toBe(a.body.version + 1);
    expect(s.body.summary.objects).toEqual({ added: ['specimen'], removed: [], changed: [] });

    const cols = await db.columns('specimen');
    const type = (c: string) => cols[c]?.type;
    expect(type('name')).toBe('character varying');
    expect(cols.name?.length).toBe(200);
    expect(cols.name?.nullable).toBe(false);
    expect(type('notes')).toBe('text');
    expect(type('email')).toBe('text');
    expect(type('site')).toBe('text');
    expect(type('born_on')).toBe('date');
    expect(type('seen_at')).toBe('timestamp with time zone');
    expect(type('stage')).toBe('text');
    expect(cols.stage?.default).toContain("'new'");
    expect(type('tags')).toBe('text[]');
    expect([type('weight'), cols.weight?.scale]).toEqual(['numeric', 6]);
    expect([type('amount'), cols.amount?.scale]).toEqual(['numeric', 2]);
    expect([type('discount'), cols.discount?.scale]).toEqual(['numeric', 3]);
    expect(type('count')).toBe('bigint');
    expect(type('active')).toBe('boolean');
    expect(type('account')).toBe('uuid');
    expect(type('reviewer')).toBe('uuid');
    expect([type('net'), cols.net?.scale]).toEqual(['numeric', 2]);
    expect(type('number')).toBe('text');
    // System columns come with every table.
    for (const c of ['id', 'owner', 'created_at', 'created_by', 'updated_at', 'updated_by', 'version', 'deleted_at'])
      expect(cols[c], c).toBeDefined();

    const fks = await db.constraints('specimen', 'f');
    expect(fks.some((f) => f.includes('(account) REFERENCES') && f.includes('account(id) ON DELETE SET NULL'))).toBe(
      true,
    );
    expect(fks.some((f) => f.includes('(reviewer) REFERENCES') && f.includes('_users(id)'))).toBe(true);
    const checks = (await db.constraints('specimen', 'c')).join('\n');
    expect(checks).toMatch(/stage/);
    expect(checks).toMatch(/tags/);
    expect(checks).toMatch(/email/);
    const indexes = (await db.indexes('specimen')).join('\n');
    expect(indexes).toMatch(/UNIQUE INDEX .* \(name\) WHERE \(deleted_at IS NULL\)/);
    expect(indexes).toMatch(/USING gin \(tags\)/);
    expect(indexes).toMatch(/\(email\)/);
    expect(indexes).toMatch(/UNIQUE INDEX .* \(number\)/);
    expect(indexes).toMatch(/\(account\)/);
  });

  it('round-trips a value of every kind through the real table, and the table refuses bad ones', async () => {
    const [acc] = await db.insert('account', { name: 'Acme' });
    const row = {
      name: 'Alpha',
      notes: 'long\ntext',
      email: 'a@b.test',
      site: 'https://example.test/x',
      born_on: '2024-02-29',
      seen_at: '2024-03-01T10:00:00.000Z',
      stage: 'won',
      tags: ['hot', 'cold'],
      weight: 1.123456,
      amount: 1234.5,
      discount: 12.345,
      count: 9007199254740991,
      active: false,
      account: acc.id,
      reviewer: tenant.admin.id,
      net: 1082.1,
      number: 'S-2024-0001',
    };
    const [saved] = await db.insert('specimen', row);
    // Dates stay plain strings (no time zone shift); numeric and bigint come back as numbers.
    expect(saved).toEqual({ ...saved, ...row, seen_at: new Date(row.seen_at) });
    await expect(db.insert('specimen', { name: 'Bad mail', email: 'not-an-email' })).rejects.toThrow(/check/);
    await expect(db.insert('specimen', { name: 'Bad stage', stage: 'maybe' })).rejects.toThrow(/check/);
    await expect(db.insert('specimen', { name: 'Bad tag', tags: ['warm'] })).rejects.toThrow(/check/);
    await expect(db.insert('specimen', { name: 'Alpha' })).rejects.toThrow(/unique/);
    await expect(
      db.insert('specimen', { name: 'Dangling', account: '00000000-0000-4000-8000-000000000000' }),
    ).rejects.toThrow(/foreign key/);
    // Defaults are column defaults too.
    const [plain] = await db.insert('specimen', { name: 'Beta' });
    expect(plain).toMatchObject({ stage: 'new', active: true });
  });

  it('creates line items with a cascading parent link and stored roll-ups', async () => {
    const r = await tenant.api.post('/api/meta/apply', { objects: { quote, quote_line: quoteLine } });
    expect(r.status, r.text).toBe(200);
    expect(await db.tableExists('quote')).toBe(true);
    const cols = await db.columns('quote');
    expect(cols.lines).toBeUndefined(); // line items live in the child table
    expect([cols.total?.type, cols.total?.scale]).toEqual(['numeric', 2]);
    expect(cols.line_count?.type).toBe('bigint');
    const fks = await db.constraints('quote_line', 'f');
    expect(fks.some((f) => f.includes('(quote) REFERENCES') && f.includes('ON DELETE CASCADE'))).toBe(true);
  });

  it('answers the document with stable x-ids on objects and fields', async () => {
    const r = await tenant.api.get('/api/meta');
    expect(r.status).toBe(200);
    expect(Object.keys(r.body.objects).sort()).toEqual(['account', 'quote', 'quote_line', 'specimen']);
    expect(r.body.objects.specimen['x-id']).toMatch(/^[a-z0-9]{6,}$/);
    expect(r.body.objects.specimen.properties.amount['x-id']).toMatch(/^[a-z0-9]{6,}$/);
    expect(r.body.objects.specimen.properties.amount['x-i18n']).toEqual({ 'zh-CN': { title: '金额' } });
    for (const s of ['roles', 'workflows', 'scripts', 'forms', 'views']) expect(r.body[s]).toEqual({});
  });

  it('treats the same document again as a no-op', async () => {
    const before = await version();
    const r = await tenant.api.put('/api/meta/objects/specimen', everyKind);
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ version: before, changed: false, plan: { steps: [] } });
    // With its ids as GET answered them, too.
    const doc = (await tenant.api.get('/api/meta')).body;
    const again = await tenant.api.post('/api/meta/apply', { objects: doc.objects });
    expect(again.body).toMatchObject({ version: before, changed: false });
  });
});

describe('a table with data evolving', () => {
  let deal: Record<string, any>;
  const put = (body: unknown, query?: Record<string, string | boolean>) =>
    tenant.api.put('/api/meta/objects/deal', body, query ? { query } : {});
  const withField = (name: string, def: unknown) => ({
    ...deal,
    properties: { ...deal.properties, [name]: def },
  });
  const without = (name: string) => {
    const { [name]: _gone, ...properties } = deal.properties;
    return { ...deal, properties, required: (deal.required ?? []).filter((r: string) => r !== name) };
  };
  /** Keeps the definition the server answered (with ids) for the next change. */
  const refresh = async () => {
    deal = (await tenant.api.get('/api/meta')).body.objects.deal;
  };

  beforeAll(async () => {
    const r = await put({
      type: 'object',
      title: 'Deal',
      properties: {
        name: { type: 'string', maxLength: 50 },
        amount: { type: 'number' },
        stage: { type: 'string', enum: ['new', 'won', 'lost'] },
        region: { type: 'string' },
      },
      required: ['name'],
    });
    expect(r.status, r.text).toBe(200);
    await refresh();
    // One statement each: rows list in creation order.
    await db.insert('deal', { name: 'one', amount: 10.5, stage: 'new', region: 'north' });
    await db.insert('deal', { name: 'two', amount: 20, stage: 'won' });
    await db.insert('deal', { name: 'three', amount: 30, stage: 'won' });
  });

  it('1. adds an optional field (safe)', async () => {
    const r = await put(withField('note', { type: 'string' }));
    expect(r.status, r.text).toBe(200);
    expect(r.body.plan).toMatchObject({ destructive: false, steps: [{ kind: 'add_column', destructive: false }] });
    expect(r.body.plan.steps[0].sql).toMatch(/ALTER TABLE .*deal.* ADD COLUMN .*note.* text/);
    expect(r.body.summary.fields.deal.added).toEqual(['note']);
    expect((await db.columns('deal')).note).toMatchObject({ type: 'text', nullable: true });
    await refresh();
  });

  it('2. adds a required field: refused without a default, backfilled with one', async () => {
    const v = await version();
    const bare = { ...withField('priority', { type: 'integer' }), required: ['name', 'priority'] };
    const refused = await put(bare);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('CONFLICT');
    expect(refused.body.error.details.checks).toEqual([
      expect.objectContaining({
        object: 'deal',
        field: 'priority',
        count: 3,
        path: '/objects/deal/properties/priority',
      }),
    ]);
    expect(refused.body.error.message).toMatch(/3 records of deal exist/);
    expect(await version()).toBe(v);
    expect((await db.columns('deal')).priority).toBeUndefined();

    const ok = await put({ ...withField('priority', { type: 'integer', default: 3 }), required: ['name', 'priority'] });
    expect(ok.status, ok.text).toBe(200);
    expect((await db.rows('deal')).map((r) => r.priority)).toEqual([3, 3, 3]);
    expect((await db.columns('deal')).priority?.nullable).toBe(false);
    await refresh();
  });

  it('3. makes a field required: 409 naming the count of records without a value', async () => {
    const plan = await tenant.api.post('/api/meta/plan', {
      objects: { deal: { ...deal, required: [...deal.required, 'region'] } },
    });
    expect(plan.status, plan.text).toBe(200);
    expect(plan.body.conflicts).toEqual([expect.objectContaining({ field: 'region', count: 2 })]);
    const refused = await put({ ...deal, required: [...deal.required, 'region'] });
    expect(refused.status).toBe(409);
    expect(refused.body.error.details.checks[0]).toMatchObject({ field: 'region', count: 2 });
    expect(refused.body.error.message).toMatch(/2 records of deal have no value for region/);
    expect((await db.columns('deal')).region?.nullable).toBe(true);

    await db.update('deal', { region: null }, { region: 'south' });
    const ok = await put({ ...deal, required: [...deal.required, 'region'] });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.plan.steps.map((s: { kind: string }) => s.kind)).toEqual(['set_not_null']);
    expect((await db.columns('deal')).region?.nullable).toBe(false);
    await refresh();
  });

  it('4. widens a text field (safe: no data check, not destructive)', async () => {
    const r = await put(withField('name', { ...deal.properties.name, maxLength: 200 }));
    expect(r.status, r.text).toBe(200);
    expect(r.body.plan).toMatchObject({
      destructive: false,
      steps: [{ kind: 'alter_column_type', destructive: false }],
    });
    expect((await db.columns('deal')).name?.length).toBe(200);
    await refresh();
  });

  it('5. narrows a text field: refused with the count that would not fit, destructive even when all fit', async () => {
    await db.insert('deal', { name: 'a rather long deal name', amount: 1, region: 'west', priority: 1 });
    const narrow = withField('name', { ...deal.properties.name, maxLength: 5 });
    const plan = await tenant.api.post('/api/meta/plan', { objects: { deal: narrow } });
    expect(plan.body).toMatchObject({ changed: true, destructive: true });
    expect(plan.body.conflicts).toEqual([expect.objectContaining({ field: 'name', count: 1 })]);
    const refused = await put(narrow, { allowDestructive: true });
    expect(refused.status).toBe(409);
    expect(refused.body.error.details.checks[0]).toMatchObject({ field: 'name', count: 1 });
    expect(refused.body.error.message).toMatch(/1 records of deal have a name value that does not fit varchar\(5\)/);

    await db.update('deal', { name: 'a rather long deal name' }, { name: 'four' });
    const noFlag = await put(narrow);
    expect(noFlag.status).toBe(409);
    expect(noFlag.body.error.details.destructive).toEqual([
      expect.objectContaining({ kind: 'alter_column_type', field: 'name' }),
    ]);
    expect((await db.columns('deal')).name?.length).toBe(200);
    const ok = await put(narrow, { allowDestructive: true });
    expect(ok.status, ok.text).toBe(200);
    expect((await db.columns('deal')).name?.length).toBe(5);
    expect((await db.rows('deal')).map((r) => r.name)).toEqual(['one', 'two', 'three', 'four']);
    await refresh();
  });

  it('6. changes number to integer only when every value fits', async () => {
    const toInt = withField('amount', { type: 'integer' });
    const refused = await put(toInt, { allowDestructive: true });
    expect(refused.status).toBe(409);
    expect(refused.body.error.details.checks[0]).toMatchObject({ field: 'amount', count: 1 });
    await db.update('deal', { name: 'one' }, { amount: 11 });
    const ok = await put(toInt, { allowDestructive: true });
    expect(ok.status, ok.text).toBe(200);
    expect((await db.columns('deal')).amount?.type).toBe('bigint');
    expect((await db.rows('deal')).map((r) => r.amount)).toEqual([11, 20, 30, 1]);
    await refresh();
  });

  it('7. renames a field (x-renamed-from): the column is renamed and keeps its data', async () => {
    const { region, ...rest } = deal.properties;
    const r = await put({
      ...deal,
      properties: { ...rest, territory: { type: 'string', 'x-renamed-from': 'region' } },
      required: deal.required.map((f: string) => (f === 'region' ? 'territory' : f)),
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body.plan.steps.map((s: { kind: string }) => s.kind)).toEqual(['rename_column']);
    expect(r.body.summary.fields.deal.renamed).toEqual([{ from: 'region', to: 'territory' }]);
    const cols = await db.columns('deal');
    expect(cols.region).toBeUndefined();
    expect(cols.territory?.nullable).toBe(false);
    expect((await db.rows('deal')).map((x) => x.territory)).toEqual(['north', 'south', 'south', 'west']);
    await refresh();
    expect(deal.properties.territory['x-id']).toBe(region['x-id']);
  });

  it('7b. renames a field by keeping its x-id under a new name', async () => {
    const { note, ...rest } = deal.properties;
    const r = await put({ ...deal, properties: { ...rest, remark: note } });
    expect(r.status, r.text).toBe(200);
    expect(r.body.plan.steps.map((s: { kind: string }) => s.kind)).toEqual(['rename_column']);
    expect((await db.columns('deal')).remark).toBeDefined();
    await refresh();
  });

  it('8. removes an enum value: refused while records use it, allowed once none does', async () => {
    const noWon = withField('stage', { ...deal.properties.stage, enum: ['new', 'lost'] });
    const refused = await put(noWon);
    expect(refused.status).toBe(409);
    expect(refused.body.error.details.checks[0]).toMatchObject({ field: 'stage', count: 2 });
    expect(refused.body.error.message).toMatch(/no longer allowed/);
    await db.update('deal', { stage: 'won' }, { stage: 'lost' });
    const ok = await put(noWon);
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.plan.destructive).toBe(false);
    await expect(db.insert('deal', { name: 'x', territory: 'n', priority: 1, stage: 'won' })).rejects.toThrow(/check/);
    await refresh();
  });

  it('9. makes a field unique: refused with duplicates, then a unique index', async () => {
    const unique = withField('territory', { ...deal.properties.territory, 'x-unique': true });
    const refused = await put(unique);
    expect(refused.status).toBe(409);
    expect(refused.body.error.details.checks[0]).toMatchObject({ field: 'territory', count: 1 });
    await db.update('deal', { name: 'three' }, { territory: 'east' });
    const ok = await put(unique);
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.indexes?.failed ?? []).toEqual([]);
    expect((await db.indexes('deal')).join('\n')).toMatch(/UNIQUE INDEX .*\(territory\) WHERE \(deleted_at IS NULL\)/);
    await refresh();
  });

  it('10. indexes a field and adds a lookup with its foreign key and index', async () => {
    await tenant.api.put('/api/meta/objects/region', { type: 'object', properties: { name: { type: 'string' } } });
    const r = await put({
      ...withField('amount', { ...deal.properties.amount, 'x-index': true }),
      properties: {
        ...deal.properties,
        amount: { ...deal.properties.amount, 'x-index': true },
        region: { type: 'string', format: 'uuid', 'x-ref': 'region' },
      },
    });
    expect(r.status, r.text).toBe(200);
    const kinds = r.body.plan.steps.map((s: { kind: string }) => s.kind);
    expect(kinds).toEqual(expect.arrayContaining(['add_column', 'add_foreign_key', 'create_index']));
    const indexes = (await db.indexes('deal')).join('\n');
    expect(indexes).toMatch(/\(amount\)/);
    expect(indexes).toMatch(/\(region\)/);
    await refresh();
  });

  it('11. drops a field only with allowDestructive, and nothing changes without it', async () => {
    const v = await version();
    const refused = await put(without('remark'));
    expect(refused.status).toBe(409);
    expect(refused.body.error.details.destructive).toEqual([
      expect.objectContaining({ kind: 'drop_column', field: 'remark' }),
    ]);
    expect(refused.body.error.message).toMatch(/allowDestructive=true/);
    expect(await version()).toBe(v);
    expect((await db.columns('deal')).remark).toBeDefined();
    const ok = await put(without('remark'), { allowDestructive: true });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.plan).toMatchObject({ destructive: true, steps: [{ kind: 'drop_column', destructive: true }] });
    expect((await db.columns('deal')).remark).toBeUndefined();
    expect(await db.rows('deal')).toHaveLength(4);
    await refresh();
  });

  it('12. renames the object: the table is renamed and keeps its rows', async () => {
    const r = await tenant.api.post('/api/meta/apply', {
      objects: { opportunity: { ...deal, 'x-renamed-from': 'deal' } },
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body.plan.steps.map((s: { kind: string }) => s.kind)).toEqual(['rename_table']);
    expect(r.body.summary.objects.renamed).toEqual([{ from: 'deal', to: 'opportunity' }]);
    expect(await db.tableExists('deal')).toBe(false);
    expect((await db.rows('opportunity')).map((x) => x.name)).toEqual(['one', 'two', 'three', 'four']);
    // And back, by x-id.
    const back = await tenant.api.post('/api/meta/apply', { objects: { deal } });
    expect(back.status, back.text).toBe(200);
    expect(await db.rows('deal')).toHaveLength(4);
  });

  it('13. refuses removing a field something still uses, listing the users', async () => {
    const withFormula = withField('double', { type: 'number', 'x-formula': 'record.amount * 2' });
    expect((await put(withFormula)).status).toBe(200);
    await refresh();
    const r = await put(without('amount'), { allowDestructive: true });
    expect(r.status).toBe(409);
    expect(r.body.error.details.dependents['field:deal.amount']).toEqual([
      expect.objectContaining({ name: expect.stringContaining('double') }),
    ]);
    expect((await db.columns('deal')).amount).toBeDefined();
  });

  it('14. deletes an object only with allowDestructive', async () => {
    const refused = await tenant.api.delete('/api/meta/objects/region');
    expect(refused.status).toBe(409); // still used by deal.region
    expect(refused.body.error.details.dependents).toBeDefined();
    const dropLookup = await put(without('region'), { allowDestructive: true });
    expect(dropLookup.status, dropLookup.text).toBe(200);
    await refresh();
    const noFlag = await tenant.api.delete('/api/meta/objects/region');
    expect(noFlag.status).toBe(409);
    expect(noFlag.body.error.details.destructive[0]).toMatchObject({ kind: 'drop_table' });
    expect(await db.tableExists('region')).toBe(true);
    const ok = await tenant.api.delete('/api/meta/objects/region', { query: { allowDestructive: true } });
    expect(ok.status, ok.text).toBe(200);
    expect(await db.tableExists('region')).toBe(false);
    expect((await tenant.api.delete('/api/meta/objects/region')).status).toBe(404);
  });

  it('rolls everything back when a step fails mid-plan', async () => {
    // A view made outside Forma depends on the column the plan drops: PostgreSQL refuses the drop
    // after the new column was already added in the same transaction.
    await db.raw(`create view ${db.schema}.deal_names as select double from ${db.schema}.deal`);
    const v = await version();
    const { double: _d, ...rest } = deal.properties;
    const r = await put({ ...deal, properties: { ...rest, extra: { type: 'string' } } }, { allowDestructive: true });
    expect(r.status).toBe(409);
    expect(r.body.error.details.step).toMatchObject({ kind: 'drop_column' });
    expect(await version()).toBe(v);
    const cols = await db.columns('deal');
    expect(cols.extra).toBeUndefined();
    expect(cols.double).toBeDefined();
    await db.raw(`drop view ${db.schema}.deal_names`);
  });
});

describe('concurrent writers', () => {
  it('serializes two concurrent applies: both land, one after the other', async () => {
    const v = await version();
    const [a, b] = await Promise.all([
      tenant.api.put('/api/meta/objects/c_one', { type: 'object', properties: { x: { type: 'string' } } }),
      tenant.api.put('/api/meta/objects/c_two', { type: 'object', properties: { y: { type: 'string' } } }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect([a.body.version, b.body.version].sort()).toEqual([v + 1, v + 2]);
    expect(await db.tableExists('c_one')).toBe(true);
    expect(await db.tableExists('c_two')).toBe(true);
  });

  it('refuses a change made against a stale version with 409, whoever comes second', async () => {
    const v = await version();
    const headers = { 'if-match': String(v) };
    const [a, b] = await Promise.all([
      tenant.api.put(
        '/api/meta/objects/c_three',
        { type: 'object', properties: { x: { type: 'string' } } },
        { headers },
      ),
      tenant.api.post('/api/meta/apply', {
        version: v,
        objects: { c_four: { type: 'object', properties: { x: { type: 'string' } } } },
      }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const loser = a.status === 409 ? a : b;
    expect(loser.body.error.code).toBe('CONFLICT');
    expect(loser.body.error.details).toEqual({ expectedVersion: v, currentVersion: v + 1 });
    expect(await version()).toBe(v + 1);
    expect((await db.tableExists('c_three')) !== (await db.tableExists('c_four'))).toBe(true);
    // The same stale version is refused even for deletes; the current one passes.
    const stale = await tenant.api.delete('/api/meta/objects/c_one', { query: { allowDestructive: true }, headers });
    expect(stale.status).toBe(409);
    const fresh = await tenant.api.delete('/api/meta/objects/c_one', {
      query: { allowDestructive: true },
      headers: { 'if-match': `"${v + 1}"` },
    });
    expect(fresh.status, fresh.text).toBe(200);
  });

  it('refuses a malformed If-Match or version with 400', async () => {
    const bad = await tenant.api.put(
      '/api/meta/objects/c_two',
      { type: 'object', properties: {} },
      {
        headers: { 'if-match': '1; drop table x' },
      },
    );
    expect(bad.status).toBe(400);
    const badBody = await tenant.api.post('/api/meta/apply', { version: 'latest', objects: {} });
    expect(badBody.status).toBe(400);
    expect(badBody.body.error.fields).toHaveProperty('/version');
  });
});

describe('history and revert', () => {
  it('lists versions newest first with author, time, source, plan and a per-item summary', async () => {
    const r = await tenant.api.get('/api/meta/history', { query: { limit: 100 } });
    expect(r.status, r.text).toBe(200);
    const items = r.body.items;
    expect(items[0].version).toBe(await version());
    expect(items.map((i: { version: number }) => i.version)).toEqual(
      [...items.map((i: { version: number }) => i.version)].sort((x: number, y: number) => y - x),
    );
    const first = items.at(-1);
    expect(first).toMatchObject({
      version: 1,
      author: { id: tenant.admin.id, name: 'Admin' },
      source: 'api',
      summary: { objects: { added: ['account'] } },
    });
    expect(new Date(first.at).getTime()).not.toBeNaN();
    expect(first.plan[0]).toMatchObject({ kind: 'create_table', sql: expect.stringContaining('CREATE TABLE') });
    const rename = items.find((i: any) => i.summary.fields?.deal?.renamed?.[0]?.from === 'region');
    expect(rename.summary.fields.deal).toMatchObject({ renamed: [{ from: 'region', to: 'territory' }] });

    const page = await tenant.api.get('/api/meta/history', { query: { limit: 2, before: 3 } });
    expect(page.body.items.map((i: { version: number }) => i.version)).toEqual([2, 1]);
  });

  it('records roles, views and forms changes with who made them', async () => {
    const role = await tenant.api.put('/api/meta/roles/sales_rep', {
      label: 'Sales rep',
      objects: { deal: { create: true, read: 'own', update: 'own', delete: false, fields: { amount: 'read' } } },
    });
    expect(role.status, role.text).toBe(200);
    expect(role.body.summary).toEqual({ roles: { added: ['sales_rep'], removed: [], changed: [] } });
    const view = await tenant.api.put('/api/meta/views/big_deals', {
      object: 'deal',
      label: 'Big deals',
      columns: ['name', 'amount'],
      filter: { amount: { gte: 10 } },
      sort: ['-amount'],
    });
    expect(view.status, view.text).toBe(200);
    const form = await tenant.api.put('/api/meta/forms/deal', { uiSchema: { name: { 'ui:autofocus': true } } });
    expect(form.status, form.text).toBe(200);
    const edited = await tenant.api.put('/api/meta/roles/sales_rep', {
      label: 'Sales representative',
      objects: { deal: { create: true, read: 'all', update: 'own', delete: false } },
    });
    expect(edited.body.summary.roles).toEqual({ added: [], removed: [], changed: ['sales_rep'] });
    const gone = await tenant.api.delete('/api/meta/views/big_deals');
    expect(gone.status, gone.text).toBe(200);
    const items = (await tenant.api.get('/api/meta/history', { query: { limit: 4 } })).body.items;
    expect(items.map((i: any) => Object.keys(i.summary)[0])).toEqual(['views', 'roles', 'forms', 'views']);
    for (const i of items) expect(i.author).toEqual({ id: tenant.admin.id, name: 'Admin' });
    expect((await tenant.api.get('/api/meta')).body.roles.sales_rep.label).toBe('Sales representative');
    expect((await tenant.api.delete('/api/meta/views/big_deals')).status).toBe(404);
  });

  it('answers one version with its document', async () => {
    const r = await tenant.api.get('/api/meta/history/2');
    expect(r.status, r.text).toBe(200);
    expect(Object.keys(r.body.document.objects)).toEqual(['account', 'specimen']);
    expect((await tenant.api.get('/api/meta/history/99999')).status).toBe(404);
    expect((await tenant.api.get('/api/meta/history/abc')).status).toBe(400);
  });

  it('reverts to an earlier version as a new version with its own plan', async () => {
    const v = await version();
    const target = (await tenant.api.get('/api/meta/history')).body.items.find((i: any) =>
      i.summary.fields?.deal?.renamed?.some((r: any) => r.from === 'region'),
    ).version;
    const plan = await tenant.api.post(`/api/meta/history/${target}/revert/plan`);
    expect(plan.status, plan.text).toBe(200);
    expect(plan.body.destructive).toBe(true);
    expect(await version()).toBe(v);
    const refused = await tenant.api.post(`/api/meta/history/${target}/revert`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.details.destructive.length).toBeGreaterThan(0);
    const ok = await tenant.api.post(`/api/meta/history/${target}/revert`, undefined, {
      query: { allowDestructive: true },
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.version).toBe(v + 1);
    const now = (await tenant.api.get('/api/meta')).body;
    const then = (await tenant.api.get(`/api/meta/history/${target}`)).body.document;
    expect(now.objects).toEqual(then.objects);
    expect(now.roles).toEqual({});
    // The data of fields that existed then and now survived the revert.
    expect((await db.rows('deal')).map((r) => r.territory)).toEqual(['north', 'south', 'east', 'west']);
    const latest = (await tenant.api.get('/api/meta/history', { query: { limit: 1 } })).body.items[0];
    expect(latest.source).toBe(`revert:${target}`);
  });
});

describe('what every user may read', () => {
  it('answers /api/meta/app to any signed-in user, the rest to admins only', async () => {
    const role = await tenant.api.put('/api/meta/roles/reader', {
      label: 'Reader',
      objects: { deal: { create: false, read: 'all', update: false, delete: false } },
    });
    expect(role.status, role.text).toBe(200);
    const user = await tenant.addUser({ roles: ['reader'] });
    const app = await user.api.get('/api/meta/app');
    expect(app.status, app.text).toBe(200);
    expect(app.body.version).toBe(await version());
    expect(Object.keys(app.body).sort()).toEqual(['actions', 'forms', 'objects', 'version', 'views']);
    expect(app.body.objects.deal).toBeDefined();

    for (const [method, path] of [
      ['GET', '/api/meta'],
      ['GET', '/api/meta/history'],
      ['GET', '/api/meta/history/1'],
      ['GET', '/api/meta/export'],
      ['GET', '/api/meta/types'],
      ['POST', '/api/meta/plan'],
      ['POST', '/api/meta/apply'],
      ['POST', '/api/meta/history/1/revert'],
      ['POST', '/api/meta/history/1/revert/plan'],
      ['POST', '/api/meta/indexes/repair'],
      ['PUT', '/api/meta/objects/deal'],
      ['PUT', '/api/meta/roles/sneaky'],
      ['DELETE', '/api/meta/objects/deal'],
      ['GET', '/api/templates'],
      ['POST', '/api/templates/anything/apply'],
    ] as const) {
      const body =
        method === 'GET' || method === 'DELETE'
          ? {}
          : { body: path.startsWith('/api/templates') ? {} : { objects: {} } };
      const r = await user.api.request(method, path, body);
      expect(r.status, `${method} ${path}`).toBe(403);
      expect(r.body.error.code).toBe('FORBIDDEN');
      const anon = await server.anon.request(method, path, body);
      expect(anon.status, `anonymous ${method} ${path}`).toBe(401);
    }
    expect((await server.anon.get('/api/meta/app')).status).toBe(401);
    // Access comes before the body: malformed or oversized requests still get 401/403.
    const raw = '{"objects": {';
    expect((await user.api.request('POST', '/api/meta/apply', { raw })).status).toBe(403);
    expect((await server.anon.request('PUT', '/api/meta/objects/x', { raw })).status).toBe(401);
    expect((await user.api.post('/api/templates/x/apply', { bogus: true })).status).toBe(403);
    expect((await user.api.put('/api/meta/objects/deal', { big: 'x'.repeat(2 * 1024 * 1024) })).status).toBe(403);
    expect((await tenant.api.get('/api/meta')).body.roles.sneaky).toBeUndefined();
  });
});

describe('export, types and index repair', () => {
  it('exports the metadata as a template document with ids', async () => {
    const r = await tenant.api.get('/api/meta/export');
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ name: tenant.id, version: `${await version()}.0.0`, label: tenant.id });
    expect(r.body.document.objects.deal['x-id']).toBeTruthy();
    expect(Object.keys(r.body.document).sort()).toEqual([
      'automations',
      'dashboards',
      'forms',
      'objects',
      'reports',
      'roles',
      'scripts',
      'segments',
      'surveys',
      'views',
      'webForms',
      'workflows',
    ]);
  });

  it('answers record types for plugin authors', async () => {
    const r = await tenant.api.get('/api/meta/types');
    expect(r.status, r.text).toBe(200);
    expect(r.body.source).toMatch(/export interface Deal \{/);
    expect(r.body.source).toMatch(/export interface Records \{/);
    expect(r.body.source).toMatch(/deal: Deal;/);
  });

  it('repairs indexes idempotently', async () => {
    const r = await tenant.api.post('/api/meta/indexes/repair');
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ failed: [] });
    const again = await tenant.api.post('/api/meta/indexes/repair');
    expect(again.body).toEqual({ created: [], rebuilt: [], failed: [] });
  });
});

describe('dependencies', () => {
  it('refuses removing or renaming what views, roles and scripts use, listing every user', async () => {
    const dep = {
      type: 'object',
      properties: { title: { type: 'string' }, amt: { type: 'number' }, note: { type: 'string' } },
    };
    expect((await tenant.api.put('/api/meta/objects/dep', dep)).status).toBe(200);
    const extras = await tenant.api.post('/api/meta/apply', {
      views: { dep_view: { object: 'dep', label: 'Deps', columns: ['title'], filter: { amt: { gt: 1 } } } },
      roles: { dep_role: { label: 'Dep', objects: { dep: { read: 'all', fields: { note: 'read' } } } } },
      scripts: {
        dep_rule: { object: 'dep', event: 'validate', code: "if (record.title === 'x') error('title', 'no');" },
      },
    });
    expect(extras.status, extras.text).toBe(200);
    const v = await version();
    const current = (await tenant.api.get('/api/meta')).body.objects.dep;
    const r = await tenant.api.put(
      '/api/meta/objects/dep',
      { ...current, properties: { other: { type: 'string' } } },
      { query: { allowDestructive: true } },
    );
    expect(r.status, r.text).toBe(409);
    const dependents = r.body.error.details.dependents;
    expect(Object.keys(dependents).sort()).toEqual(['field:dep.amt', 'field:dep.note', 'field:dep.title']);
    expect(JSON.stringify(dependents['field:dep.amt'])).toContain('dep_view');
    expect(JSON.stringify(dependents['field:dep.note'])).toContain('dep_role');
    expect(JSON.stringify(dependents['field:dep.title'])).toContain('dep_rule');
    const rename = await tenant.api.post('/api/meta/apply', {
      objects: { dep2: { ...current, 'x-renamed-from': 'dep' } },
    });
    expect(rename.status).toBe(409);
    expect(Object.keys(rename.body.error.details.dependents)).toContain('object:dep');
    expect(await version()).toBe(v);
    // Removing the users in the same change is fine.
    const together = await tenant.api.post(
      '/api/meta/apply',
      { objects: { dep: null }, views: { dep_view: null }, roles: { dep_role: null }, scripts: { dep_rule: null } },
      { query: { allowDestructive: true } },
    );
    expect(together.status, together.text).toBe(200);
    expect(await db.tableExists('dep')).toBe(false);
  });
});

describe('several server processes', () => {
  it('each sees a new version on its next request', async () => {
    const other = await startTestServer();
    try {
      const login = await other.anon.post('/api/auth/login', {
        tenant: tenant.id,
        email: tenant.admin.email,
        password: tenant.admin.password,
      });
      const api = other.anon.withToken(login.body.token);
      const before = await api.get('/api/meta');
      expect(before.body.version).toBe(await version());
      expect(before.body.objects.elsewhere).toBeUndefined();
      const r = await tenant.api.put('/api/meta/objects/elsewhere', {
        type: 'object',
        properties: { x: { type: 'string' } },
      });
      expect(r.status, r.text).toBe(200);
      const after = await api.get('/api/meta');
      expect(after.body.version).toBe(r.body.version);
      expect(Object.keys(after.body.objects.elsewhere.properties)).toEqual(['x']);
      expect((await api.get('/api/meta/app')).body.version).toBe(r.body.version);
    } finally {
      await other.close();
    }
  });
});
