/**
 * Form logic (`x-form-rules` of an object, docs/metadata.md): which fields are hidden, required or
 * read-only for a record's current values. The one evaluator of the records API's filter language
 * in memory: the record form runs it as the user types and the records engine runs it on every
 * write, so the browser and the server cannot disagree. Its answers follow the SQL the same filter
 * compiles to (runtime/src/records/compile-query.ts): `ne`/`nin` keep empty values, text
 * `contains`/`startsWith` ignore case, a multi-select matches `in` on any common choice.
 *
 * One difference, on purpose: an empty text or an empty list counts as no value (`isNull`), since a
 * cleared form input sends `""` where the database would store null.
 */
import { FILTER_OPERATORS } from './field-kinds';
import type { FormRule } from './generated/metadata-types';
import type { MetadataIssueCode } from './metadata-issue';

export type { FormRule };
export type FormRuleEffect = FormRule['effect'];
export type RecordValues = Readonly<Record<string, unknown>>;

export const FORM_RULE_EFFECTS: readonly FormRuleEffect[] = ['show', 'hide', 'require', 'readOnly'];

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

export function isEmptyValue(v: unknown): boolean {
  return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
}

/** Numbers compare as numbers (PostgreSQL's numeric comes back as text), anything else as text. */
function compare(a: unknown, b: unknown): number | undefined {
  if (isEmptyValue(a) || isEmptyValue(b)) return undefined;
  if (typeof a === 'boolean' || typeof b === 'boolean') return a === b ? 0 : undefined;
  const na = typeof a === 'number' ? a : typeof a === 'string' && a.trim() !== '' ? Number(a) : Number.NaN;
  const nb = typeof b === 'number' ? b : typeof b === 'string' && b.trim() !== '' ? Number(b) : Number.NaN;
  if ((typeof a === 'number' || typeof b === 'number') && Number.isFinite(na) && Number.isFinite(nb))
    return na === nb ? 0 : na < nb ? -1 : 1;
  const sa = String(a);
  const sb = String(b);
  return sa === sb ? 0 : sa < sb ? -1 : 1;
}

function same(a: unknown, b: unknown): boolean {
  return compare(a, b) === 0;
}

function test(value: unknown, op: string, arg: unknown): boolean {
  const multi = Array.isArray(value);
  switch (op) {
    case 'eq':
      return multi ? false : same(value, arg);
    case 'ne':
      return multi ? true : !same(value, arg);
    case 'gt':
      return (compare(value, arg) ?? 0) > 0;
    case 'gte':
      return compare(value, arg) !== undefined && (compare(value, arg) ?? -1) >= 0;
    case 'lt':
      return (compare(value, arg) ?? 0) < 0;
    case 'lte':
      return compare(value, arg) !== undefined && (compare(value, arg) ?? 1) <= 0;
    case 'in': {
      const list = Array.isArray(arg) ? arg : [];
      return multi ? value.some((v) => list.some((x) => same(v, x))) : list.some((x) => same(value, x));
    }
    case 'nin': {
      const list = Array.isArray(arg) ? arg : [];
      if (isEmptyValue(value)) return true;
      return multi ? !value.some((v) => list.some((x) => same(v, x))) : !list.some((x) => same(value, x));
    }
    case 'contains': {
      const wanted = Array.isArray(arg) ? arg : [arg];
      if (multi) return wanted.every((w) => value.some((v) => same(v, w)));
      if (isEmptyValue(value)) return false;
      const text = String(value).toLowerCase();
      return wanted.every((w) => text.includes(String(w).toLowerCase()));
    }
    case 'startsWith':
      return !isEmptyValue(value) && !multi && String(value).toLowerCase().startsWith(String(arg).toLowerCase());
    case 'isNull':
      return isEmptyValue(value) === (arg !== false);
    default:
      // Publishing refuses unknown operators; a stray one never matches rather than guessing.
      return false;
  }
}

/** Whether `record` matches `filter` (the records API's filter language over its own fields). */
export function matchesFilter(filter: unknown, record: RecordValues): boolean {
  if (!isObject(filter)) return false;
  return Object.entries(filter).every(([key, cond]) => {
    if (key === 'and') return Array.isArray(cond) && cond.every((f) => matchesFilter(f, record));
    if (key === 'or') return Array.isArray(cond) && cond.some((f) => matchesFilter(f, record));
    if (!isObject(cond)) return false;
    const value = record[key];
    return Object.entries(cond).every(([op, arg]) => test(value, op, arg));
  });
}

export interface FieldRuleState {
  hidden: boolean;
  required: boolean;
  readOnly: boolean;
  /** The rule that made the field required or read-only (its message names the reason). */
  requiredBy?: FormRule;
  readOnlyBy?: FormRule;
}

/**
 * The state of every field some rule names, for these values. A field with `show` rules is hidden
 * unless one of them holds; any `hide` rule that holds hides it. A hidden field is never required
 * (its value is cleared on save), so `require` only counts for shown fields.
 */
