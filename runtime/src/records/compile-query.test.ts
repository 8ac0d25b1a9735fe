import type { MetadataDocument } from '@forma/metadata';
import knex from 'knex';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../model/load-model';
import { fullAccess, type ObjectAccess } from '../permissions/object-access';
import { compileFilter, escapeLike, type QueryAccess } from './compile-query';

const doc = {
  objects: {
    account: { type: 'object', properties: { name: { type: 'string' } } },
    deal: {
      type: 'object',
      properties: {
        name: { type: 'string', maxLength: 50 },
        amount: { type: 'number' },
        account: { type: 'string', format: 'uuid', 'x-ref': 'account' },
      },
    },
  },
} as unknown as MetadataDocument;
const model = loadModel(doc, 1);
const deal = model.object('deal');
const db = knex({ client: 'pg' });
const U = '11111111-1111-4111-8111-111111111111';

function sql(filter: unknown, access: Partial<ObjectAccess> = {}, related = fullAccess('account')) {
  const qa: QueryAccess = {
    schema: 't_x',
    access: { ...fullAccess('deal'), ...access },
    related: new Map([['account', related]]),
  };
  return db
    .withSchema('t_x')
    .from('deal')
    .select('deal.id')
    .where(compileFilter(model, deal, filter, qa))
    .toSQL();
}

describe('compileFilter', () => {
  it('binds every value and quotes every identifier', () => {
    const q = sql({ name: { eq: "x' or 1=1 --" }, amount: { gte: 5 } });
    expect(q.sql).toContain('"deal"."name" = ?');
    expect(q.sql).not.toContain('1=1');
    expect(q.bindings).toEqual(["x' or 1=1 --", 5]);
    expect(q.sql).toContain('"deal"."deleted_at" is null');
  });

  it('ANDs the read scope with the user filter, and compiles the internal operators', () => {
    const q = sql(
      { or: [{ name: { eq: 'a' } }, { name: { eq: 'b' } }] },
      {
        rowFilter: {
          read: {
            or: [{ owner: { $inTeamOf: U } }, { id: { $sharedWith: { user: U, roles: ['r'], level: 'read' } } }],
          },
          update: null,
          delete: null,
        },
      },
    );
    expect(q.sql).toMatch(/"t_x"\."_user_tree" where "ancestor" = \?/);
    expect(q.sql).toMatch(/"t_x"\."_record_shares" where "object" = \?/);
    expect(q.bindings).toEqual(expect.arrayContaining([U, 'deal', ['r'], ['read', 'edit'], 'a', 'b']));
  });

  it('refuses $-operators and hidden fields from clients', () => {
    expect(() => sql({ owner: { $inTeamOf: U } })).toThrow(/unknown operator/);
    expect(() => sql({ name: { eq: 'x' } }, { fields: { name: 'none' } })).toThrow(/unknown field/);
  });

  it('follows lookups through a sub-query within the target scope', () => {
    const q = sql(
      { 'account.name': { startsWith: 'A_c' } },
      {},
      {
        ...fullAccess('account'),
        rowFilter: { read: { owner: { eq: U } }, update: null, delete: null },
      },
    );
    expect(q.sql).toMatch(/"deal"\."account" in \(select "_h1"\."id" from "t_x"\."account" as "_h1"/);
    expect(q.sql).toContain('"_h1"."owner" = ?');
    expect(q.bindings).toContain('A\\_c%');
  });

  it('matches nothing when the object may not be read', () => {
    const q = sql(null, { can: { create: false, read: false, update: false, delete: false } });
    expect(q.sql).toContain('false');
  });

  it('escapes LIKE wildcards', () => {
    expect(escapeLike('50%_\\')).toBe('50\\%\\_\\\\');
  });
});
