import type { Knex } from 'knex';
import { SYSTEM_TABLE } from '../model/naming';

/** The user service refuses cycles; this bound only keeps a corrupt row from looping forever. */
const MAX_DEPTH = 1000;

/**
 * Recomputes the closure rows of `userId` and everyone below them from `_users.manager`: what changes
 * when a user is created or gets a new manager. Tree maintenance is serialized per tenant (a lock on
 * the closure table), and each statement reads `_users` after the lock is granted, so a concurrent
 * move committed just before is always seen: the closure never mixes two versions of the hierarchy.
 */
export async function refreshUserSubtree(trx: Knex.Transaction, schema: string, userId: string): Promise<void> {
  await lockTree(trx, schema);
  const subtree = `with recursive sub(id) as (
      select ?::uuid
      union select u.id from ??.?? u join sub on u.manager = sub.id)`;
  const subBindings = [userId, schema, SYSTEM_TABLE.users];
  await trx.raw(`${subtree} delete from ??.?? where descendant in (select id from sub)`, [
    ...subBindings,
    schema,
    SYSTEM_TABLE.userTree,
  ]);
  await trx.raw(
    `${subtree}, up(descendant, ancestor, depth) as (
       select id, id, 0 from sub
       union all
       select up.descendant, u.manager, up.depth + 1 from up join ??.?? u on u.id = up.ancestor
       where u.manager is not null and up.depth < ?)
     insert into ??.?? (ancestor, descendant, depth) select ancestor, descendant, depth from up
     on conflict do nothing`,
    [...subBindings, schema, SYSTEM_TABLE.users, MAX_DEPTH, schema, SYSTEM_TABLE.userTree],
  );
}

/** Rebuilds the whole closure table from `_users` (migration backfill, repair). */
export async function rebuildUserTree(trx: Knex.Transaction, schema: string): Promise<void> {
  await lockTree(trx, schema);
  await trx.withSchema(schema).from(SYSTEM_TABLE.userTree).delete();
  await trx.raw(
    `with recursive up(descendant, ancestor, depth) as (
       select id, id, 0 from ??.??
       union all
       select up.descendant, u.manager, up.depth + 1 from up join ??.?? u on u.id = up.ancestor
       where u.manager is not null and up.depth < ?)
     insert into ??.?? (ancestor, descendant, depth) select ancestor, descendant, depth from up
     on conflict do nothing`,
    [schema, SYSTEM_TABLE.users, schema, SYSTEM_TABLE.users, MAX_DEPTH, schema, SYSTEM_TABLE.userTree],
  );
}

/**
 * Whether the closure rows of `userId` already reflect `_users`: its self row exists and its depth-1
 * ancestor is its manager. Most user changes (name, e-mail, roles) leave the tree alone.
 */
export async function userTreeIsCurrent(trx: Knex.Transaction, schema: string, userId: string): Promise<boolean> {
  const row = await trx
    .withSchema(schema)
    .from(`${SYSTEM_TABLE.users} as u`)
    .where('u.id', userId)
    .first(
      'u.manager',
      trx.raw('exists (select 1 from ??.?? t where t.ancestor = u.id and t.descendant = u.id) as self', [
        schema,
        SYSTEM_TABLE.userTree,
      ]),
      trx.raw('(select t.ancestor from ??.?? t where t.descendant = u.id and t.depth = 1) as parent', [
        schema,
        SYSTEM_TABLE.userTree,
      ]),
    );
  if (!row) return true;
  return row.self === true && (row.parent ?? null) === (row.manager ?? null);
}

async function lockTree(trx: Knex.Transaction, schema: string): Promise<void> {
  await trx.raw('lock table ??.?? in share row exclusive mode', [schema, SYSTEM_TABLE.userTree]);
}
