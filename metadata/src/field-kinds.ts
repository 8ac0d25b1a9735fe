/**
 * The field-kind catalogue: the single source of truth, per kind, for how a kind is recognised from
 * a property schema, which keywords it accepts, the JSON Schema of its values, its PostgreSQL column,
 * its check constraint, its form widget and the filter operators it supports. Plugins add kinds with
 * `registerFieldKind`.
 */
import type { FieldDefinition } from './generated/metadata-types';

export const FILTER_OPERATORS = [
  'eq',
  'ne',
  'gt',
  'gte',
  'lt',
  'lte',
  'in',
  'nin',
  'contains',
  'startsWith',
  'isNull',
] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

/** A PostgreSQL column type, as data: the schema compiler renders and compares these. */
export type ColumnType =
  | { base: 'varchar'; length: number }
  | { base: 'text' }
  | { base: 'numeric'; precision: number; scale: number }
  | { base: 'bigint' }
  | { base: 'boolean' }
  | { base: 'date' }
  | { base: 'timestamptz' }
  | { base: 'uuid' }
  | { base: 'text[]' };

/** A database check constraint, as data (the schema compiler turns it into SQL). */
export type DbCheck =
  | { type: 'in'; values: readonly string[] }
  | { type: 'subset'; values: readonly string[] }
  | { type: 'match'; pattern: string; caseInsensitive?: boolean };

export type JsonSchema = Record<string, unknown>;

export interface FieldKind {
  name: string;
  label: string;
  /** Recognition order: higher first; the first kind whose `matches` is true wins. */
  priority: number;
  matches(field: FieldDefinition): boolean;
  /** Keywords this kind accepts besides the common ones (type, title, description, x-id, …). */
  keywords: readonly string[];
  /** Problems specific to the kind, each at a keyword of the field (or the field itself). */
  check?(field: FieldDefinition): KindIssue[];
  /** JSON Schema of a non-null value. */
  valueSchema(field: FieldDefinition): JsonSchema;
  /** The column, or null for virtual kinds (line items live in the child's table). */
  column(field: FieldDefinition): ColumnType | null;
  dbCheck?(field: FieldDefinition): DbCheck | null;
  widget: string;
  operators: readonly FilterOperator[];
  /** Computed by the platform (formula, autonumber, roll-up): never written by clients. */
  readOnly?: boolean;
  /**
   * Computed kinds whose value type is described by the rest of the definition (e.g. a formula's
   * `type`/`x-kind`): the keyword to strip to find that result kind.
   */
  resultKeyword?: keyof FieldDefinition;
  /** JSON Schemas of extra `x-` keywords a plugin kind introduces. */
  extraKeywords?: Record<string, JsonSchema>;
  /**
   * How the web app draws a plugin kind's `widget`, as data (the app runs no plugin code): the app
   * metadata (`GET /api/meta/app`) gives it on each field of the kind as `x-widget`.
   */
  widgetSpec?: WidgetSpec;
}

/** A widget the web app can draw from data alone. */
export type WidgetSpec = {
  /** A row of choices from `min` to `max` (scores, ratings); `low`/`high` caption the ends. */
  type: 'scale';
  min: number;
  max: number;
  low?: string;
  high?: string;
  /** The captions in other languages: `{"zh-CN": {"low": "…", "high": "…"}}`. */
  'x-i18n'?: Record<string, { low?: string; high?: string }>;
};

export interface KindIssue {
  keyword?: string;
  message: string;
}

/** Keywords every kind accepts. */
export const COMMON_KEYWORDS = ['type', 'title', 'description', 'x-id', 'x-renamed-from', 'x-i18n'] as const;

/** numeric(18, scale): the precision every decimal column uses. */
export const NUMERIC_PRECISION = 18;
/** Largest integer JSON clients can round-trip exactly; bigint columns hold more, clients cannot. */
const SAFE_INTEGER = Number.MAX_SAFE_INTEGER;
/** Text without maxLength is a `text` column; values are still capped so one field cannot eat a row. */
const TEXT_VALUE_CAP = 100_000;

