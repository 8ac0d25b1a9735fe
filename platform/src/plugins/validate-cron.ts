import cronParser from 'cron-parser';

/**
 * Checks a job's cron expression with the parser pg-boss itself schedules with, so a plugin with a
 * schedule pg-boss would reject fails at load time instead. Returns the problem, or null.
 */
export function validateCron(cron: unknown): string | null {
  if (typeof cron !== 'string' || !cron.trim()) return 'cron must be a non-empty string';
  if (cron.trim().split(/\s+/).length !== 5) return 'cron must have 5 fields (minute hour day month weekday)';
  try {
    cronParser.parseExpression(cron, { tz: 'UTC' });
    return null;
  } catch (e) {
    return `invalid cron expression: ${e instanceof Error ? e.message : String(e)}`;
  }
}
