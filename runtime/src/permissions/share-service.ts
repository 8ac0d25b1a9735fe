import type { Knex } from 'knex';
import { ADMIN_ROLE, type Ctx } from '../ctx';
import { forbidden, isAppError, notFound, validationFailed } from '../errors';
import { isIdentifier, SYSTEM_TABLE } from '../model/naming';
import { resolveRecord } from '../records/record-guard';
import type { RolePermissionEngine, ModelSource } from './permission-engine';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type ShareLevel = 'read' | 'edit';

export interface ShareInput {
  user?: string;
  role?: string;
  level: ShareLevel;
}

export type RecordShare = {
  id: string;
  object: string;
  record: string;
  user: string | null;
  role: string | null;
  level: ShareLevel;
  createdBy: string | null;
  createdAt: Date;
};

interface ShareRow {
  id: string;
  object: string;
  record_id: string;
  user_id: string | null;
  role: string | null;
  level: ShareLevel;
  created_by: string | null;
  created_at: Date;
}

const toShare = (r: ShareRow): RecordShare => ({
  id: r.id,
  object: r.object,
  record: r.record_id,
  user: r.user_id,
  role: r.role,
  level: r.level,
  createdBy: r.created_by,
  createdAt: r.created_at,
});

/**
 * Manual sharing of one record with a user or a role, at `read` or `edit`. Only the record's owner
 * or an admin manages its shares; a record the caller cannot read answers 404 (existence does not
 * leak). A share widens the rows of what the grantee's roles already allow on the object.
 */
export class ShareService {
  constructor(
    private readonly engine: RolePermissionEngine,
    private readonly models: ModelSource,
  ) {}

  async list(ctx: Ctx, object: string, recordId: string): Promise<RecordShare[]> {
    await this.assertManageable(ctx, ctx.db, object, recordId);
    const rows: ShareRow[] = await ctx.db
      .withSchema(ctx.schema)
      .from(SYSTEM_TABLE.recordShares)
      .where({ object, record_id: recordId })
      .orderBy('created_at')
      .orderBy('id');
    return rows.map(toShare);
  }

  /** Creates the share, or changes the level of the grantee's existing one. */
  async share(
    ctx: Ctx,
    object: string,
    recordId: string,
    input: ShareInput,
  ): Promise<{ share: RecordShare; created: boolean }> {
    return ctx.db.transaction(async (trx) => {
      const owner = await this.assertManageable(ctx, trx, object, recordId);
      await this.checkInput(ctx, trx, input, owner);
      const target = input.user ? 'user_id' : 'role';
      const result = await trx.raw(
        `insert into ??.?? (object, record_id, ??, level, created_by) values (?, ?, ?, ?, ?)
         on conflict (object, ??, record_id) where ?? is not null do update set level = excluded.level
         returning *, (xmax = 0) as created`,
        [
          ctx.schema,
          SYSTEM_TABLE.recordShares,
          target,
          object,
          recordId,
          (input.user ?? input.role) as string,
          input.level,
          ctx.user.id,
          target,
          target,
        ],
      );
      const row = result.rows[0] as ShareRow & { created: boolean };
      return { share: toShare(row), created: row.created };
    });
  }

  async unshare(ctx: Ctx, object: string, recordId: string, shareId: string): Promise<void> {
    await this.assertManageable(ctx, ctx.db, object, recordId);
    if (!UUID.test(shareId)) throw notFound('Share not found');
    const n = await ctx.db
      .withSchema(ctx.schema)
      .from(SYSTEM_TABLE.recordShares)
      .where({ id: shareId, object, record_id: recordId })
      .delete();
    if (!n) throw notFound('Share not found');
  }

  /** The record's owner, once the caller is known to be allowed to manage its shares. */
  private async assertManageable(
    ctx: Ctx,
    db: Knex | Knex.Transaction,
    object: string,
    recordId: string,
  ): Promise<string | null> {
    if (!isIdentifier(object)) throw notFound('Record not found');
    const model = await this.models.model(ctx);
    // The records engine's guard: outside the caller's read scope the record does not exist (404).
    const { row } = await resolveRecord({ ...ctx, db }, model, this.engine, object, recordId, {
      columns: ['owner'],
    }).catch((e) => {
      throw isAppError(e) && e.code === 'NOT_FOUND' ? notFound('Record not found') : e;
    });
    const owner = (row.owner as string | null) ?? null;
    if (!ctx.isAdmin && owner !== ctx.user.id) throw forbidden('Only the owner of the record or an admin can share it');
    return owner;
  }

  private async checkInput(ctx: Ctx, trx: Knex.Transaction, input: ShareInput, owner: string | null): Promise<void> {
    const hasUser = input.user !== undefined && input.user !== null;
    const hasRole = input.role !== undefined && input.role !== null;
    if (hasUser === hasRole)
      throw validationFailed('Share with exactly one user or one role', { user: 'Give user or role' });
    if (input.level !== 'read' && input.level !== 'edit')
      throw validationFailed('Invalid share', { level: 'Must be "read" or "edit"' });
    if (hasUser) {
      if (typeof input.user !== 'string' || !UUID.test(input.user))
        throw validationFailed('Invalid share', { user: 'Must be a user id' });
      if (input.user === owner) throw validationFailed('Invalid share', { user: 'The owner already has the record' });
      const found = await trx
        .withSchema(ctx.schema)
        .from(SYSTEM_TABLE.users)
        .where({ id: input.user, active: true })
        .first('id');
      if (!found) throw validationFailed('Invalid share', { user: 'Unknown user' });
      return;
    }
    const roles = (await this.models.model(ctx)).roles;
    if (typeof input.role !== 'string' || input.role === ADMIN_ROLE || !Object.hasOwn(roles, input.role))
      throw validationFailed('Invalid share', { role: 'Unknown role' });
  }
}

/**
 * Removes the shares of records that are gone for good (purged from the recycle bin), inside the
 * caller's transaction. Soft-deleted records keep their shares, so a restore brings them back.
 */
export async function deleteRecordShares(
  db: Knex | Knex.Transaction,
  schema: string,
  object: string,
  recordIds: readonly string[],
): Promise<number> {
  if (!recordIds.length) return 0;
  return db
    .withSchema(schema)
    .from(SYSTEM_TABLE.recordShares)
    .where('object', object)
    .whereIn('record_id', recordIds)
    .delete();
}
