import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metaTestTenant, type MetaTestTenant } from '../testing/meta-test-tenant';
import { deleteRecordShares } from './share-service';

let t: MetaTestTenant;
beforeAll(async () => {
  t = await metaTestTenant('shares');
});
afterAll(async () => {
  await t?.close();
});

describe('deleteRecordShares', () => {
  it('removes the shares of the given records of one object only', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    await t.runtime.db
      .withSchema(t.schema)
      .insert([
        { object: 'deal', record_id: a, role: 'rep', level: 'read' },
        { object: 'deal', record_id: a, user_id: t.ctx.user.id, level: 'edit' },
        { object: 'deal', record_id: b, role: 'rep', level: 'read' },
        { object: 'account', record_id: a, role: 'rep', level: 'read' },
      ])
      .into('_record_shares');
    expect(await deleteRecordShares(t.runtime.db, t.schema, 'deal', [a])).toBe(2);
    expect(await deleteRecordShares(t.runtime.db, t.schema, 'deal', [])).toBe(0);
    const left = await t.rows<{ object: string; record_id: string }>(
      'select object, record_id from $schema._record_shares',
    );
    expect(left.map((r) => `${r.object}:${r.record_id === a ? 'a' : 'b'}`).sort()).toEqual(['account:a', 'deal:b']);
  });

  it('refuses a share that names both a user and a role, or a bad level (database checks)', async () => {
    const insert = (row: Record<string, unknown>) =>
      t.runtime.db
        .withSchema(t.schema)
        .insert({ object: 'deal', record_id: randomUUID(), ...row })
        .into('_record_shares');
    await expect(insert({ role: 'rep', user_id: t.ctx.user.id, level: 'read' })).rejects.toThrow(/target_check/);
    await expect(insert({ level: 'read' })).rejects.toThrow(/target_check/);
    await expect(insert({ role: 'rep', level: 'owner' })).rejects.toThrow(/level_check/);
  });
});
