/**
 * Rules for logical names. They double as PostgreSQL identifiers (runtime's naming.ts maps them to
 * physical names), so they are lower-case ASCII and at most 63 bytes.
 */
export const NAME_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;

export function isName(value: unknown): value is string {
  return typeof value === 'string' && NAME_PATTERN.test(value);
}

/** Columns every record has; custom fields may not reuse their names. */
export const SYSTEM_FIELD_NAMES = [
  'id',
  'owner',
  'created_at',
  'created_by',
  'updated_at',
  'updated_by',
  'version',
  'approval_status',
  'deleted_at',
] as const;

export type SystemFieldName = (typeof SYSTEM_FIELD_NAMES)[number];

export const APPROVAL_STATUSES = ['none', 'pending', 'approved', 'rejected'] as const;

/**
 * Names a field may not have besides the system fields: `and` / `or` / `not` are the filter
 * language's combinators, and a field named like them could never be filtered on.
 */
export const RESERVED_FIELD_NAMES: ReadonlySet<string> = new Set<string>([...SYSTEM_FIELD_NAMES, 'and', 'or', 'not']);

/** `user` is the lookup target for the tenant's users (`x-ref: "user"`), so no object may take it. */
export const USER_REF = 'user';
export const RESERVED_OBJECT_NAMES: ReadonlySet<string> = new Set<string>([USER_REF, 'users']);

/** The built-in role; it bypasses record scope, so metadata cannot redefine it. */
export const RESERVED_ROLE_NAMES: ReadonlySet<string> = new Set<string>(['admin']);
