import type { SessionUser } from '../ctx';

export interface UserRow {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  roles: string[];
  manager: string | null;
  active: boolean;
  /** A service account (API keys only; docs/api-keys.md). */
  service: boolean;
  locale: string | null;
  last_login_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** Columns safe to return to clients (never the password hash). */
export const PUBLIC_USER_COLUMNS = [
  'id',
  'email',
  'name',
  'roles',
  'manager',
  'active',
  'service',
  'locale',
  'last_login_at',
  'created_at',
  'updated_at',
] as const;

export type PublicUser = Omit<UserRow, 'password_hash'>;

export function toSessionUser(
  row: Pick<UserRow, 'id' | 'email' | 'name' | 'roles' | 'manager' | 'locale'>,
): SessionUser {
  return { id: row.id, email: row.email, name: row.name, roles: row.roles, manager: row.manager, locale: row.locale };
}
