import type { ErrorObject } from 'ajv';

/** One problem in a metadata document, located by a JSON pointer (`/objects/deal/properties/amount`). */
export interface MetadataIssue {
  path: string;
  message: string;
  /** A stable code a client translates (with `params`) instead of showing `message`, which is English. */
  code?: string;
  params?: Record<string, string | number>;
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
  const out = new Map<string, string>();
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
    if (e.keyword === 'required' && params.missingProperty) {
      path += pointer(params.missingProperty);
      message = 'is required';
    } else if (e.keyword === 'additionalProperties' && params.additionalProperty) {
      path += pointer(params.additionalProperty);
      message = params.additionalProperty.startsWith('x-')
        ? `unknown keyword "${params.additionalProperty}"`
        : `unknown property "${params.additionalProperty}"`;
    } else if (e.keyword === 'propertyNames' && params.propertyName !== undefined) {
      path += pointer(params.propertyName);
      message = 'is not a valid name: use lower-case letters, digits and _ , starting with a letter, at most 63';
    } else if (e.keyword === 'pattern' && e.propertyName !== undefined) {
      // The pattern error of a property name: reported once, by the propertyNames error.
      continue;
    } else if (e.keyword === 'enum' && params.allowedValues) {
      message = `must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    } else if (e.keyword === 'false schema') {
      // A property a conditional branch forbids (a line-item roll-up naming `via`, …).
      message = 'is not allowed in this form';
    } else if (e.keyword === 'anyOf') {
      message = 'matches none of the allowed forms';
    }
    if (!out.has(path || '/')) out.set(path || '/', message);
  }
  return [...out].map(([path, message]) => ({ path, message }));
}
