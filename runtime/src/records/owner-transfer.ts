/**
 * `owner` in an update: the one system field a client may write, and only to hand a record to
 * another active user. Tenant admins and users whose update scope is `all` may (see
 * docs/permissions.md, ownership); anyone else gets 403, which keeps mass assignment closed.
 */
import type { Ctx } from '../ctx';
import { forbidden, validationFailed } from '../errors';
import { SYSTEM_TABLE } from '../model/naming';
import { mayTransferOwnership } from '../permissions/may-transfer-ownership';
import type { ObjectAccess } from '../permissions/object-access';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface OwnerChange {
  /** The payload without `owner`, for the ordinary validators. */
  rest: Record<string, unknown>;
  /** The new owner, when the payload names one. */
  owner?: string;
}

export async function takeOwnerChange(
  ctx: Ctx,
  access: ObjectAccess,
  body: Record<string, unknown>,
): Promise<OwnerChange> {
  if (!Object.hasOwn(body, 'owner')) return { rest: body };
  const { owner, ...rest } = body;
  if (!ctx.isAdmin && !mayTransferOwnership(access))
    throw forbidden('You may not change the owner of this record', { owner: 'You may not edit this field' });
  if (typeof owner !== 'string' || !UUID.test(owner))
    throw validationFailed('The changes are not valid', { owner: 'Must be the id of a user' });
  const user = await ctx.db
    .withSchema(ctx.schema)
    .table(SYSTEM_TABLE.users)
    .where({ id: owner, active: true })
    .first('id');
  if (!user) throw validationFailed('The changes are not valid', { owner: 'No active user with this id' });
  return { rest, owner };
}
