import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

/**
 * Form logic through a real server (docs/metadata.md, x-form-rules and x-lookup-filter): the
 * records engine decides like the record form, on creates, updates and imports.
 */
let server: TestServer;
let tenant: TestTenant;

const account = { type: 'object', properties: { name: { type: 'string', maxLength: 100 } }, 'x-label-field': 'name' };
const contact = {
  type: 'object',
  'x-label-field': 'name',
  properties: {
    name: { type: 'string', maxLength: 100 },
    account: { type: 'string', format: 'uuid', 'x-ref': 'account' },
  },
};
const LOST = { stage: { eq: 'lost' } };
const CLOSED = { stage: { in: ['won', 'lost'] } };
const deal = {
  type: 'object',
  'x-label-field': 'name',
  properties: {
    name: { type: 'string', title: 'Name', maxLength: 100 },
    stage: { type: 'string', title: 'Stage', enum: ['new', 'won', 'lost'], default: 'new' },
    amount: { type: 'number', title: 'Amount' },
    lost_reason: { type: 'string', title: 'Lost reason', maxLength: 200 },
    account: { type: 'string', format: 'uuid', title: 'Account', 'x-ref': 'account' },
    contact: {
      type: 'string',
      format: 'uuid',
      title: 'Contact',
      'x-ref': 'contact',
      'x-lookup-filter': { account: '$record.account' },
    },
  },
  required: ['name'],
  'x-form-rules': [
    { fields: ['lost_reason'], effect: 'show', when: LOST },
    { fields: ['lost_reason'], effect: 'require', when: LOST },
    { fields: ['amount'], effect: 'readOnly', when: CLOSED, message: 'A closed deal keeps its amount' },
  ],
};

let acme: string;
let globex: string;
let ann: string; // contact of Acme
let bob: string; // contact of Globex

const create = (body: Record<string, unknown>) => tenant.api.post('/api/records/deal', body);

beforeAll(async () => {
  server = await startTestServer();
  tenant = await createTestTenant(server, { prefix: 'formlogic' });
  const applied = await tenant.api.post('/api/meta/apply', { objects: { account, contact, deal } });
  expect(applied.status, applied.text).toBe(200);
  acme = (await tenant.api.post('/api/records/account', { name: 'Acme' })).body.id;
  globex = (await tenant.api.post('/api/records/account', { name: 'Globex' })).body.id;
  ann = (await tenant.api.post('/api/records/contact', { name: 'Ann', account: acme })).body.id;
  bob = (await tenant.api.post('/api/records/contact', { name: 'Bob', account: globex })).body.id;
}, 300_000);

afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

describe('required when', () => {
  it('refuses a lost deal without a reason, naming the field and the condition', async () => {
    const r = await create({ name: 'D1', stage: 'lost' });
    expect(r.status, r.text).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(r.body.error.fields).toEqual({ lost_reason: 'Required when Stage is lost' });
    const ok = await create({ name: 'D1', stage: 'lost', lost_reason: 'Price' });
    expect(ok.status, ok.text).toBe(201);
    expect(ok.body.lost_reason).toBe('Price');
  });

  it('refuses an update that makes the deal lost without a reason, or empties the reason', async () => {
    const d = (await create({ name: 'D2', amount: 5 })).body;
    const r = await tenant.api.patch(`/api/records/deal/${d.id}`, { stage: 'lost' });
    expect(r.status, r.text).toBe(400);
    expect(r.body.error.fields.lost_reason).toBe('Required when Stage is lost');
    const lost = await tenant.api.patch(`/api/records/deal/${d.id}`, { stage: 'lost', lost_reason: 'Timing' });
    expect(lost.status, lost.text).toBe(200);
    const emptied = await tenant.api.patch(`/api/records/deal/${d.id}`, { lost_reason: '' });
    expect(emptied.status).toBe(400);
    expect(emptied.body.error.fields).toHaveProperty('lost_reason');
  });
});

describe('hidden', () => {
  it('clears the value of a field the rules hide, on create and when the condition stops holding', async () => {
    const open = await create({ name: 'H1', stage: 'new', lost_reason: 'Stale text' });
    expect(open.status, open.text).toBe(201);
    expect(open.body.lost_reason ?? null).toBeNull();
    const lost = (await create({ name: 'H2', stage: 'lost', lost_reason: 'Budget' })).body;
    // Reopening a lost deal: the reason no longer applies and is cleared (and audited).
    const reopened = await tenant.api.patch(`/api/records/deal/${lost.id}`, { stage: 'new' });
    expect(reopened.status, reopened.text).toBe(200);
    expect(reopened.body.lost_reason ?? null).toBeNull();
    const history = await tenant.api.get(`/api/records/deal/${lost.id}/history`);
    expect(history.body.items[0].changes.lost_reason).toEqual(['Budget', null]);
  });
});

describe('read-only when', () => {
  it('refuses changing the amount of a closed deal, and allows it while open', async () => {
    const d = (await create({ name: 'R1', amount: 100 })).body;
    expect((await tenant.api.patch(`/api/records/deal/${d.id}`, { amount: 150 })).status).toBe(200);
    // Closing and changing the amount in one save is a change while closed.
    const both = await tenant.api.patch(`/api/records/deal/${d.id}`, { stage: 'won', amount: 999 });
    expect(both.status, both.text).toBe(400);
    expect(both.body.error.fields).toEqual({ amount: 'A closed deal keeps its amount' });
    const won = await tenant.api.patch(`/api/records/deal/${d.id}`, { stage: 'won' });
    expect(won.status, won.text).toBe(200);
    const changed = await tenant.api.patch(`/api/records/deal/${d.id}`, { amount: 1 });
    expect(changed.status).toBe(400);
    expect(changed.body.error.fields.amount).toBe('A closed deal keeps its amount');
    // The same value again is no change (numeric comes back as text).
    expect((await tenant.api.patch(`/api/records/deal/${d.id}`, { amount: 150, name: 'R1b' })).status).toBe(200);
    const got = await tenant.api.get(`/api/records/deal/${d.id}`);
    expect(Number(got.body.amount)).toBe(150);
  });

  it('does not lock a new record: there is nothing to keep', async () => {
    const r = await create({ name: 'R2', stage: 'won', amount: 70 });
    expect(r.status, r.text).toBe(201);
  });
});

