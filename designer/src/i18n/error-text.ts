import type { TFunction } from 'i18next';
import type { ApiError, FieldErrors } from '../api/api-error';

/** A field error as the server codes it (`details.fieldErrors[field]`) or as ajv in the browser does. */
export interface CodedFieldError {
  code: string;
  params?: Record<string, unknown> | undefined;
}

const FORMATS = new Set(['date', 'date-time', 'email', 'uri', 'uuid']);
const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object']);

/** ajv keyword (browser-side validation through rjsf) → the server's code, so both read the same. */
const KEYWORD_CODES: Record<string, string> = {
  required: 'required',
  additionalProperties: 'unknown_field',
  enum: 'one_of',
  minimum: 'min',
  maximum: 'max',
  exclusiveMinimum: 'greater_than',
  exclusiveMaximum: 'less_than',
  multipleOf: 'multiple_of',
  minLength: 'min_length',
  maxLength: 'max_length',
  pattern: 'pattern',
  format: 'format',
  type: 'type',
  minItems: 'min_items',
  maxItems: 'max_items',
  uniqueItems: 'unique_items',
};

/** ajv's error (`name` = keyword) as a code; undefined for keywords we have no words for. */
export function codeOfKeyword(keyword: string | undefined, params: unknown): CodedFieldError | undefined {
  const code = keyword ? KEYWORD_CODES[keyword] : undefined;
  if (!code) return undefined;
  const p = (params ?? {}) as Record<string, unknown>;
  if (code === 'one_of')
    return { code, params: { values: ((p.allowedValues as unknown[]) ?? []).filter((v) => v !== null) } };
  if (code === 'multiple_of') return { code, params: { limit: p.multipleOf } };
  if (code === 'type') {
    const type = Array.isArray(p.type) ? (p.type as string[]).find((x) => x !== 'null') : p.type;
    return { code, params: { type } };
  }
  return { code, params: p };
}

/**
 * The user's-language sentence of a coded field error, or undefined for a code this app does not
 * know (the caller then shows the server's English text). `enumLabel` turns allowed values into
 * the labels people see.
 */
export function fieldErrorText(
  t: TFunction,
  e: CodedFieldError,
  opts: { locale?: string; enumLabel?: (value: string) => string } = {},
): string | undefined {
  const p = e.params ?? {};
  const limit = typeof p.limit === 'number' ? p.limit.toLocaleString(opts.locale) : String(p.limit ?? '');
  switch (e.code) {
    case 'one_of': {
      const values = Array.isArray(p.values) ? p.values.map(String) : [];
      const sep = t('fieldErrors.listSeparator');
      return t('fieldErrors.one_of', { values: values.map((v) => opts.enumLabel?.(v) ?? v).join(sep) });
    }
    case 'min_length':
      return limit === '1' ? t('fieldErrors.not_empty') : t('fieldErrors.min_length', { limit });
    case 'format': {
      const f = String(p.format ?? '');
      return FORMATS.has(f)
        ? t(`fieldErrors.format_${f.replace('-', '_')}` as 'fieldErrors.format_date')
        : t('fieldErrors.format_other', { format: f });
    }
    case 'type': {
      const ty = String(p.type ?? '');
      return TYPES.has(ty) ? t(`fieldErrors.type_${ty}` as 'fieldErrors.type_string') : t('fieldErrors.invalid');
    }
    case 'script': {
      // A script author's own words; a translation may sit beside them under the locale's key.
      const own = opts.locale ? p[opts.locale] : undefined;
      return typeof own === 'string' && own ? own : typeof p.message === 'string' ? p.message : undefined;
    }
    case 'required':
    case 'unknown_field':
    case 'read_only':
    case 'system_field':
    case 'pattern':
    case 'unique_items':
    case 'not_an_object':
    case 'no_such_record':
    case 'not_a_line_item':
    case 'invalid':
      return t(`fieldErrors.${e.code}`);
    case 'min':
    case 'max':
    case 'greater_than':
    case 'less_than':
    case 'multiple_of':
    case 'max_length':
    case 'min_items':
    case 'max_items':
      return t(`fieldErrors.${e.code}`, { limit });
    default:
      return undefined;
  }
}

