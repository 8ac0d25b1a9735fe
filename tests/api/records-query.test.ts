import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

let server: TestServer;
let tenant: TestTenant;

type Rec = Record<string, any>;

const account = {
  type: 'object',
  'x-label-field': 'name',
  properties: { name: { type: 'string', maxLength: 100 }, city: { type: 'string', maxLength: 100 } },
  required: ['name'],
};
const deal = {
  type: 'object',
  'x-label-field': 'name',
  properties: {
    name: { type: 'string', maxLength: 100 },
    amount: { type: 'number', 'x-kind': 'currency', 'x-index': true },
    qty: { type: 'integer' },
    stage: { type: 'string', enum: ['new', 'won', 'lost'] },
    close_on: { type: 'string', format: 'date' },
    active: { type: 'boolean' },
    tags: { type: 'array', items: { type: 'string', enum: ['hot', 'cold', 'vip'] } },
    notes: { type: 'string', 'x-kind': 'textarea' },
    account: { type: 'string', format: 'uuid', 'x-ref': 'account' },
  },
  required: ['name'],
  'x-search': ['name', 'notes'],
};

/** A seeded PRNG (mulberry32): the same "random" data and filters on every run. */
function prng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = prng(20261123);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const maybe = <T>(v: T, p = 0.8): T | null => (rand() < p ? v : null);

const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'a%b', 'c_d', 'omega', 'zeta'];
const CITIES = ['berlin', 'paris', 'rome', 'oslo'];
const accounts: Rec[] = [];
const deals: Rec[] = [];

beforeAll(async () => {
  server = await startTestServer();
  tenant = await createTestTenant(server, { prefix: 'recquery' });
  expect((await tenant.api.put('/api/meta/objects/account', account)).status).toBe(200);
  const r = await tenant.api.put('/api/meta/objects/deal', deal);
  expect(r.status, r.text).toBe(200);
  for (let i = 0; i < 6; i++) {
    const a = await tenant.api.post('/api/records/account', { name: `${pick(WORDS)} ${i}`, city: pick(CITIES) });
    expect(a.status, a.text).toBe(201);
    accounts.push(a.body);
  }
  const bodies: Rec[] = [];
  for (let i = 0; i < 80; i++) {
    const body: Rec = { name: `${pick(WORDS)} ${pick(WORDS)} ${i}` };
    const fields: Rec = {
      amount: Math.round(rand() * 100000) / 100,
      qty: Math.floor(rand() * 10),
      stage: pick(['new', 'won', 'lost']),
      close_on: `2026-0${1 + Math.floor(rand() * 9)}-1${Math.floor(rand() * 9)}`,
      active: rand() < 0.5,
      tags: [...new Set([pick(['hot', 'cold', 'vip']), pick(['hot', 'cold', 'vip'])])].slice(0, Math.floor(rand() * 3)),
      notes: `${pick(WORDS)} notes`,
      account: pick(accounts).id,
    };
    for (const [k, v] of Object.entries(fields)) {
      const m = maybe(v);
      if (m !== null) body[k] = m;
    }
    bodies.push(body);
  }
  for (let i = 0; i < bodies.length; i += 10) {
    const created = await Promise.all(bodies.slice(i, i + 10).map((b) => tenant.api.post('/api/records/deal', b)));
    for (const c of created) {
      expect(c.status, c.text).toBe(201);
      deals.push(c.body);
    }
  }
});
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

const list = (query: Record<string, string | number | boolean | undefined>) =>
  tenant.api.get('/api/records/deal', { query });
const ids = (items: Rec[]) => items.map((r) => r.id).sort();

// ---------------------------------------------------------------- an in-memory model of the language

function valueAt(r: Rec, path: string): unknown {
  const [head, tail] = path.split('.');
  if (!tail) return r[head!] ?? null;
  const target = accounts.find((a) => a.id === r[head!]);
  return target ? (target[tail] ?? null) : undefined; // undefined: no related record
}

function matches(r: Rec, filter: Rec): boolean {
  return Object.entries(filter).every(([key, spec]) => {
    if (key === 'and') return (spec as Rec[]).every((f) => matches(r, f));
    if (key === 'or') return (spec as Rec[]).some((f) => matches(r, f));
    const v = valueAt(r, key);
    if (v === undefined) return false; // dotted path without a related record never matches
    return Object.entries(spec as Rec).every(([op, x]) => test(key, v, op, x));
  });
}

