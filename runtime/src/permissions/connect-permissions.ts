import type { MetaService } from '../meta/meta-service';
import type { UserService } from '../users/user-service';
import { checkRoleItem } from './check-role-item';
import type { PermissionService } from './permission-service';

/** Wires permissions to users (role validation, the manager hierarchy) and metadata (role checks). */
export function connectPermissions(permissions: PermissionService, users: UserService, meta: MetaService): void {
  users.hooks.push(permissions.userHooks());
  meta.registerSectionCheck('roles', checkRoleItem, 'permissions');
}
