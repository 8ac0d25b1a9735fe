import type { Migration } from '../db/run-migrations';
import { qualified, SYSTEM_TABLE } from '../model/naming';
import { rebuildUserTree } from './user-tree';

/** The manager hierarchy as a closure table, and manual record shares. */
export const permissionMigration: Migration = {
  id: 'permissions_0001_tree_shares',
  async up(trx, schema) {
    const users = qualified(schema, SYSTEM_TABLE.users);
    // One row per (ancestor, descendant) pair, self rows at depth 0: "owner is me or below me" is one
    // indexed sub-select, whatever the depth of the hierarchy.
    await trx.schema.withSchema(schema).createTable(SYSTEM_TABLE.userTree, (t) => {
      t.uuid('ancestor').notNullable().references('id').inTable(users).onDelete('CASCADE');
      t.uuid('descendant').notNullable().references('id').inTable(users).onDelete('CASCADE');
      t.integer('depth').notNullable();
      t.primary(['ancestor', 'descendant']);
      t.index(['descendant']);
    });
    await trx.schema.withSchema(schema).createTable(SYSTEM_TABLE.recordShares, (t) => {
      t.uuid('id').primary().defaultTo(trx.raw('gen_random_uuid()'));
      t.text('object').notNullable();
      t.uuid('record_id').notNullable();
      t.uuid('user_id').references('id').inTable(users).onDelete('CASCADE');
      t.text('role');
      t.text('level').notNullable();
      t.uuid('created_by');
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(trx.fn.now());
      // DDL takes no bind parameters: literals are written out, identifiers still quoted by knex.
      t.check("?? in ('read', 'edit')", ['level'], '_record_shares_level_check');
      t.check('(?? is null) <> (?? is null)', ['user_id', 'role'], '_record_shares_target_check');
      t.index(['object', 'record_id']);
    });
    // One share per record and grantee; the sub-select `$sharedWith` compiles to reads these.
    await trx.raw('create unique index ?? on ??.?? (object, user_id, record_id) where user_id is not null', [
      '_record_shares_user_key',
      schema,
      SYSTEM_TABLE.recordShares,
    ]);
    await trx.raw('create unique index ?? on ??.?? (object, role, record_id) where role is not null', [
      '_record_shares_role_key',
      schema,
      SYSTEM_TABLE.recordShares,
    ]);
    await rebuildUserTree(trx, schema);
  },
};