const TEXT_OPS: readonly FilterOperator[] = [
  'eq',
  'ne',
  'gt',
  'gte',
  'lt',
  'lte',
  'in',
  'nin',
  'contains',
  'startsWith',
  'isNull',
];
const LONG_TEXT_OPS: readonly FilterOperator[] = ['contains', 'startsWith', 'isNull'];
const ORDERED_OPS: readonly FilterOperator[] = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'isNull'];
const CHOICE_OPS: readonly FilterOperator[] = ['eq', 'ne', 'in', 'nin', 'isNull'];
const MULTI_OPS: readonly FilterOperator[] = ['contains', 'in', 'isNull'];
const BOOLEAN_OPS: readonly FilterOperator[] = ['eq', 'ne', 'isNull'];

function stringSchema(f: FieldDefinition, extra: JsonSchema = {}): JsonSchema {
  return {
    type: 'string',
    maxLength: f.maxLength ?? TEXT_VALUE_CAP,
    ...(f.minLength !== undefined ? { minLength: f.minLength } : {}),
    ...(f.pattern !== undefined ? { pattern: f.pattern } : {}),
    ...extra,
  };
}

function textColumn(f: FieldDefinition): ColumnType {
  return f.maxLength !== undefined ? { base: 'varchar', length: f.maxLength } : { base: 'text' };
}

function lengthIssues(f: FieldDefinition): KindIssue[] {
  if (f.minLength !== undefined && f.maxLength !== undefined && f.minLength > f.maxLength)
    return [{ keyword: 'minLength', message: 'must not exceed maxLength' }];
  return [];
}

export function scaleOf(f: FieldDefinition, fallback: number): number {
  return f['x-scale'] ?? fallback;
}

function numericSchema(f: FieldDefinition, scale: number): JsonSchema {
  // Values must fit numeric(18, scale), so the database never has to refuse one.
  const limit = 10 ** (NUMERIC_PRECISION - scale);
  return {
    type: 'number',
    exclusiveMaximum: Math.min(limit, f.exclusiveMaximum ?? Number.POSITIVE_INFINITY),
    exclusiveMinimum: Math.max(-limit, f.exclusiveMinimum ?? Number.NEGATIVE_INFINITY),
    ...(f.minimum !== undefined ? { minimum: f.minimum } : {}),
    ...(f.maximum !== undefined ? { maximum: f.maximum } : {}),
  };
}

function rangeIssues(f: FieldDefinition): KindIssue[] {
  if (f.minimum !== undefined && f.maximum !== undefined && f.minimum > f.maximum)
    return [{ keyword: 'minimum', message: 'must not exceed maximum' }];
  return [];
}

function requireType(f: FieldDefinition, type: FieldDefinition['type'], what: string): KindIssue[] {
  return f.type === type ? [] : [{ keyword: 'type', message: `${what} fields must have type "${type}"` }];
}

const NUMBER_KEYWORDS = [
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'default',
  'x-scale',
  'x-index',
  'x-unique',
  'x-default-from',
] as const;

function decimalKind(name: string, label: string, xKind: string | undefined, scale: number): FieldKind {
  return {
    name,
    label,
    priority: xKind ? 50 : 0,
    matches: (f) => f.type === 'number' && f['x-kind'] === xKind,
    keywords: xKind ? [...NUMBER_KEYWORDS, 'x-kind'] : NUMBER_KEYWORDS,
    check: rangeIssues,
    valueSchema: (f) => numericSchema(f, scaleOf(f, scale)),
    column: (f) => ({ base: 'numeric', precision: NUMERIC_PRECISION, scale: scaleOf(f, scale) }),
    widget: name,
    operators: ORDERED_OPS,
  };
}

/** Default decimal places per kind (overridable with `x-scale`). */
export const DEFAULT_SCALE = { number: 6, currency: 2, percent: 2 } as const;

const EMAIL_CHECK = '^[^@[:space:]]+@[^@[:space:]]+$';
const URL_CHECK = '^[a-z][a-z0-9+.-]*:[^[:space:]]+$';

