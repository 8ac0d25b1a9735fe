/** Messages between the runtime (parent) and the sandbox child process. */
import type { ScriptLimits } from './scripts-config';

/** Source of one compiled unit: a script body or an expression, already checked by the parent. */
export interface SourceDef {
  kind: 'script' | 'expression';
  /** Script name or formula field, for error messages and stack traces. */
  name: string;
  code: string;
}

export interface RunMessage {
  t: 'run';
  id: number;
  tenant: string;
  limits: ScriptLimits;
  /** Every unit the job uses: compiled in the tenant's isolate unless it already is. */
  keys: string[];
  /** The job for the in-isolate runner, already JSON (the child passes it through untouched). */
  job: string;
  /** Sources the child has not been sent yet. */
  sources?: Record<string, SourceDef>;
  /**
   * Past this much CPU in the call's scripts the child says `slow` (the parent then sends the
   * tenant's calls to the low-priority child for a while); absent: never.
   */
  slowAfterCpuMs?: number;
  /** With `slowAfterCpuMs`: the child also ends the call there, for the parent to run it again in the low-priority child. */
  movable?: boolean;
  /** The child answers with `ChildTrace` (measuring where a call's time goes: the bench, diagnostics). */
  trace?: true;
}

/**
 * Where a traced call spent its time in the child, in ms of the child's clock (`performance.now()`):
 * spans only, so the two processes' clocks are never compared.
 */
export interface ChildTrace {
  /** From reading the message to entering the tenant's isolate (onRun, isolate lookup, checks). */
  toIsolateMs: number;
  /** The runner's job inside the isolate on this thread (`runNow`: parse, rules, formulas, answer). */
  runMs: number;
  /** Reading the answer out of the isolate (`take`). */
  takeMs: number;
  /** From reading the message to handing the answer to the channel. */
  totalMs: number;
}

export interface QueryResultMessage {
  t: 'queryResult';
  q: number;
  /** `{"ok":true,"items":[…]}` or `{"ok":false,"error":"…"}`, passed into the isolate as is. */
  answer: string;
}

/** Heartbeat: the child answers `pong` with the same `n` from its event loop. */
export interface PingMessage {
  t: 'ping';
  n: number;
}

/**
 * The parent's watchdog gave up on call `id` (its wall clock ran out and the child had not answered):
 * the child ends it if it still runs, by disposing the tenant's isolate.
 */
export interface StopMessage {
  t: 'stop';
  id: number;
}

export type ParentMessage = RunMessage | QueryResultMessage | PingMessage | StopMessage;

export type FailureKind = 'timeout' | 'memory' | 'aborted' | 'syntax' | 'internal';

export type ChildMessage =
  | { t: 'ready' }
  | { t: 'pong'; n: number }
  /** isolated-vm failed beyond repair in this tenant's isolate: the process is about to exit. */
  | { t: 'fatal'; tenant: string }
  /** Call `id`'s scripts start running now: its wall clock starts (compiling is done). */
  | { t: 'started'; id: number }
  /** The runner's JSON outcome (which may itself report a script error). */
  | { t: 'done'; id: number; out: string; trace?: ChildTrace }
  /** The call did not complete: `position` is the index of the unit running when it stopped. */
  | { t: 'fail'; id: number; kind: FailureKind; message: string; position?: number; name?: string }
  /** The child lacks these sources (it evicted them): send the call again with them. */
  | { t: 'missing'; id: number; keys: string[] }
  /**
   * Call `id`'s scripts have used `cpuMs` of CPU, past the run's `slowAfterCpuMs`. `moved`: the child
   * has ended the call (it was `movable`); the parent runs it again in the low-priority child.
   */
  | { t: 'slow'; id: number; cpuMs: number; moved: boolean }
  | { t: 'query'; id: number; q: number; object: string; filter: string; options: string };