function test(key: string, v: unknown, op: string, x: any): boolean {
  if (key === 'tags') {
    const arr = (v as string[] | null) ?? [];
    if (op === 'contains') return arr.includes(x);
    if (op === 'in') return arr.some((t) => x.includes(t));
    if (op === 'isNull') return (arr.length === 0) === x;
  }
  switch (op) {
    case 'eq':
      return v !== null && v === x;
    case 'ne':
      return v === null || v !== x;
    case 'gt':
      return v !== null && (v as any) > x;
    case 'gte':
      return v !== null && (v as any) >= x;
    case 'lt':
      return v !== null && (v as any) < x;
    case 'lte':
      return v !== null && (v as any) <= x;
    case 'in':
      return v !== null && x.includes(v);
    case 'nin':
      return v === null || !x.includes(v);
    case 'contains':
      return v !== null && String(v).toLowerCase().includes(String(x).toLowerCase());
    case 'startsWith':
      return v !== null && String(v).toLowerCase().startsWith(String(x).toLowerCase());
    case 'isNull':
      return (v === null) === x;
  }
  throw new Error(`op ${op}`);
}

function randomCondition(): Rec {
  const field = pick([
    'name',
    'amount',
    'qty',
    'stage',
    'close_on',
    'active',
    'tags',
    'notes',
    'account.name',
    'account.city',
  ]);
  const sample = (f: string) => {
    const r = pick(deals);
    const v = valueAt(r, f);
    return v === undefined || v === null ? null : v;
  };
  const ops: Record<string, string[]> = {
    name: ['eq', 'ne', 'in', 'nin', 'contains', 'startsWith', 'isNull', 'gt', 'lt'],
    amount: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'isNull'],
    qty: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'isNull'],
    stage: ['eq', 'ne', 'in', 'nin', 'isNull'],
    close_on: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'isNull'],
    active: ['eq', 'ne', 'isNull'],
    tags: ['contains', 'in', 'isNull'],
    notes: ['contains', 'startsWith', 'isNull'],
    'account.name': ['eq', 'contains', 'startsWith', 'in'],
    'account.city': ['eq', 'ne', 'in', 'nin'],
  };
  const op = pick(ops[field]!);
  let value: unknown;
  if (op === 'isNull') value = rand() < 0.5;
  else if (field === 'tags') value = op === 'in' ? [pick(['hot', 'cold', 'vip'])] : pick(['hot', 'cold', 'vip']);
  else if (op === 'in' || op === 'nin') value = [sample(field), sample(field)].filter((v) => v !== null);
  else if (op === 'contains' || op === 'startsWith') {
    const s = String(sample(field) ?? pick(WORDS));
    const start = op === 'startsWith' ? 0 : Math.floor(rand() * s.length);
    value = s.slice(start, start + 1 + Math.floor(rand() * 4)).toUpperCase();
  } else {
    value = sample(field);
    if (value === null)
      value =
        field === 'active'
          ? true
          : field === 'amount' || field === 'qty'
            ? 5
            : field === 'close_on'
              ? '2026-05-15'
              : 'beta';
  }
  return { [field]: { [op]: value } };
}

function randomFilter(depth = 0): Rec {
  const r = rand();
  if (depth < 2 && r < 0.25) return { and: [randomFilter(depth + 1), randomFilter(depth + 1)] };
  if (depth < 2 && r < 0.5) return { or: [randomFilter(depth + 1), randomFilter(depth + 1), randomFilter(depth + 1)] };
  if (r < 0.6) return { ...randomCondition(), ...randomCondition() };
  return randomCondition();
}

