import type { RoleDefinition } from '@forma/metadata';
import type { Ctx } from '../ctx';

/**
 * Sending e-mail is a permission of its own (a role's `sendEmail`), not a consequence of reading:
 * a mail merge writes caller-chosen text to every address stored in the records it reads. Admins
 * always may; roles unknown to the metadata grant nothing, as everywhere.
 */
export function maySendEmail(
  ctx: Pick<Ctx, 'isAdmin' | 'user'>,
  roles: Readonly<Record<string, RoleDefinition>>,
): boolean {
  return ctx.isAdmin || ctx.user.roles.some((r) => Object.hasOwn(roles, r) && roles[r]?.sendEmail === true);
}
