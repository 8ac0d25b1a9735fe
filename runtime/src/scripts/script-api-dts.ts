/**
 * The script API as TypeScript declarations: TypeScript scripts are type-checked against it on save,
 * and docs/scripts.md quotes it. Keep it in step with sandbox-prelude.js, which implements it.
 */
export const SCRIPT_API_DTS = `
type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A record as scripts see it: read-only; change fields with set(). */
interface ScriptRecord {
  readonly id?: string;
  readonly [field: string]: any;
}

interface ScriptUser {
  readonly id: string;
  readonly email?: string;
  readonly name?: string;
  readonly roles: readonly string[];
  readonly manager?: string | null;
}

interface QueryOptions {
  /** "-amount,name": descending amount, then name. */
  sort?: string;
  /** At most this many records (default 50). */
  limit?: number;
}

/** The record being saved (with the changes of earlier beforeSave scripts). */
declare const record: ScriptRecord;
/** The record as stored before this save; null when it is being created. */
declare const old: ScriptRecord | null;
/** The user whose request runs the script. */
declare const user: ScriptUser;
/** The arguments of an action; {} for other events. */
declare const params: { readonly [name: string]: any };

/**
 * Refuses the save with a message on a field ("_" or no field: the whole record). translations
 * gives the message in other languages, e.g. { "zh-CN": "折扣超过 20% 需要销售经理审批" }.
 */
declare function error(field: string, message: string, translations?: { readonly [locale: string]: string }): void;
declare function error(message: string): void;
/** Sets a field of the record being saved (beforeSave and action scripts). */
declare function set(field: string, value: JsonValue): void;
/** Adds a line to the script's log (shown by the test endpoint). */
declare function log(...values: unknown[]): void;
/** Today's date in UTC, \`YYYY-MM-DD\`. */
declare function today(): string;
/** Whole days from a date (or date-time) to today; null when it is empty. */
declare function days_since(date: string | null | undefined): number | null;
/** Whole days from \`a\` to \`b\` (negative when \`b\` is earlier); null when either is empty. */
declare function days_between(a: string | null | undefined, b: string | null | undefined): number | null;
/** Records of an object matching a filter, as the calling user may see them. */
declare function query(object: string, filter?: Record<string, unknown>, options?: QueryOptions): Promise<ScriptRecord[]>;
/**
 * Adds \`by\` to a number field of another record, atomically, unless the result would leave
 * [min, max]: then nothing changes and ok is false (stock, points: concurrent calls never overshoot).
 * Part of the save: a save that fails afterwards undoes it.
 */
declare function adjust(
  object: string,
  id: string,
  field: string,
  by: number,
  bounds?: { min?: number; max?: number },
): Promise<{ readonly ok: boolean; readonly value: number }>;
`;