const builtIns: FieldKind[] = [
  {
    name: 'children',
    label: 'Line items',
    priority: 100,
    matches: (f) => f['x-children'] !== undefined,
    keywords: ['x-children', 'minItems', 'maxItems'],
    check: (f) => requireType(f, 'array', 'Line-item'),
    valueSchema: (f) => ({
      type: 'array',
      items: { type: 'object' },
      maxItems: f.maxItems ?? 1000,
      ...(f.minItems !== undefined ? { minItems: f.minItems } : {}),
    }),
    column: () => null,
    widget: 'line-items',
    operators: [],
  },
  {
    name: 'rollup',
    label: 'Roll-up',
    priority: 90,
    matches: (f) => f['x-rollup'] !== undefined,
    keywords: ['x-rollup', 'x-kind', 'x-scale', 'x-index', 'format'],
    check: (f) => {
      const op = f['x-rollup']?.op;
      // The earliest / latest of the children's dates (last purchase): stored as that date.
      const temporal = f.type === 'string' && (f.format === 'date' || f.format === 'date-time');
      if (temporal && op !== 'min' && op !== 'max')
        return [{ keyword: 'type', message: `A "${op}" roll-up must have type "number" or "integer"` }];
      if (f.type !== 'number' && f.type !== 'integer' && !temporal)
        return [
          {
            keyword: 'type',
            message:
              'Roll-up fields must have type "number" or "integer" (or type "string" with format "date" or "date-time" for min/max of dates)',
          },
        ];
      if ((op === 'count' || op === 'count_distinct') && f.type !== 'integer')
        return [{ keyword: 'type', message: `A ${op} roll-up must have type "integer"` }];
      if (f['x-rollup']?.op === 'avg' && f.type !== 'number')
        return [{ keyword: 'type', message: 'An average roll-up must have type "number"' }];
      if (op !== 'count' && !f['x-rollup']?.field)
        return [{ keyword: 'x-rollup', message: `"${f['x-rollup']?.op}" needs the child field to aggregate` }];
      return [];
    },
    valueSchema: () => ({}),
    column: () => null,
    widget: 'readonly',
    operators: [],
    readOnly: true,
    resultKeyword: 'x-rollup',
  },
  {
    name: 'formula',
    label: 'Formula',
    priority: 80,
    matches: (f) => f['x-formula'] !== undefined,
    keywords: ['x-formula', 'x-kind', 'x-scale', 'format', 'maxLength', 'x-index'],
    check: (f) => (f.type === 'array' ? [{ keyword: 'type', message: 'Formula fields cannot have type "array"' }] : []),
    valueSchema: () => ({}),
    column: () => null,
    widget: 'readonly',
    operators: [],
    readOnly: true,
    resultKeyword: 'x-formula',
  },
  {
    // Written set-based by a platform job (RFM scores), never by a save: read-only like a formula,
    // holding what the rest of its definition describes (so a select keeps its labels).
    name: 'computed',
    label: 'Computed by the platform',
    priority: 75,
    matches: (f) => f['x-computed'] !== undefined,
    keywords: ['x-computed', 'x-kind', 'format', 'enum', 'x-enum-labels', 'minimum', 'maximum', 'x-index'],
    valueSchema: () => ({}),
    column: () => null,
    widget: 'readonly',
    operators: [],
    readOnly: true,
    resultKeyword: 'x-computed',
  },
  {
    name: 'autonumber',
    label: 'Autonumber',
    priority: 70,
    matches: (f) => f['x-autonumber'] !== undefined,
    keywords: ['x-autonumber', 'x-index'],
    check: (f) => requireType(f, 'string', 'Autonumber'),
    valueSchema: () => ({ type: 'string', maxLength: 200 }),
    column: () => ({ base: 'text' }),
    widget: 'readonly',
    operators: TEXT_OPS,
    readOnly: true,
  },
  {
    name: 'lookup',
    label: 'Lookup',
    priority: 60,
    matches: (f) => f['x-ref'] !== undefined,
    keywords: ['x-ref', 'x-lookup-filter', 'format', 'x-index', 'default'],
    check: (f) => [
      ...requireType(f, 'string', 'Lookup'),
      ...(f.format !== undefined && f.format !== 'uuid'
        ? [{ keyword: 'format', message: 'Lookup fields have format "uuid"' }]
        : []),
    ],
    valueSchema: () => ({ type: 'string', format: 'uuid' }),
    column: () => ({ base: 'uuid' }),
    widget: 'lookup',
    operators: CHOICE_OPS,
  },
  {
    name: 'textarea',
    label: 'Long text',
    priority: 50,
    matches: (f) => f['x-kind'] === 'textarea',
    keywords: ['x-kind', 'maxLength', 'minLength', 'default'],
    check: (f) => [...requireType(f, 'string', 'Textarea'), ...lengthIssues(f)],
    valueSchema: (f) => stringSchema(f),
    column: textColumn,
    widget: 'textarea',
    operators: LONG_TEXT_OPS,
  },
  decimalKind('currency', 'Currency', 'currency', DEFAULT_SCALE.currency),
  decimalKind('percent', 'Percent', 'percent', DEFAULT_SCALE.percent),
  {
    name: 'multiselect',
    label: 'Multi-select',
    priority: 40,
    matches: (f) => f.type === 'array' && f.items !== undefined,
    keywords: ['items', 'minItems', 'maxItems', 'uniqueItems', 'default', 'x-enum-labels', 'x-enum-retired', 'x-index'],
    check: (f) =>
      f.uniqueItems === false ? [{ keyword: 'uniqueItems', message: 'Multi-select values are always unique' }] : [],
    valueSchema: (f) => ({
      type: 'array',
      uniqueItems: true,
      items: { type: 'string', enum: [...(f.items?.enum ?? [])] },
      ...(f.minItems !== undefined ? { minItems: f.minItems } : {}),
      ...(f.maxItems !== undefined ? { maxItems: f.maxItems } : {}),
    }),
    column: () => ({ base: 'text[]' }),
    dbCheck: (f) => ({ type: 'subset', values: f.items?.enum ?? [] }),
    widget: 'multiselect',
    operators: MULTI_OPS,
  },
  {
    name: 'select',
    label: 'Select',
    priority: 30,
    matches: (f) => f.type === 'string' && f.enum !== undefined,
    keywords: ['enum', 'default', 'x-enum-labels', 'x-enum-retired', 'x-index'],
    valueSchema: (f) => ({ type: 'string', enum: [...(f.enum ?? [])] }),
    column: () => ({ base: 'text' }),
    dbCheck: (f) => ({ type: 'in', values: f.enum ?? [] }),
    widget: 'select',
    operators: CHOICE_OPS,
  },
  {
    name: 'email',
    label: 'E-mail',
    priority: 20,
    matches: (f) => f.type === 'string' && f.format === 'email',
    keywords: ['format', 'maxLength', 'default', 'x-unique', 'x-index'],
    valueSchema: (f) => ({ type: 'string', format: 'email', maxLength: Math.min(f.maxLength ?? 320, 320) }),
    column: () => ({ base: 'text' }),
    dbCheck: () => ({ type: 'match', pattern: EMAIL_CHECK }),
    widget: 'email',
    operators: TEXT_OPS,
  },
  {
    name: 'url',
    label: 'URL',
    priority: 20,
    matches: (f) => f.type === 'string' && f.format === 'uri',
    keywords: ['format', 'maxLength', 'default', 'x-index'],
    valueSchema: (f) => ({ type: 'string', format: 'uri', maxLength: Math.min(f.maxLength ?? 2048, 2048) }),
    column: () => ({ base: 'text' }),
    dbCheck: () => ({ type: 'match', pattern: URL_CHECK, caseInsensitive: true }),
    widget: 'url',
    operators: TEXT_OPS,
  },
  {
    name: 'date',
    label: 'Date',
    priority: 20,
    matches: (f) => f.type === 'string' && f.format === 'date',
    keywords: ['format', 'default', 'x-index', 'x-unique'],
    valueSchema: () => ({ type: 'string', format: 'date' }),
    column: () => ({ base: 'date' }),
    widget: 'date',
    operators: ORDERED_OPS,
  },
  {
    name: 'datetime',
    label: 'Date and time',
    priority: 20,
    matches: (f) => f.type === 'string' && f.format === 'date-time',
    keywords: ['format', 'default', 'x-index', 'x-unique'],
    valueSchema: () => ({ type: 'string', format: 'date-time' }),
    column: () => ({ base: 'timestamptz' }),
    widget: 'datetime',
    operators: ORDERED_OPS,
  },
  {
    name: 'text',
    label: 'Text',
    priority: 0,
    matches: (f) => f.type === 'string' && f.format === undefined && f['x-kind'] === undefined,
    keywords: ['maxLength', 'minLength', 'pattern', 'default', 'x-unique', 'x-index'],
    check: lengthIssues,
    valueSchema: (f) => stringSchema(f),
    column: textColumn,
    widget: 'text',
    operators: TEXT_OPS,
  },
  decimalKind('number', 'Number', undefined, DEFAULT_SCALE.number),
  {
    name: 'integer',
    label: 'Integer',
    priority: 0,
    matches: (f) => f.type === 'integer' && f['x-kind'] === undefined,
    keywords: [
      'minimum',
      'maximum',
      'exclusiveMinimum',
      'exclusiveMaximum',
      'default',
      'x-index',
      'x-unique',
      'x-default-from',
    ],
    check: rangeIssues,
    valueSchema: (f) => ({
      type: 'integer',
      minimum: Math.max(-SAFE_INTEGER, f.minimum ?? -SAFE_INTEGER),
      maximum: Math.min(SAFE_INTEGER, f.maximum ?? SAFE_INTEGER),
      ...(f.exclusiveMinimum !== undefined ? { exclusiveMinimum: f.exclusiveMinimum } : {}),
      ...(f.exclusiveMaximum !== undefined ? { exclusiveMaximum: f.exclusiveMaximum } : {}),
    }),
    column: () => ({ base: 'bigint' }),
    widget: 'integer',
    operators: ORDERED_OPS,
  },
  {
    name: 'boolean',
    label: 'Checkbox',
    priority: 0,
    matches: (f) => f.type === 'boolean' && f['x-kind'] === undefined,
    keywords: ['default', 'x-index'],
    valueSchema: () => ({ type: 'boolean' }),
    column: () => ({ base: 'boolean' }),
    widget: 'checkbox',
    operators: BOOLEAN_OPS,
  },
];

