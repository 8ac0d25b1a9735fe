/** Words a rule may use for "when it runs": in schedule filters and in set/create values. */
export const TIME_TOKENS = ['$now', '$today'] as const;

/** Words for people of the rule's record, in set/create values (resolved by run-actions.ts). */
export const PERSON_TOKENS = ['$owner', '$managerOfOwner'] as const;

/**
 * `value` with every string `"$now"` replaced by the instant and `"$today"` by the date (UTC), taken
 * from the runtime's injectable clock, so tests and several processes agree on what "today" is.
 */
export function resolveTokens<T>(value: T, now: Date): T {
  if (value === '$now') return now.toISOString() as T;
  if (value === '$today') return now.toISOString().slice(0, 10) as T;
  if (Array.isArray(value)) return value.map((v) => resolveTokens(v, now)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = resolveTokens(v, now);
    return out as T;
  }
  return value;
}