export function formRuleStates(
  rules: readonly FormRule[] | undefined,
  record: RecordValues,
): Map<string, FieldRuleState> {
  const out = new Map<string, FieldRuleState>();
  const shownBy = new Map<string, boolean>();
  const state = (f: string) => {
    let s = out.get(f);
    if (!s) {
      s = { hidden: false, required: false, readOnly: false };
      out.set(f, s);
    }
    return s;
  };
  for (const rule of rules ?? []) {
    const holds = matchesFilter(rule.when, record);
    for (const f of rule.fields) {
      const s = state(f);
      if (rule.effect === 'show') shownBy.set(f, (shownBy.get(f) ?? false) || holds);
      else if (rule.effect === 'hide' && holds) s.hidden = true;
      else if (rule.effect === 'require' && holds && !s.required) {
        s.required = true;
        s.requiredBy = rule;
      } else if (rule.effect === 'readOnly' && holds && !s.readOnly) {
        s.readOnly = true;
        s.readOnlyBy = rule;
      }
    }
  }
  for (const [f, shown] of shownBy) if (!shown) state(f).hidden = true;
  for (const s of out.values())
    if (s.hidden) {
      s.required = false;
      delete s.requiredBy;
    }
  return out;
}

const OP_WORDS: Record<string, string> = {
  eq: 'is',
  ne: 'is not',
  gt: '>',
  gte: '≥',
  lt: '<',
  lte: '≤',
  in: 'is one of',
  nin: 'is none of',
  contains: 'contains',
  startsWith: 'starts with',
};

/**
 * A condition in English words for server messages ("stage is lost"); `label` turns a field name
 * into its label. The browser writes its own words in the user's language.
 */
export function describeCondition(filter: unknown, label: (field: string) => string = (f) => f): string {
  if (!isObject(filter)) return '';
  const parts = Object.entries(filter).map(([key, cond]) => {
    if ((key === 'and' || key === 'or') && Array.isArray(cond)) {
      const inner = cond.map((f) => describeCondition(f, label)).filter(Boolean);
      return inner.length > 1 ? `(${inner.join(` ${key} `)})` : (inner[0] ?? '');
    }
    if (!isObject(cond)) return '';
    return Object.entries(cond)
      .map(([op, arg]) => {
        if (op === 'isNull') return `${label(key)} ${arg === false ? 'has a value' : 'is empty'}`;
        const shown = Array.isArray(arg) ? arg.join(', ') : String(arg);
        return `${label(key)} ${OP_WORDS[op] ?? op} ${shown}`;
      })
      .join(' and ');
  });
  const text = parts.filter(Boolean).join(' and ');
  return text.startsWith('(') && text.endsWith(')') && parts.length === 1 ? text.slice(1, -1) : text;
}

export interface FilterProblem {
  /** JSON pointer inside the filter. */
  at: string;
  message: string;
  /** Stable code (api.schema.json `metadataIssueCode`) and its facts, for clients that translate. */
  code?: MetadataIssueCode;
  params?: Record<string, string | number>;
}

/**
 * What keeps a filter from being a form-rule condition over `fields` (this object's field names):
 * an unknown field, a dotted path (rules test the record's own values, which the browser has
 * without asking the server), an unknown operator, a list where a value goes.
 */
export function formConditionProblems(filter: unknown, fields: ReadonlySet<string>, at = ''): FilterProblem[] {
  const out: FilterProblem[] = [];
  if (!isObject(filter)) return [{ at, message: 'A condition must be an object', code: 'condition_not_object' }];
  if (Object.keys(filter).length === 0) out.push({ at, message: 'The condition is empty', code: 'condition_empty' });
  for (const [key, cond] of Object.entries(filter)) {
    const here = `${at}/${key}`;
    if (key === 'and' || key === 'or') {
      if (!Array.isArray(cond))
        out.push({ at: here, message: `"${key}" takes a list of conditions`, code: 'condition_group_list' });
      else for (const [i, f] of cond.entries()) out.push(...formConditionProblems(f, fields, `${here}/${i}`));
      continue;
    }
    if (key.includes('.')) {
      out.push({
        at: here,
        message: `"${key}": a form rule tests this record's own fields, not a lookup's`,
        code: 'condition_lookup',
        params: { field: key },
      });
      continue;
    }
    if (!fields.has(key))
      out.push({
        at: here,
        message: `Unknown field "${key}" in the condition`,
        code: 'condition_unknown_field',
        params: { field: key },
      });
    if (!isObject(cond)) {
      out.push({
        at: here,
        message: `"${key}" needs {operator: value}`,
        code: 'condition_needs_operator',
        params: { field: key },
      });
      continue;
    }
    for (const [op, arg] of Object.entries(cond)) {
      if (!(FILTER_OPERATORS as readonly string[]).includes(op))
        out.push({
          at: `${here}/${op}`,
          message: `Unknown operator "${op}"`,
          code: 'condition_unknown_operator',
          params: { op },
        });
      else if ((op === 'in' || op === 'nin') !== Array.isArray(arg) && op !== 'contains')
        out.push({
          at: `${here}/${op}`,
          message: `"${op}" takes ${op === 'in' || op === 'nin' ? 'a list' : 'one value'}`,
          code: op === 'in' || op === 'nin' ? 'condition_takes_list' : 'condition_takes_one',
          params: { op },
        });
    }
  }
  return out;
}

/** Every `field: {op: value}` of a filter, through its and/or groups. */
export function conditionsOf(filter: unknown): [string, Record<string, unknown>][] {
  if (!isObject(filter)) return [];
  return Object.entries(filter).flatMap(([key, cond]): [string, Record<string, unknown>][] => {
    if ((key === 'and' || key === 'or') && Array.isArray(cond)) return cond.flatMap((f) => conditionsOf(f));
    return isObject(cond) ? [[key, cond]] : [];
  });
}

/** The fields a rule's condition reads. */
export function conditionFields(filter: unknown): string[] {
  return [...new Set(conditionsOf(filter).map(([f]) => f))];
}
