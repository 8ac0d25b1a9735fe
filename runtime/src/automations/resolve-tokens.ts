import { parseIsoDuration } from '../workflows/iso-duration';
// The functions' own modules: the package's index loads all of its ~300 modules (~9 MB of memory).
import { add } from 'date-fns/add';
import { sub } from 'date-fns/sub';

/**
 * Words a rule may use for "when it runs", in schedule filters and in set/create values: `$now`,
 * `$today`, and either one shifted by an ISO-8601 duration (`$now-PT4H`, `$today+P3D`).
 */
const TIME = /^\$(now|today)(?:([+-])(P[0-9YMWDTHS]+))?$/;

/**
 * Words for people of the rule's record, in set/create values (resolved by run-actions.ts):
 * `$owner`, `$managerOfOwner`, `$managerOf:<user field>`.
 */
export const PERSON_TOKEN = /^\$(owner|managerOfOwner|managerOf:[a-z][a-z0-9_]{0,62})$/;

/** Why a `$…` string is not a usable time token, or undefined (also for strings that are not tokens). */
export function timeTokenProblem(value: string): string | undefined {
  if (!/^\$(now|today)[+-]/.test(value)) return undefined;
  const m = TIME.exec(value);
  return m && parseIsoDuration(m[3] as string) ? undefined : `"${value}": shift $now/$today by an ISO-8601 duration`;
}

/**
 * `value` with every time token replaced by the instant (ISO) or the date (UTC), taken from the
 * runtime's injectable clock, so tests and several processes agree on what "today" is.
 */
export function resolveTokens<T>(value: T, now: Date): T {
  if (typeof value === 'string') {
    const m = TIME.exec(value);
    if (!m) return value;
    const d = m[3] ? parseIsoDuration(m[3]) : undefined;
    if (m[3] && !d) return value;
    const at = d ? (m[2] === '-' ? sub(now, d) : add(now, d)) : now;
    return (m[1] === 'now' ? at.toISOString() : at.toISOString().slice(0, 10)) as T;
  }
  if (Array.isArray(value)) return value.map((v) => resolveTokens(v, now)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = resolveTokens(v, now);
    return out as T;
  }
  return value;
}