const registry = new Map<string, FieldKind>();
let ordered: FieldKind[] = [];
let revision = 0;

function reorder(): void {
  ordered = [...registry.values()].sort((a, b) => b.priority - a.priority);
  revision += 1;
}

for (const k of builtIns) registry.set(k.name, k);
reorder();

/**
 * Adds a field kind (plugins). A kind that reuses a built-in name replaces it. Kinds refined by
 * `x-kind` should match on it and use a priority around 50 so they win over the plain JSON types.
 */
export function registerFieldKind(kind: FieldKind): () => void {
  const previous = registry.get(kind.name);
  registry.set(kind.name, kind);
  reorder();
  return () => {
    if (registry.get(kind.name) !== kind) return;
    if (previous) registry.set(kind.name, previous);
    else registry.delete(kind.name);
    reorder();
  };
}

export function fieldKinds(): readonly FieldKind[] {
  return ordered;
}

export function getFieldKind(name: string): FieldKind | undefined {
  return registry.get(name);
}

/** Changes whenever a kind is registered, so caches built over the catalogue can tell. */
export function fieldKindsRevision(): number {
  return revision;
}

/** The kind a property schema describes, or undefined when none matches. */
export function kindOf(field: FieldDefinition): FieldKind | undefined {
  return ordered.find((k) => k.matches(field));
}

