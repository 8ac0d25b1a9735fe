/**
 * The scope levels of a role's grant on an object (`roles.<role>.objects.<object>.read: "own"`), the
 * one definition the server (permissions/row-predicate.ts), the schema check and the web app's role
 * editor share. Dependency-free, so the browser imports it as `@forma/metadata/scope-levels`.
 * Adding a level is one entry here (its rows, as a filter over the user), the schema's enum (the test
 * beside this file fails until they agree) and its label in the web app's locales.
 */

/** A filter value standing for the signed-in user's id. */
export const SCOPE_USER = '$user';
/**
 * A filter value standing for the account of a customer portal user (the account of the contact
 * who signed in). Staff users have none: a level naming it reaches no row for them.
 */
export const SCOPE_ACCOUNT = '$account';

/** What a level's filter may name: the user, and a portal user's account. */
export interface ScopeSubject {
  user: string;
  account?: string | null;
}

export interface ScopeLevelDefinition {
  level: string;
  /** The rows the level reaches: every row, none, or those matching a filter over `$user`. */
  rows: 'all' | 'none' | Record<string, unknown>;
  /** Other rows on particular objects (by name): the accounts object's own row for `account`. */
  rowsOn?: Record<string, Record<string, unknown>>;
}

/** Ordered from least to most permissive: several roles combine to the highest. */
export const SCOPE_LEVEL_DEFINITIONS = [
  { level: 'none', rows: 'none' },
  // Customer portal roles: the rows of the signed-in contact's own account (docs/portal.md).
  {
    level: 'account',
    rows: { account: { eq: SCOPE_ACCOUNT } },
    rowsOn: { account: { id: { eq: SCOPE_ACCOUNT } } },
  },
  { level: 'own', rows: { owner: { eq: SCOPE_USER } } },
  { level: 'subordinates', rows: { owner: { $inTeamOf: SCOPE_USER } } },
  { level: 'all', rows: 'all' },
] as const satisfies readonly ScopeLevelDefinition[];

export type ScopeLevel = (typeof SCOPE_LEVEL_DEFINITIONS)[number]['level'];

export const SCOPE_LEVELS: readonly ScopeLevel[] = SCOPE_LEVEL_DEFINITIONS.map((d) => d.level);

/** How a role stores a level: `false` for none, `true` as an old spelling of `all`. */
export type StoredScope = boolean | Exclude<ScopeLevel, 'none'>;

/** The stored forms the role schema accepts (`$defs/scope`). */
export const STORED_SCOPES: readonly StoredScope[] = [
  false,
  true,
  ...SCOPE_LEVELS.filter((l): l is Exclude<ScopeLevel, 'none'> => l !== 'none'),
];

export function isScopeLevel(value: unknown): value is ScopeLevel {
  return typeof value === 'string' && (SCOPE_LEVELS as readonly string[]).includes(value);
}

/** The level a stored scope means; absent and unknown values grant nothing. */
export function scopeLevel(scope: unknown): ScopeLevel {
  if (scope === true) return 'all';
  return isScopeLevel(scope) ? scope : 'none';
}

/**
 * The rows of a level for one user: `'all'`, `'none'`, or the filter with `$user` (and `$account`)
 * replaced. A level naming a variable the user does not have (a staff user's `$account`) is `'none'`.
 */
export function scopeRows(
  level: ScopeLevel,
  subject: string | ScopeSubject,
  object?: string,
): 'all' | 'none' | Record<string, unknown> {
  const { user, account } = typeof subject === 'string' ? { user: subject, account: undefined } : subject;
  const def: ScopeLevelDefinition | undefined = SCOPE_LEVEL_DEFINITIONS.find((d) => d.level === level);
  if (!def || def.rows === 'none') return 'none';
  if (def.rows === 'all') return 'all';
  const rows = object && def.rowsOn && Object.hasOwn(def.rowsOn, object) ? def.rowsOn[object] : def.rows;
  const text = JSON.stringify(rows);
  if (text.includes(JSON.stringify(SCOPE_ACCOUNT)) && !account) return 'none';
  return JSON.parse(text, (_k, v) => (v === SCOPE_USER ? user : v === SCOPE_ACCOUNT ? account : v));
}
