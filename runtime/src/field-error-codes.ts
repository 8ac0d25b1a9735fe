/**
 * Machine-readable field errors: `{code, params}` beside the English text of `fields`, so a client
 * can say the same thing in its user's language (the web app's `fieldErrors.*` locale keys). The
 * catalogue is closed: a client that meets an unknown code shows the English text.
 */
export type FieldErrorParams = Record<string, string | number | boolean | Array<string | number | boolean>>;

export interface FieldErrorCode {
  code: FieldErrorCodeName;
  params?: FieldErrorParams;
}

export type FieldErrorCodes = Record<string, FieldErrorCode>;

export type FieldErrorCodeName =
  | 'required'
  | 'unknown_field'
  | 'read_only'
  | 'system_field'
  | 'one_of'
  | 'min'
  | 'max'
  | 'greater_than'
  | 'less_than'
  | 'multiple_of'
  | 'min_length'
  | 'max_length'
  | 'pattern'
  | 'format'
  | 'type'
  | 'min_items'
  | 'max_items'
  | 'unique_items'
  | 'not_an_object'
  | 'no_such_record'
  | 'not_a_line_item'
  | 'script'
  | 'invalid';

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  null: 'empty',
};

const FORMAT_WORDS: Record<string, string> = {
  date: 'a date (YYYY-MM-DD)',
  'date-time': 'a date and time',
  email: 'an e-mail address',
  uri: 'a web address (https://…)',
  uuid: 'an id',
};

/** The English sentence of a code: plain words, never ajv's `must be >= 0`. */
export function fieldErrorText(e: FieldErrorCode): string {
  const p = e.params ?? {};
  switch (e.code) {
    case 'required':
      return 'Required';
    case 'unknown_field':
      return 'Unknown field';
    case 'read_only':
      return 'Read-only field';
    case 'system_field':
      return 'System field (read-only)';
    case 'one_of':
      return `Must be one of: ${(p.values as unknown[] | undefined)?.join(', ') ?? ''}`;
    case 'min':
      return `Must be at least ${p.limit}`;
    case 'max':
      return `Must be at most ${p.limit}`;
    case 'greater_than':
      return `Must be more than ${p.limit}`;
    case 'less_than':
      return `Must be less than ${p.limit}`;
    case 'multiple_of':
      return `Must be a multiple of ${p.limit}`;
    case 'min_length':
      return p.limit === 1 ? 'Must not be empty' : `Must be at least ${p.limit} characters`;
    case 'max_length':
      return `Must be at most ${p.limit} characters`;
    case 'pattern':
      return 'Not in the expected form';
    case 'format':
      return `Must be ${FORMAT_WORDS[String(p.format)] ?? `a valid ${p.format}`}`;
    case 'type':
      return `Must be ${TYPE_WORDS[String(p.type)] ?? p.type}`;
    case 'min_items':
      return `Choose at least ${p.limit}`;
    case 'max_items':
      return `Choose at most ${p.limit}`;
    case 'unique_items':
      return 'Each value may appear only once';
    case 'not_an_object':
      return 'Must be an object';
    case 'no_such_record':
      return 'No such record';
    case 'not_a_line_item':
      return 'Not a line item of this record';
    case 'script':
      return String(p.message ?? 'Invalid');
    default:
      return 'Invalid';
  }
}

/** One ajv error as a code: its keyword and the params a sentence needs. */
export function codeOfAjvError(e: { keyword: string; params: Record<string, unknown> }): FieldErrorCode {
  const p = e.params;
  const limit = p.limit as number;
  switch (e.keyword) {
    case 'required':
      return { code: 'required' };
    case 'additionalProperties':
      return { code: 'unknown_field' };
    case 'enum': {
      const values = ((p.allowedValues as unknown[] | undefined) ?? []).filter((v) => v !== null).map(String);
      return { code: 'one_of', params: { values } };
    }
    case 'minimum':
      return { code: 'min', params: { limit } };
    case 'maximum':
      return { code: 'max', params: { limit } };
    case 'exclusiveMinimum':
      return { code: 'greater_than', params: { limit } };
    case 'exclusiveMaximum':
      return { code: 'less_than', params: { limit } };
    case 'multipleOf':
      return { code: 'multiple_of', params: { limit: p.multipleOf as number } };
    case 'minLength':
      return { code: 'min_length', params: { limit } };
    case 'maxLength':
      return { code: 'max_length', params: { limit } };
    case 'pattern':
      return { code: 'pattern', params: { pattern: String(p.pattern) } };
    case 'format':
      return { code: 'format', params: { format: String(p.format) } };
    case 'type': {
      const t = Array.isArray(p.type) ? (p.type as string[]).filter((x) => x !== 'null')[0] : p.type;
      return { code: 'type', params: { type: String(t ?? 'string') } };
    }
    case 'minItems':
      return { code: 'min_items', params: { limit } };
    case 'maxItems':
      return { code: 'max_items', params: { limit } };
    case 'uniqueItems':
      return { code: 'unique_items' };
    default:
      return { code: 'invalid', params: { keyword: e.keyword } };
  }
}
