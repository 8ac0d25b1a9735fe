import { isAppError } from '../errors';
import type { Logger } from '../logger';
import { isIdentifier } from '../model/naming';
import type { ScriptLimits } from './scripts-config';
import type { AdjustSpec, QueryOptions, ScriptHost } from './script-types';

const DEFAULT_LIMIT = 50;
const SORT = /^-?[a-z][a-z0-9_]{0,62}(\.[a-z][a-z0-9_]{0,62})?(,-?[a-z][a-z0-9_]{0,62}(\.[a-z][a-z0-9_]{0,62})?){0,9}$/;

function parseJson(text: unknown): unknown {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function parseOptions(raw: unknown, maxRows: number): QueryOptions | string {
  if (!isPlainObject(raw)) return 'options must be an object';
  const out: QueryOptions = { limit: DEFAULT_LIMIT };
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'sort') {
      if (value === undefined || value === null) continue;
      if (typeof value !== 'string' || !SORT.test(value)) return 'sort must look like "-amount,name"';
      out.sort = value;
    } else if (key === 'limit') {
      if (value === undefined || value === null) continue;
      if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > maxRows) {
        return `limit must be an integer from 1 to ${maxRows}`;
      }
      out.limit = value as number;
    } else if (key === 'adjust') {
      const a = parseAdjust(value);
      if (typeof a === 'string') return a;
      out.adjust = a;
    } else {
      return `unknown option "${key.slice(0, 40)}" (sort, limit)`;
    }
  }
  return out;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function parseAdjust(raw: unknown): AdjustSpec | string {
  if (!isPlainObject(raw)) return 'adjust(): invalid arguments';
  const { field, by, min, max, ...rest } = raw;
  if (Object.keys(rest).length) return 'adjust(): bounds are {min?, max?}';
  if (typeof field !== 'string' || !isIdentifier(field)) return 'adjust(): field must be a field name';
  if (!finite(by)) return 'adjust(): by must be a finite number';
  if (min !== undefined && !finite(min)) return 'adjust(): min must be a number';
  if (max !== undefined && !finite(max)) return 'adjust(): max must be a number';
  return { field, by, ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
}

/**
 * Answers a script's `query()` through the caller's host, as the JSON text the sandbox reads. The
 * arguments come from the sandbox and are treated as untrusted; refusals are answers, not throws, so
 * the script gets a clear error it may catch.
 */
export async function answerQuery(
  host: ScriptHost | undefined,
  limits: ScriptLimits,
  object: unknown,
  filterJson: unknown,
  optionsJson: unknown,
  logger: Logger,
): Promise<string> {
  const label = typeof object === 'string' && isIdentifier(object) ? object : '?';
  const refuse = (why: string) => JSON.stringify({ ok: false, error: `query('${label}'): ${why}` });
  if (label === '?') return refuse('the object must be an object name');
  const filter = parseJson(filterJson);
  if (!isPlainObject(filter)) return refuse('the filter must be an object such as {"stage":{"eq":"won"}}');
  const options = parseOptions(parseJson(optionsJson), limits.maxQueryRows);
  if (typeof options === 'string') return refuse(options);
  if (!host) return refuse('queries are not available here');
  if (options.adjust) {
    const id = (filter.id as { eq?: unknown } | undefined)?.eq;
    if (typeof id !== 'string') return refuse('adjust(): id must be a record id');
    if (!host.adjust) return JSON.stringify({ ok: false, error: `adjust('${label}'): not available here` });
    try {
      return JSON.stringify({ ok: true, items: [await host.adjust(label, id, options.adjust)] });
    } catch (e) {
      if (isAppError(e)) return JSON.stringify({ ok: false, error: `adjust('${label}'): ${e.message}` });
      logger.error({ err: e, object: label }, 'script adjust failed');
      return JSON.stringify({ ok: false, error: `adjust('${label}'): the change failed` });
    }
  }
  try {
    const items = await host.query(label, filter, options);
    if (!Array.isArray(items)) throw new Error('The script host answered a query with something else than a list');
    const text = JSON.stringify({ ok: true, items });
    if (text.length > limits.maxQueryChars) {
      return refuse(`the result is larger than ${limits.maxQueryChars} characters: ask for fewer records`);
    }
    return text;
  } catch (e) {
    if (isAppError(e)) return refuse(e.message);
    logger.error({ err: e, object: label }, 'script query failed');
    return refuse('the query failed');
  }
}