/** Everything the platform derives from a field definition, with computed kinds resolved. */
export interface FieldDescription {
  kind: FieldKind;
  /** For formulas and roll-ups: the kind of the value they compute; otherwise the kind itself. */
  resultKind: FieldKind;
  valueSchema: JsonSchema;
  column: ColumnType | null;
  dbCheck: DbCheck | null;
  widget: string;
  operators: readonly FilterOperator[];
  readOnly: boolean;
}

/** Resolves a field definition through the catalogue; undefined when no kind matches. */
export function describeField(field: FieldDefinition): FieldDescription | undefined {
  const kind = kindOf(field);
  if (!kind) return undefined;
  let resultKind = kind;
  let resultField = field;
  if (kind.resultKeyword) {
    const { [kind.resultKeyword]: _computed, ...rest } = field;
    resultField = rest as FieldDefinition;
    const inner = kindOf(resultField);
    if (!inner || inner.resultKeyword || inner.column(resultField) === null) return undefined;
    resultKind = inner;
  }
  return {
    kind,
    resultKind,
    valueSchema: resultKind.valueSchema(resultField),
    column: resultKind.column(resultField),
    // Computed values are produced by the platform: a check could only ever reject its own output.
    dbCheck: kind.readOnly ? null : (resultKind.dbCheck?.(resultField) ?? null),
    widget: kind.widget,
    operators: resultKind.operators,
    readOnly: Boolean(kind.readOnly),
  };
}

/** `varchar(200)`, `numeric(18,2)`, …: the SQL spelling of a column type (closed set, safe to embed). */
export function columnTypeSql(t: ColumnType): string {
  switch (t.base) {
    case 'varchar':
      return `varchar(${Math.trunc(t.length)})`;
    case 'numeric':
      return `numeric(${Math.trunc(t.precision)},${Math.trunc(t.scale)})`;
    default:
      return t.base;
  }
}
