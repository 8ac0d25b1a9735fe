import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Model } from '../model/load-model';
import { metaTestTenant, type MetaTestTenant } from '../testing/meta-test-tenant';
import { whereFilter } from './filter-sql';
import type { Filter } from './object-access';

let t: MetaTestTenant;
let model: Model;
const ids: Record<string, string> = {};
let boss: string;
let worker: string;

beforeAll(async () => {
  t = await metaTestTenant('fsql');
  await t.runtime.meta.apply(t.ctx, {
    objects: {
      account: { type: 'object', properties: { name: { type: 'string', maxLength: 100 } } },
      deal: {
        type: 'object',
        properties: {
          name: { type: 'string', maxLength: 100 },
          amount: { type: 'number' },
          tags: { type: 'array', items: { type: 'string', enum: ['hot', 'cold'] } },
          account: { type: 'string', format: 'uuid', 'x-ref': 'account' },
        },
      },
    },
  });
  model = await t.runtime.meta.model({ ...t.ctx, metaVersion: undefined });
  boss = t.ctx.user.id;
  worker = (
    await t.runtime.users.insert(t.ctx, {
      email: `w@${t.tenant}.test`,
      name: 'W',
      password: 'long enough pw',
      manager: boss,
    })
  ).id;
  const db = t.runtime.db.withSchema(t.schema);
  const [acme] = await db.clone().insert({ name: 'Acme' }).into('account').returning('id');
  const rows = [
    { key: 'a', name: '50% off_sale', amount: 10, tags: ['hot'], account: acme.id, owner: worker },
    { key: 'b', name: 'Plain', amount: 20, tags: ['cold'], account: null, owner: boss },
    { key: 'c', name: null, amount: null, tags: null, account: null, owner: null },
  ];
  for (const { key, ...row } of rows) {
    const [r] = await t.runtime.db.withSchema(t.schema).insert(row).into('deal').returning('id');
    ids[key] = r.id;
  }
  await t.runtime.db
    .withSchema(t.schema)
    .insert({ object: 'deal', record_id: ids.b, role: 'rep', level: 'read' })
    .into('_record_shares');
});
afterAll(async () => {
  await t?.close();
});

async function matching(filter: Filter): Promise<string[]> {
  const db = t.runtime.db;
  const rows = await db
    .withSchema(t.schema)
    .from('deal')
    .where((w) => whereFilter(w, { db, schema: t.schema, model, object: 'deal' }, filter))
    .select('id');
  const byId = Object.fromEntries(Object.entries(ids).map(([k, v]) => [v, k]));
  return rows.map((r: { id: string }) => byId[r.id] as string).sort();
}

describe('whereFilter', () => {
  it('compiles comparisons, lists and null checks', async () => {
    expect(await matching({ amount: { eq: 10 } })).toEqual(['a']);
    expect(await matching({ amount: { ne: 10 } })).toEqual(['b', 'c']);
    expect(await matching({ amount: { gte: 10, lt: 20 } })).toEqual(['a']);
    expect(await matching({ amount: { in: [10, 20] } })).toEqual(['a', 'b']);
    expect(await matching({ amount: { nin: [10] } })).toEqual(['b', 'c']);
    expect(await matching({ amount: { isNull: true } })).toEqual(['c']);
    expect(await matching({ amount: { eq: null } })).toEqual(['c']);
  });

  it('treats LIKE wildcards in values as text', async () => {
    expect(await matching({ name: { contains: '%' } })).toEqual(['a']);
    expect(await matching({ name: { contains: '_' } })).toEqual(['a']);
    expect(await matching({ name: { startsWith: 'pla' } })).toEqual(['b']);
    expect(await matching({ tags: { contains: 'hot' } })).toEqual(['a']);
  });

  it('combines with and / or, an empty or matching nothing', async () => {
    expect(await matching({ or: [{ amount: { eq: 10 } }, { amount: { eq: 20 } }] })).toEqual(['a', 'b']);
    expect(await matching({ and: [{ amount: { gte: 10 } }, { name: { eq: 'Plain' } }] })).toEqual(['b']);
    expect(await matching({ or: [] })).toEqual([]);
    expect(await matching({ and: [] })).toEqual(['a', 'b', 'c']);
  });

  it("follows a lookup's fields and the owner's", async () => {
    expect(await matching({ 'account.name': { eq: 'Acme' } })).toEqual(['a']);
    expect(await matching({ 'owner.name': { eq: 'W' } })).toEqual(['a']);
  });

  it('compiles the permission operators to sub-selects', async () => {
    expect(await matching({ owner: { $inTeamOf: boss } })).toEqual(['a', 'b']);
    expect(await matching({ owner: { $inTeamOf: worker } })).toEqual(['a']);
    expect(await matching({ id: { $sharedWith: { user: worker, roles: ['rep'], level: 'read' } } })).toEqual(['b']);
    expect(await matching({ id: { $sharedWith: { user: worker, roles: ['rep'], level: 'edit' } } })).toEqual([]);
  });

  it('refuses unknown fields, operators and crafted names with 400', async () => {
    for (const f of [
      { nope: { eq: 1 } },
      { 'name" or 1=1 --': { eq: 1 } },
      { name: { 'eq; drop table deal': 1 } },
      { 'account.nope': { eq: 1 } },
      { 'owner.password_hash': { eq: 'x' } },
      { 'a.b.c': { eq: 1 } },
      { name: 'x' },
      { amount: { in: 5 } },
      { amount: { eq: { $gt: 1 } } },
      { owner: { $inTeamOf: "x' or '1'='1" } },
      { id: { $sharedWith: { user: boss } } },
    ] as unknown as Filter[]) {
      await expect(matching(f), JSON.stringify(f)).rejects.toMatchObject({ status: 400 });
    }
    expect(await t.rows('select count(*)::int as n from $schema.deal')).toEqual([{ n: 3 }]);
  });
});