function codesOf(err: ApiError): Record<string, CodedFieldError> {
  const raw = err.details?.fieldErrors;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return {};
  const out: Record<string, CodedFieldError> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    const c = v as { code?: unknown; params?: unknown };
    if (c && typeof c.code === 'string')
      out[k] = {
        code: c.code,
        params: c.params && typeof c.params === 'object' ? (c.params as Record<string, unknown>) : undefined,
      };
  }
  return out;
}

/** The server's field errors in the user's language: coded ones translated, the rest as sent. */
export function translatedFieldErrors(
  t: TFunction,
  err: ApiError,
  opts: { locale?: string; enumLabel?: (field: string, value: string) => string } = {},
): FieldErrors | undefined {
  if (!err.fields) return undefined;
  const codes = codesOf(err);
  const out: FieldErrors = {};
  for (const [field, text] of Object.entries(err.fields)) {
    const c = codes[field];
    out[field] =
      (c &&
        fieldErrorText(t, c, {
          ...(opts.locale ? { locale: opts.locale } : {}),
          ...(opts.enumLabel ? { enumLabel: (v: string) => opts.enumLabel!(field, v) } : {}),
        })) ||
      text;
  }
  return out;
}

/** An error's message in the user's language where the server gave the facts (script failures). */
export function apiErrorText(t: TFunction, err: ApiError): string {
  if (err.code !== 'SCRIPT_FAILED' || !err.details) return err.message;
  const d = err.details;
  const reason = String(d.reason ?? '');
  const name = typeof d.script === 'string' ? d.script : undefined;
  const who = !name
    ? t('scriptErrors.unitOther')
    : d.unitKind === 'formula'
      ? t('scriptErrors.unitFormula', { name })
      : d.unitKind === 'expression'
        ? t('scriptErrors.unitExpression')
        : t('scriptErrors.unitScript', { name });
  const at = typeof d.line === 'number' ? t('scriptErrors.atLine', { line: d.line }) : '';
  const error = typeof d.error === 'string' ? d.error : '';
  switch (reason) {
    case 'error':
      return name ? t('scriptErrors.error', { who, at, error }) : err.message;
    case 'syntax':
      return t('scriptErrors.syntax', { who, at, error });
    case 'timeout':
      return t('scriptErrors.timeout', { who, ms: d.timeoutMs ?? '' });
    case 'memory':
      return t('scriptErrors.memory', { who, mb: d.memoryMb ?? '' });
    case 'suspended':
      return t('scriptErrors.suspended', { seconds: d.retryInSeconds ?? '' });
    case 'output':
    case 'aborted':
    case 'crash':
      return t('scriptErrors.stopped', { who });
    default:
      return err.message;
  }
}

/** A coded problem of a refused metadata document (`error.details.issues[]`, api.schema.json `metadataIssue`). */
export interface CodedIssue {
  message: string;
  code?: string | undefined;
  params?: Record<string, string | number> | undefined;
}

/**
 * A metadata issue in the user's language: a workflow graph code or a metadata code
 * (`MetadataIssueCode`) this app knows, with its facts; otherwise the server's English words.
 */
export function issueText(t: TFunction, exists: (key: string) => boolean, issue: CodedIssue): string {
  if (!issue.code) return issue.message;
  for (const section of ['workflowIssues', 'metaIssues']) {
    const key = `${section}.${issue.code}`;
    if (!exists(key)) continue;
    // Who still uses what a change removes (`via`: segment, view, …) has its own sentence where one exists.
    const by = issue.code === 'still_used' ? `stillUsedBy.${issue.params?.via}` : undefined;
    return t((by && exists(by) ? by : key) as 'metaIssues.required', issue.params ?? {});
  }
  return issue.message;
}