describe('filters', () => {
  // A roomy timeout: the whole suite shares two cores, and this makes 300 requests.
  it('returns exactly what an in-memory filter of the same rows returns (300 seeded random filters)', async () => {
    const filters = Array.from({ length: 300 }, () => randomFilter());
    for (let i = 0; i < filters.length; i += 4) {
      await Promise.all(
        filters.slice(i, i + 4).map(async (filter) => {
          const r = await list({ filter: JSON.stringify(filter), limit: 500 });
          expect(r.status, `${JSON.stringify(filter)} → ${r.text}`).toBe(200);
          const expected = deals
            .filter((d) => matches(d, filter))
            .map((d) => d.id)
            .sort();
          expect(ids(r.body.items), JSON.stringify(filter)).toEqual(expected);
        }),
      );
    }
  }, 180_000);

  it('treats LIKE wildcards in values literally', async () => {
    const r = await list({ filter: JSON.stringify({ name: { contains: 'a%b' } }), limit: 500 });
    expect(ids(r.body.items)).toEqual(
      deals
        .filter((d) => d.name.includes('a%b'))
        .map((d) => d.id)
        .sort(),
    );
    const u = await list({ filter: JSON.stringify({ name: { contains: '_' } }), limit: 500 });
    expect(ids(u.body.items)).toEqual(
      deals
        .filter((d) => d.name.includes('_'))
        .map((d) => d.id)
        .sort(),
    );
  });

  it('refuses malformed filters, unknown fields and operators, wrong types and injection with 400', async () => {
    const bad: unknown[] = [
      '{"name":',
      '[]',
      '"x"',
      { nope: { eq: 1 } },
      { 'name" or 1=1 --': { eq: 'x' } },
      { name: { like: 'x' } },
      { name: 'x' },
      { name: {} },
      { amount: { contains: '1' } },
      { amount: { eq: '1; drop table deal' } },
      { amount: { eq: Number.MAX_VALUE * 10 } },
      { qty: { eq: 1.5 } },
      { close_on: { gt: 'yesterday' } },
      { active: { eq: 'true' } },
      { account: { eq: 'not-a-uuid' } },
      { name: { in: 'x' } },
      { name: { isNull: 'yes' } },
      { owner: { $inTeamOf: tenant?.admin.id ?? '' } },
      { id: { $sharedWith: { user: 'x', roles: [], level: 'read' } } },
      { and: { name: { eq: 'x' } } },
      { 'account.nope': { eq: 'x' } },
      { 'name.x': { eq: 'x' } },
      { 'account.name.x.y': { eq: 'x' } },
      { tags: { eq: 'hot' } },
    ];
    let deep: Rec = { name: { eq: 'x' } };
    for (let i = 0; i < 20; i++) deep = { and: [deep] };
    bad.push(deep);
    for (const f of bad) {
      const r = await list({ filter: typeof f === 'string' ? f : JSON.stringify(f) });
      expect(r.status, JSON.stringify(f)).toBe(400);
      expect(r.body.error.code).toBe('BAD_REQUEST');
      expect(r.text).not.toMatch(/syntax error|postgres|select .* from/i);
    }
    // A value that looks like SQL is only a value.
    const sqlish = await list({ filter: JSON.stringify({ name: { eq: "' or 1=1 --" } }) });
    expect(sqlish.status).toBe(200);
    expect(sqlish.body.items).toEqual([]);
  }, 60_000);
});

describe('sort and pagination', () => {
  it('sorts on several keys with nulls last and id as the tie-breaker', async () => {
    const r = await list({ sort: '-amount,name', limit: 500 });
    expect(r.status).toBe(200);
    const expected = [...deals].sort((a, b) => {
      const x = a.amount ?? null;
      const y = b.amount ?? null;
      if (x !== y) {
        if (x === null) return 1;
        if (y === null) return -1;
        return y - x;
      }
      return a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : 1;
    });
    expect(r.body.items.map((d: Rec) => d.id)).toEqual(expected.map((d) => d.id));
  });

  it('pages with a keyset cursor through ties and nulls, matching the one-shot list', async () => {
    for (const sort of ['stage', '-stage,-close_on', 'close_on,-qty', '-active,amount', '-created_at']) {
      const all = await list({ sort, limit: 500 });
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 50; page++) {
        const r = await list({ sort, limit: 7, ...(cursor ? { cursor } : {}) });
        expect(r.status, r.text).toBe(200);
        seen.push(...r.body.items.map((d: Rec) => d.id));
        cursor = r.body.nextCursor ?? undefined;
        if (!cursor) break;
      }
      expect(seen, sort).toEqual(all.body.items.map((d: Rec) => d.id));
    }
  }, 60_000);

  it('stays exact while others insert between pages', async () => {
    const before = new Set(deals.map((d) => d.id));
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 50; page++) {
      const r = await list({ sort: 'name', limit: 9, ...(cursor ? { cursor } : {}) });
      seen.push(...r.body.items.map((d: Rec) => d.id));
      await tenant.api.post('/api/records/deal', { name: `${pick(['a', 'm', 'z'])} inserted ${page}` });
      cursor = r.body.nextCursor ?? undefined;
      if (!cursor) break;
    }
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of before) expect(seen).toContain(id);
  }, 60_000);

  it('refuses tampered cursors, cursors of another sort, and bad sort or limit', async () => {
    const first = await list({ sort: 'name', limit: 5 });
    const cursor: string = first.body.nextCursor;
    expect(cursor).toBeTruthy();
    const [data, sig] = cursor.split('.');
    const forged = Buffer.from(JSON.stringify({ s: 'name,id', v: ['zzz', null] })).toString('base64url');
    for (const c of [`${forged}.${sig}`, `${data}.${sig}x`, 'garbage', `${data}`, 'a'.repeat(9000)]) {
      const r = await list({ sort: 'name', limit: 5, cursor: c });
      expect(r.status).toBe(400);
    }
    expect((await list({ sort: '-name', cursor })).status).toBe(400);
    for (const sort of ['nope', 'name;drop table deal', '"name"', 'tags', 'name,name', 'a,b,c,d,e,f']) {
      expect((await list({ sort })).status, sort).toBe(400);
    }
    for (const limit of ['0', '501', '-1', 'abc', '1.5']) expect((await list({ limit })).status, limit).toBe(400);
    expect((await list({ limit: 500 })).status).toBe(200);
  });
});

