import type { ErrorObject } from 'ajv';
import type { MetadataIssueCode } from './generated/api-types';

export type { MetadataIssueCode };

/** One problem in a metadata document, located by a JSON pointer (`/objects/deal/properties/amount`). */
export interface MetadataIssue {
  path: string;
  message: string;
  /** A stable code a client translates (with `params`) instead of showing `message`, which is English. */
  code?: string;
  params?: Record<string, string | number>;
}

/** ajv keywords whose sentence a client can say from the keyword's limit alone. */
const LIMIT_CODES: Record<string, MetadataIssueCode> = {
  minimum: 'min',
  maximum: 'max',
  minLength: 'min_length',
  maxLength: 'max_length',
  minItems: 'min_items',
  maxItems: 'max_items',
};

/** The code and facts of an ajv error that has no special sentence of ours. */
function keywordCode(e: ErrorObject): Pick<MetadataIssue, 'code' | 'params'> {
  const p = e.params as Record<string, unknown>;
  const limit = LIMIT_CODES[e.keyword];
  if (limit && typeof p.limit === 'number') return { code: limit, params: { limit: p.limit } };
  if (e.keyword === 'pattern') return { code: 'pattern' };
  if (e.keyword === 'format') return { code: 'format', params: { format: String(p.format ?? '') } };
  if (e.keyword === 'type') return { code: 'type', params: { type: String(p.type ?? '') } };
  if (e.keyword === 'uniqueItems') return { code: 'unique_items' };
  return { code: 'invalid' };
}

/** JSON pointer escaping of one path segment (RFC 6901). */
export function pointerSegment(segment: string | number): string {
  return String(segment).replaceAll('~', '~0').replaceAll('/', '~1');
}

export function pointer(...segments: Array<string | number>): string {
  return segments.map((s) => `/${pointerSegment(s)}`).join('');
}

/**
 * Turns ajv errors into issues that point at the offending keyword or property, with one message
 * per path. `anyOf` branches are collapsed into a single "matches none of the allowed forms".
 */
export function issuesFromAjv(errors: readonly ErrorObject[] | null | undefined, base = ''): MetadataIssue[] {
  if (!errors?.length) return [];
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  const out = new Map<string, Omit<MetadataIssue, 'path'>>();
  for (const e of errors) {
    // "must match then/else schema" says nothing the branch's own errors do not say better.
    if (e.keyword === 'if') continue;
    if (e.keyword !== 'anyOf' && anyOfPaths.has(e.instancePath) && e.schemaPath.includes('/anyOf/')) continue;
    if (e.keyword !== 'anyOf' && [...anyOfPaths].some((p) => e.instancePath.startsWith(`${p}/`))) continue;
    const params = e.params as {
      missingProperty?: string;
      additionalProperty?: string;
      propertyName?: string;
      allowedValues?: unknown[];
    };
    let path = base + e.instancePath;
    let message = e.message ?? 'is not valid';
    let coded: Pick<MetadataIssue, 'code' | 'params'>;
    if (e.keyword === 'required' && params.missingProperty) {
      path += pointer(params.missingProperty);
      message = 'is required';
      coded = { code: 'required', params: { name: params.missingProperty } };
    } else if (e.keyword === 'additionalProperties' && params.additionalProperty) {
      path += pointer(params.additionalProperty);
      const keyword = params.additionalProperty.startsWith('x-');
      message = keyword
        ? `unknown keyword "${params.additionalProperty}"`
        : `unknown property "${params.additionalProperty}"`;
      coded = { code: keyword ? 'unknown_keyword' : 'unknown_property', params: { name: params.additionalProperty } };
    } else if (e.keyword === 'propertyNames' && params.propertyName !== undefined) {
      path += pointer(params.propertyName);
      message = 'is not a valid name: use lower-case letters, digits and _ , starting with a letter, at most 63';
      coded = { code: 'bad_name', params: { name: params.propertyName } };
    } else if (e.keyword === 'pattern' && e.propertyName !== undefined) {
      // The pattern error of a property name: reported once, by the propertyNames error.
      continue;
    } else if (e.keyword === 'enum' && params.allowedValues) {
      message = `must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
      coded = { code: 'one_of', params: { values: params.allowedValues.map((v) => String(v)).join(', ') } };
    } else if (e.keyword === 'false schema') {
      // A property a conditional branch forbids (a line-item roll-up naming `via`, …).
      message = 'is not allowed in this form';
      coded = { code: 'not_allowed' };
    } else if (e.keyword === 'anyOf') {
      message = 'matches none of the allowed forms';
      coded = { code: 'no_form' };
    } else coded = keywordCode(e);
    if (!out.has(path || '/')) out.set(path || '/', { message, ...coded });
  }
  return [...out].map(([path, issue]) => ({ path, ...issue }));
}
