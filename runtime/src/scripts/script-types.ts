/** The public shapes of the script engine: what callers pass in and get back. */

export type ScriptEvent = 'validate' | 'beforeSave' | 'afterSave' | 'action';
export const SCRIPT_EVENTS: readonly ScriptEvent[] = ['validate', 'beforeSave', 'afterSave', 'action'];

export type ScriptLanguage = 'js' | 'ts';

/** A metadata version (number) or any other string that changes whenever the scripts may have. */
export type ScriptVersion = number | string;

/** A stored script as the metadata document holds it (`scripts.<name>`). */
export interface ScriptDefinition {
  object: string;
  event: ScriptEvent;
  code: string;
  language?: ScriptLanguage;
}

/** One script to run: its name (for errors and logs) and its source. */
export interface ScriptRef {
  name: string;
  code: string;
  language?: ScriptLanguage;
}

export type RecordData = Record<string, unknown>;

/** The calling user as scripts see it (`user`). */
export interface ScriptUser {
  id: string;
  email?: string;
  name?: string;
  roles: string[];
  manager?: string | null;
}

export interface QueryOptions {
  /** As in the HTTP API: `"-amount,name"`. */
  sort?: string;
  limit?: number;
  /** Set by the script API's `adjust()`: a guarded change of one number field of the one record filtered by id. */
  adjust?: AdjustSpec;
}

/** `adjust(object, id, field, by, {min, max})`: add `by` unless the result would leave [min, max]. */
export interface AdjustSpec {
  field: string;
  by: number;
  min?: number;
  max?: number;
}

export interface AdjustResult {
  ok: boolean;
  /** The field's value after the call (unchanged when refused). */
  value: number;
}

/**
 * What the engine calls back into for `await query(object, filter, options)`. The records engine
 * passes one bound to the calling user, so a script reads only what that user may read.
 */
export interface ScriptHost {
  query(object: string, filter: Record<string, unknown>, options: QueryOptions): Promise<RecordData[]>;
  /** The script API's `adjust()`; absent where scripts may not change other records. */
  adjust?(object: string, id: string, spec: AdjustSpec): Promise<AdjustResult>;
}

/** The batched entry point of a record save: one sandbox round trip per save. */
export interface SaveInput {
  tenant: string;
  version: ScriptVersion;
  object: string;
  validate: readonly ScriptRef[];
  beforeSave: readonly ScriptRef[];
  /** `field → expression`, evaluated in this order after the beforeSave scripts. */
  formulas: Readonly<Record<string, string>>;
  record: RecordData;
  old: RecordData | null;
  user: ScriptUser;
}

export interface SaveResult {
  /** `field → message` from `error()`; `_` for errors about the whole record. Non-empty: refuse the save. */
  errors: Record<string, string>;
  /** `field → {locale: message}`: the translations given as `error()`'s third argument. */
  errorI18n?: Record<string, Record<string, string>>;
  /** Fields set by beforeSave scripts and computed by formulas, to apply to the record. */
  changes: RecordData;
  logs: string[];
  /** Wall-clock milliseconds the sandbox took, IPC included. */
  ms: number;
}

/** A single script run for `afterSave` and `action` events (and the test route). */
export interface ScriptRunInput {
  tenant: string;
  version: ScriptVersion;
  object: string;
  event: ScriptEvent;
  script: ScriptRef;
  record: RecordData;
  old: RecordData | null;
  user: ScriptUser;
  /** Arguments of an action (the body of the action request). */
  params?: RecordData;
}

export interface ScriptRunResult extends SaveResult {
  /** What an action script returned (JSON data), if anything. */
  result?: unknown;
}

/** The variables an expression (formula, workflow condition) can read. */
export interface ExpressionScope {
  record?: RecordData | null;
  old?: RecordData | null;
  user?: ScriptUser | null;
}

export interface Diagnostic {
  /** 1-based, in the author's source. */
  line: number;
  /** 1-based. */
  column: number;
  message: string;
}

export interface CompileResult {
  ok: boolean;
  /** The JavaScript that runs (TypeScript with its types blanked out, so positions are unchanged). */
  code: string;
  diagnostics: Diagnostic[];
}

/** Why a script failed, as `details.reason` of the `SCRIPT_FAILED` error. */
export type FailureReason = 'error' | 'syntax' | 'timeout' | 'memory' | 'output' | 'crash' | 'aborted' | 'suspended';
