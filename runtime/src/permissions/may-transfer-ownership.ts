import type { ObjectAccess } from './object-access';

/**
 * Who may set `owner` (on create, or to transfer a record): admins, and users whose update scope on
 * the object is `all`: they can already change every record, so reassigning one opens nothing they
 * could not reach. Everyone else gets 403 for an `owner` in a payload; a record's owner is its creator.
 */
export function mayTransferOwnership(access: ObjectAccess): boolean {
  return access.can.update && access.rowFilter.update === null;
}
