import type { Knex } from 'knex';
import { describe, expect, it } from 'vitest';
import { queryPrepared, sendUnnamed, statement } from './prepared';

/** A pool of one fake connection that records the query configs it is sent. */
function fakePool() {
  const sent: Array<{ name?: string; text: string }> = [];
  const conn = {
    query: async (config: { name?: string; text: string }) => {
      sent.push(config);
      return { rows: [] };
    },
  };
  const client = { acquireConnection: async () => conn, releaseConnection: async () => undefined };
  const db = { client, listenerCount: () => 0 } as unknown as Knex;
  return { db, sent };
}

describe('prepared statements', () => {
  const s = statement('select id from "t_a"."deal" where id = $1', ['x']);

  it('go by name on a pool, the same text under the same name', async () => {
    const { db, sent } = fakePool();
    await queryPrepared(db, s);
    await queryPrepared(db, s, ['y']);
    expect(sent.filter((q) => q.name).map((q) => q.name)).toEqual([s.name, s.name]);
  });

  it('go unnamed, with no session setting, on a pool told so (behind a transaction-mode pooler)', async () => {
    const { db, sent } = fakePool();
    sendUnnamed(db);
    await queryPrepared(db, s);
    expect(sent).toEqual([{ text: s.text, values: ['x'] }]);
  });
});