describe('lookup filter', () => {
  it('refuses a contact of another account at the field, accepts one of the chosen account', async () => {
    const bad = await create({ name: 'L1', account: acme, contact: bob });
    expect(bad.status, bad.text).toBe(400);
    expect(bad.body.error.fields).toEqual({ contact: 'Not a contact of the chosen Account' });
    const good = await create({ name: 'L1', account: acme, contact: ann });
    expect(good.status, good.text).toBe(201);
    // Moving the deal to another account while keeping Acme's contact: refused too.
    const moved = await tenant.api.patch(`/api/records/deal/${good.body.id}`, { account: globex });
    expect(moved.status).toBe(400);
    expect(moved.body.error.fields).toHaveProperty('contact');
    expect(
      (await tenant.api.patch(`/api/records/deal/${good.body.id}`, { account: globex, contact: bob })).status,
    ).toBe(200);
  });

  it('narrows nothing while the account is empty', async () => {
    expect((await create({ name: 'L2', contact: bob })).status).toBe(201);
  });
});

describe('import', () => {
  const importJson = (rows: unknown, query: Record<string, string | boolean> = {}) =>
    tenant.api.post('/api/records/deal/import', undefined, { raw: JSON.stringify(rows), query });

  it('refuses rows that break the rules, with the field, all or nothing', async () => {
    const r = await importJson([
      { name: 'I1', stage: 'lost', lost_reason: 'Price' },
      { name: 'I2', stage: 'lost' },
      { name: 'I3', account: globex, contact: ann },
    ]);
    expect(r.status, r.text).toBe(400);
    const byRow = Object.fromEntries(r.body.error.details.failed.map((f: any) => [f.row, f.errors]));
    // Rows are counted from 1, as people count them.
    expect(byRow[2]).toEqual({ lost_reason: 'Required when Stage is lost' });
    expect(byRow[3]).toEqual({ contact: 'Not a contact of the chosen Account' });
    expect(
      (await tenant.api.get('/api/records/deal', { query: { filter: JSON.stringify({ name: { eq: 'I1' } }) } })).body
        .items,
    ).toEqual([]);
  });

  it('keeps the good rows with partial=true and clears hidden values', async () => {
    const r = await importJson(
      [
        { name: 'P1', stage: 'new', lost_reason: 'ignored' },
        { name: 'P2', stage: 'lost' },
      ],
      { partial: true },
    );
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ inserted: 1 });
    expect(r.body.failed).toEqual([
      expect.objectContaining({ row: 2, errors: { lost_reason: 'Required when Stage is lost' } }),
    ]);
    const p1 = (
      await tenant.api.get('/api/records/deal', { query: { filter: JSON.stringify({ name: { eq: 'P1' } }) } })
    ).body.items[0];
    expect(p1.lost_reason ?? null).toBeNull();
  });
});

describe('publishing rules', () => {
  const withRules = (rules: unknown) => ({ ...deal, 'x-form-rules': rules });
  const messages = (body: any) => Object.entries(body.error.fields ?? {}).map(([k, v]) => `${k}: ${v}`);

  it('refuses unknown fields in a rule with a clear message, and changes nothing', async () => {
    const before = (await tenant.api.get('/api/meta')).body.version;
    const r = await tenant.api.put(
      '/api/meta/objects/deal',
      withRules([{ fields: ['lost_reason'], effect: 'show', when: { statge: { eq: 'lost' } } }]),
    );
    expect(r.status, r.text).toBe(400);
    expect(messages(r.body)).toEqual([
      '/objects/deal/x-form-rules/0/when/statge: Unknown field "statge" in the condition',
    ]);
    const target = await tenant.api.put(
      '/api/meta/objects/deal',
      withRules([{ fields: ['los_reason'], effect: 'require', when: LOST }]),
    );
    expect(target.status).toBe(400);
    expect(messages(target.body)).toEqual([
      '/objects/deal/x-form-rules/0/fields/0: "los_reason" is not a field of this object',
    ]);
    expect((await tenant.api.get('/api/meta')).body.version).toBe(before);
  });

  it('refuses malformed rules: unknown effect, empty fields, bad operator, lookup paths, not a list', async () => {
    const bad = [
      [{ fields: ['lost_reason'], effect: 'blink', when: LOST }],
      [{ fields: [], effect: 'show', when: LOST }],
      [{ fields: ['lost_reason'], effect: 'show' }],
      [{ fields: ['lost_reason'], effect: 'show', when: { stage: { like: 'l%' } } }],
      [{ fields: ['lost_reason'], effect: 'show', when: { 'account.name': { eq: 'Acme' } } }],
      [{ fields: ['lost_reason'], effect: 'show', when: { stage: { gt: 'a' } } }],
      { fields: ['lost_reason'] },
    ];
    for (const rules of bad) {
      const r = await tenant.api.post('/api/meta/plan', { objects: { deal: withRules(rules) } });
      expect(r.status, JSON.stringify(rules)).toBe(400);
      expect(r.body.error.code).toBe('VALIDATION_FAILED');
      expect(Object.keys(r.body.error.fields ?? {}).join()).toMatch(/x-form-rules/);
    }
  });
});
