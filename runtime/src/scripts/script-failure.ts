import { type AppError, scriptFailed } from '../errors';
import type { ScriptLimits } from './scripts-config';
import type { FailureReason } from './script-types';

/** What ran at one position of a call: a named script, a formula of a field, or an expression. */
export interface UnitLabel {
  kind: 'script' | 'formula' | 'expression';
  name: string;
}

export function labelText(unit: UnitLabel): string {
  if (unit.kind === 'script') return `Script "${unit.name}"`;
  if (unit.kind === 'formula') return `The formula of field "${unit.name}"`;
  return `Expression \`${unit.name.length > 80 ? `${unit.name.slice(0, 80)}…` : unit.name}\``;
}

export interface FailureFacts {
  reason: FailureReason;
  /** The unit that failed, when known; otherwise every unit of the call is named. */
  unit?: UnitLabel | undefined;
  units: UnitLabel[];
  message?: string | undefined;
  line?: number | undefined;
  column?: number | undefined;
  logs?: string[] | undefined;
  limits: ScriptLimits;
  retryInMs?: number;
  /** For a timeout: how long the call took in the sandbox, from its turn to its answer. */
  elapsedMs?: number;
}

function subject(facts: FailureFacts): string {
  if (facts.unit) return labelText(facts.unit);
  const names = facts.units.map((u) => (u.kind === 'script' ? u.name : `${u.kind} ${u.name}`));
  return names.length === 1 && facts.units[0]
    ? labelText(facts.units[0])
    : `A script of this call (${names.join(', ')})`;
}

/** The 422 `SCRIPT_FAILED` for a failure: names the script and the reason, never host internals. */
export function scriptFailure(facts: FailureFacts): AppError {
  const who = subject(facts);
  const at = facts.line ? ` at line ${facts.line}${facts.column ? `, column ${facts.column}` : ''}` : '';
  let message: string;
  switch (facts.reason) {
    case 'error':
      message = `${who} failed${at}: ${facts.message ?? 'error'}`;
      break;
    case 'syntax':
      message = `${who} does not compile${at}: ${facts.message ?? 'syntax error'}`;
      break;
    case 'timeout':
      message = `${who} timed out after ${facts.limits.timeoutMs} ms`;
      break;
    case 'memory':
      message = `${who} ran out of memory (limit ${facts.limits.memoryMb} MB); the tenant's sandbox was reset`;
      break;
    case 'output':
      message = `${who} produced too much output: ${facts.message ?? ''}`;
      break;
    case 'aborted':
      message = `${who} was stopped: ${facts.message ?? 'the sandbox was reset'}`;
      break;
    case 'suspended':
      message = `Scripts of this tenant are suspended for ${Math.ceil((facts.retryInMs ?? 0) / 1000)} s after their scripts timed out, ran out of memory or crashed the sandbox`;
      break;
    default:
      message = `The script sandbox failed while running ${who.charAt(0).toLowerCase()}${who.slice(1)}; it was restarted`;
  }
  // The reason and these facts let a client say the message in its user's language.
  const details: Record<string, unknown> = { reason: facts.reason };
  if (facts.unit) {
    details.script = facts.unit.name;
    details.unitKind = facts.unit.kind;
  }
  if (facts.message && (facts.reason === 'error' || facts.reason === 'syntax')) details.error = facts.message;
  if (facts.reason === 'timeout') {
    details.timeoutMs = facts.limits.timeoutMs;
    // How close to its limit the runaway was stopped (the request around it is not counted).
    if (facts.elapsedMs !== undefined) details.elapsedMs = facts.elapsedMs;
  }
  if (facts.reason === 'memory') details.memoryMb = facts.limits.memoryMb;
  if (facts.reason === 'suspended') details.retryInSeconds = Math.ceil((facts.retryInMs ?? 0) / 1000);
  if (facts.line) details.line = facts.line;
  if (facts.column) details.column = facts.column;
  // A script's logs are its author's debugging aid: tenant admins (and the test runner) see them,
  // the user whose save failed gets the message.
  return scriptFailed(message, details, undefined, facts.logs?.length ? { logs: facts.logs } : undefined);
}