describe('projection, expand, search and totals', () => {
  it('returns only the requested fields (plus id), refusing unknown ones', async () => {
    const r = await list({ fields: 'name,amount', limit: 3 });
    expect(r.status).toBe(200);
    for (const item of r.body.items) expect(Object.keys(item).sort()).toEqual(['amount', 'id', 'name']);
    for (const fields of ['nope', 'name,"x"', 'name;drop', 'deleted_at,xx']) {
      expect((await list({ fields })).status, fields).toBe(400);
    }
  });

  it('expands lookups into their records', async () => {
    const r = await list({ expand: 'account,owner', limit: 500 });
    expect(r.status).toBe(200);
    for (const item of r.body.items) {
      const original = deals.find((d) => d.id === item.id);
      if (original?.account) expect(item.account).toMatchObject({ id: original.account, name: expect.any(String) });
      expect(item.owner).toMatchObject({ id: tenant.admin.id, name: 'Admin' });
    }
    const one = await tenant.api.get(`/api/records/deal/${deals.find((d) => d.account)!.id}`, {
      query: { expand: 'account' },
    });
    expect(one.body.account.city).toBeDefined();
    for (const expand of ['name', 'nope', 'id']) expect((await list({ expand })).status, expand).toBe(400);
  });

  it('searches the text fields with q (every word, any field, case-insensitive)', async () => {
    const r = await list({ q: 'ALPHA notes', limit: 500 });
    expect(r.status).toBe(200);
    const words = ['alpha', 'notes'];
    const expected = deals.filter((d) =>
      words.every((w) => [d.name, d.notes].some((t) => typeof t === 'string' && t.toLowerCase().includes(w))),
    );
    expect(ids(r.body.items)).toEqual(ids(expected));
    expect((await list({ q: 'x'.repeat(201) })).status).toBe(400);
    // Backed by one trigram index per x-search field.
    const idx = await server.runtime.db.raw('select indexdef from pg_indexes where schemaname = ? and tablename = ?', [
      `t_${tenant.id}`,
      'deal',
    ]);
    const defs = idx.rows.map((r: { indexdef: string }) => r.indexdef).join('\n');
    expect(defs).toMatch(/USING gin \(name gin_trgm_ops\)/);
    expect(defs).toMatch(/USING gin \(notes gin_trgm_ops\)/);
    expect(defs).not.toMatch(/stage gin_trgm_ops/);
    // An indexed number serves lists in both directions (nulls last either way).
    expect(defs).toMatch(/btree \(amount\)/);
    expect(defs).toMatch(/btree \(amount DESC NULLS LAST\)/);
    // Without x-search, q looks in every free-text field (unindexed).
    const acc = await tenant.api.get('/api/records/account', { query: { q: 'BERLIN' } });
    expect(acc.status).toBe(200);
    expect(acc.body.items.map((a: Rec) => a.id).sort()).toEqual(
      accounts
        .filter((a) => a.city === 'berlin')
        .map((a) => a.id)
        .sort(),
    );
  });

  it('adds an exact total with count=true and an estimate with count=estimate', async () => {
    const filter = JSON.stringify({ stage: { eq: 'won' } });
    const exact = await list({ filter, count: 'true', limit: 2 });
    const all = await list({ filter, limit: 500 });
    expect(exact.body.total).toBe(all.body.items.length);
    // The planner's estimate comes from the table's statistics: fresh ones make it close to the truth.
    await server.runtime.db.raw(`analyze "t_${tenant.id}".deal`);
    const est = await list({ count: 'estimate', limit: 1 });
    expect(Number.isInteger(est.body.estimatedTotal)).toBe(true);
    expect(est.body.estimatedTotal).toBeGreaterThanOrEqual(deals.length / 2);
    expect(est.body.estimatedTotal).toBeLessThanOrEqual(deals.length * 2);
    expect(est.body.total).toBeUndefined();
  });
});
