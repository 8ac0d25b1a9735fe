/**
 * Metadata issues with a code and its facts beside the English words, so the designer can say them
 * in the admin's language (api.schema.json `metadataIssueCode`; a client without the code shows
 * `message`).
 */
import type { MetadataIssue, MetadataIssueCode } from '@forma/metadata';
import type { FieldErrorCode } from '../field-error-codes';
import type { CompileResult } from '../scripts';

export function codedIssue(
  path: string,
  message: string,
  code: MetadataIssueCode,
  params?: Record<string, string | number>,
): MetadataIssue {
  return { path, message, code, ...(params && Object.keys(params).length ? { params } : {}) };
}

/** Field error codes that read the same as a metadata issue (a value set by a rule must fit its field). */
const SAME_CODES = new Set<string>([
  'required',
  'one_of',
  'min',
  'max',
  'min_length',
  'max_length',
  'pattern',
  'format',
  'type',
  'min_items',
  'max_items',
  'unique_items',
  'unknown_field',
]);

/** A record validator's field error as an issue about the value a rule gives `field`. */
export function fieldValueIssue(path: string, message: string, field: string, e: FieldErrorCode): MetadataIssue {
  const params: Record<string, string | number> = { field };
  for (const [k, v] of Object.entries(e.params ?? {}))
    params[k] = Array.isArray(v) ? v.join(', ') : typeof v === 'boolean' ? String(v) : v;
  return codedIssue(path, message, SAME_CODES.has(e.code) ? (e.code as MetadataIssueCode) : 'invalid', params);
}

/**
 * A sandbox expression (trigger, condition edge, rule condition) that does not compile: the
 * compiler's first diagnostic with its place. The compiler's own sentence stays a fact (`error`):
 * it names the token, which reads the same in any language.
 */
export function expressionIssue(path: string, result: CompileResult, prefix = ''): MetadataIssue | undefined {
  if (result.ok) return undefined;
  const d = result.diagnostics[0];
  if (!d) return codedIssue(path, `${prefix}does not compile`, 'expression_invalid', { error: '', line: 1, column: 1 });
  return codedIssue(path, `${prefix}${d.message} (line ${d.line}, column ${d.column})`, 'expression_invalid', {
    error: d.message,
    line: d.line,
    column: d.column,
  });
}
