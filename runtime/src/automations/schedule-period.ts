import type { MetadataIssueCode } from '@forma/metadata';
import cronParser from 'cron-parser';
import { parseIsoDuration } from '../workflows/iso-duration';

export interface Period {
  /** Stable key of the period (`_automation_runs.period`): one run per rule, record and key. */
  key: string;
  /** When the period began. */
  start: Date;
}

const CRON_FIELDS = /^\S+(\s+\S+){4}$/;

/**
 * Why a schedule's `every` cannot be used, or undefined when it can: a five-field cron expression
 * (UTC), or an ISO-8601 duration of fixed length (weeks, days, hours, minutes; at least a minute,
 * because the sweep runs once a minute). Months and years vary in length, so periods of them would
 * not line up with a fixed grid: use cron for those.
 */
export function scheduleProblem(every: string): string | undefined {
  return scheduleIssue(every)?.message;
}

/** scheduleProblem's answer with a metadata issue code and its facts (the designer's words). */
export function scheduleIssue(
  every: string,
): { message: string; code: MetadataIssueCode; params: Record<string, string> } | undefined {
  const params = { every };
  if (every.startsWith('P')) {
    const d = parseIsoDuration(every);
    if (!d) return { message: `"${every}" is not an ISO-8601 duration`, code: 'schedule_bad_duration', params };
    if (d.years || d.months)
      return {
        message: 'durations of months or years vary in length: use a cron expression',
        code: 'schedule_months',
        params,
      };
    if (durationMs(every) < 60_000)
      return { message: 'schedules run at most once a minute', code: 'schedule_too_often', params };
    return undefined;
  }
  if (!CRON_FIELDS.test(every.trim()))
    return {
      message: `"${every}" is neither a five-field cron expression nor an ISO-8601 duration`,
      code: 'schedule_unknown_form',
      params,
    };
  try {
    cronParser.parseExpression(every, { utc: true });
    return undefined;
  } catch (e) {
    return {
      message: `"${every}" is not a valid cron expression: ${(e as Error).message}`,
      code: 'schedule_bad_cron',
      params,
    };
  }
}

/**
 * The period `now` falls in: for a duration, the slot of a fixed grid counted from the epoch (so every
 * server process agrees without coordination); for cron, the last firing at or before `now`.
 */
export function periodOf(every: string, now: Date): Period {
  if (every.startsWith('P')) {
    const ms = durationMs(every);
    const slot = Math.floor(now.getTime() / ms);
    return { key: `${every}#${slot}`, start: new Date(slot * ms) };
  }
  const it = cronParser.parseExpression(every, { utc: true, currentDate: new Date(now.getTime() + 1) });
  const start = it.prev().toDate();
  return { key: start.toISOString(), start };
}

function durationMs(every: string): number {
  const d = parseIsoDuration(every);
  if (!d) throw new Error(`Invalid duration ${every}`);
  return (
    (d.weeks ?? 0) * 604_800_000 +
    (d.days ?? 0) * 86_400_000 +
    (d.hours ?? 0) * 3_600_000 +
    (d.minutes ?? 0) * 60_000 +
    (d.seconds ?? 0) * 1_000
  );
}
