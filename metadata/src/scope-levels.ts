/**
 * The scope levels of a role's grant on an object (`roles.<role>.objects.<object>.read: "own"`), the
 * one definition the server (permissions/row-predicate.ts), the schema check and the web app's role
 * editor share. Dependency-free, so the browser imports it as `@forma/metadata/scope-levels`.
 * Adding a level is one entry here (its rows, as a filter over the user), the schema's enum (the test
 * beside this file fails until they agree) and its label in the web app's locales.
 */

/** A filter value standing for the signed-in user's id. */
export const SCOPE_USER = '$user';

export interface ScopeLevelDefinition {
  level: string;
  /** The rows the level reaches: every row, none, or those matching a filter over `$user`. */
  rows: 'all' | 'none' | Record<string, unknown>;
}

/** Ordered from least to most permissive: several roles combine to the highest. */
export const SCOPE_LEVEL_DEFINITIONS = [
  { level: 'none', rows: 'none' },
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

/** The rows of a level for one user: `'all'`, `'none'`, or the filter with `$user` replaced. */
export function scopeRows(level: ScopeLevel, userId: string): 'all' | 'none' | Record<string, unknown> {
  const def = SCOPE_LEVEL_DEFINITIONS.find((d) => d.level === level);
  if (!def || def.rows === 'none') return 'none';
  if (def.rows === 'all') return 'all';
  return JSON.parse(JSON.stringify(def.rows), (_k, v) => (v === SCOPE_USER ? userId : v));
}
