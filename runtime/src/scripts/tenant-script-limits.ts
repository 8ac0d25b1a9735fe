import type { Knex } from 'knex';
import { notFound, validationFailed } from '../errors';
import { PLATFORM_SCHEMA } from '../model/naming';
import type { ScriptLimits } from './scripts-config';

/**
 * The range an operator may set each limit to: the lower bounds are what can work at all, the upper
 * ones keep one tenant from taking the whole sandbox process (memory) or holding requests for long.
 */
export const SCRIPT_LIMIT_RANGES: Readonly<Record<keyof ScriptLimits, readonly [number, number]>> = {
  timeoutMs: [1, 30_000],
  memoryMb: [8, 1024],
  queryBudget: [0, 1000],
  maxQueryRows: [1, 500],
  maxQueryChars: [1000, 20_000_000],
  maxOutputChars: [1000, 20_000_000],
  maxLogLines: [0, 10_000],
  maxLogLineChars: [10, 100_000],
};

const KEYS = Object.keys(SCRIPT_LIMIT_RANGES) as (keyof ScriptLimits)[];

/** Checks limit overrides (from a request or the database); `fields` names every bad key. */
export function parseScriptLimits(value: unknown): { limits: Partial<ScriptLimits>; fields: Record<string, string> } {
  const limits: Partial<ScriptLimits> = {};
  const fields: Record<string, string> = {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { limits, fields: { _: 'must be an object of limits' } };
  }
  for (const [key, v] of Object.entries(value)) {
    const range = Object.hasOwn(SCRIPT_LIMIT_RANGES, key) ? SCRIPT_LIMIT_RANGES[key as keyof ScriptLimits] : undefined;
    if (!range) {
      fields[key.slice(0, 64)] = `unknown limit (${KEYS.join(', ')})`;
    } else if (!Number.isInteger(v) || (v as number) < range[0] || (v as number) > range[1]) {
      fields[key] = `must be an integer from ${range[0]} to ${range[1]}`;
    } else {
      limits[key as keyof ScriptLimits] = v as number;
    }
  }
  return { limits, fields };
}

/** Where per-tenant limit overrides are kept so every server process sees them. */
export interface TenantLimitsStore {
  read(tenant: string): Promise<Partial<ScriptLimits> | undefined>;
  write(tenant: string, limits: Partial<ScriptLimits>): Promise<void>;
}

/** Overrides kept in `settings.scripts` of the tenant's row in the platform schema. */
export function tenantSettingsLimitsStore(db: Knex): TenantLimitsStore {
  return {
    async read(tenant) {
      const row = await db
        .withSchema(PLATFORM_SCHEMA)
        .from('tenants')
        .where({ id: tenant })
        .first(db.raw('?? -> ? as limits', ['settings', 'scripts']));
      if (!row) throw notFound(`Tenant "${tenant}" not found`);
      if (!row.limits) return undefined;
      // Bad values (edited by hand) are dropped, never trusted: the defaults apply instead.
      return parseScriptLimits(row.limits).limits;
    },
    async write(tenant, limits) {
      const { fields } = parseScriptLimits(limits);
      if (Object.keys(fields).length) throw validationFailed('Invalid script limits', fields);
      const updated = await db
        .withSchema(PLATFORM_SCHEMA)
        .from('tenants')
        .where({ id: tenant })
        .update({
          settings: db.raw("jsonb_set(coalesce(??, '{}'::jsonb), '{scripts}', ?::jsonb)", [
            'settings',
            JSON.stringify(limits),
          ]),
        });
      if (!updated) throw notFound(`Tenant "${tenant}" not found`);
    },
  };
}
