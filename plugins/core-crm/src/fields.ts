/**
 * Small builders for field definitions, so every field carries its English and Simplified Chinese
 * label (`x-i18n`) and the object files read like a data dictionary.
 */
export type Field = Record<string, unknown>;
export type Choice = readonly [value: string, label: string, zh: string];

const i18n = (zh: string, extra: Record<string, unknown> = {}) => ({ 'x-i18n': { 'zh-CN': { title: zh, ...extra } } });

export const text = (title: string, zh: string, maxLength = 200, extra: Field = {}): Field => ({
  type: 'string',
  title,
  maxLength,
  ...i18n(zh),
  ...extra,
});

export const textarea = (title: string, zh: string, maxLength = 4000): Field => ({
  type: 'string',
  'x-kind': 'textarea',
  title,
  maxLength,
  ...i18n(zh),
});

export const email = (title: string, zh: string): Field => ({
  type: 'string',
  format: 'email',
  title,
  maxLength: 200,
  ...i18n(zh),
});
export const url = (title: string, zh: string): Field => ({
  type: 'string',
  format: 'uri',
  title,
  maxLength: 500,
  ...i18n(zh),
});
export const date = (title: string, zh: string, extra: Field = {}): Field => ({
  type: 'string',
  format: 'date',
  title,
  ...i18n(zh),
  ...extra,
});
export const datetime = (title: string, zh: string, extra: Field = {}): Field => ({
  type: 'string',
  format: 'date-time',
  title,
  ...i18n(zh),
  ...extra,
});

export const select = (title: string, zh: string, choices: readonly Choice[], extra: Field = {}): Field => ({
  type: 'string',
  title,
  enum: choices.map((c) => c[0]),
  'x-enum-labels': Object.fromEntries(choices.map((c) => [c[0], c[1]])),
  ...i18n(zh, { enum: Object.fromEntries(choices.map((c) => [c[0], c[2]])) }),
  ...extra,
});

export const money = (title: string, zh: string, extra: Field = {}): Field => ({
  type: 'number',
  'x-kind': 'currency',
  title,
  ...i18n(zh),
  ...extra,
});
export const percent = (title: string, zh: string, extra: Field = {}): Field => ({
  type: 'number',
  'x-kind': 'percent',
  title,
  ...i18n(zh),
  ...extra,
});
export const number = (title: string, zh: string, extra: Field = {}): Field => ({
  type: 'number',
  title,
  ...i18n(zh),
  ...extra,
});
export const integer = (title: string, zh: string, extra: Field = {}): Field => ({
  type: 'integer',
  title,
  ...i18n(zh),
  ...extra,
});
export const bool = (title: string, zh: string, extra: Field = {}): Field => ({
  type: 'boolean',
  title,
  ...i18n(zh),
  ...extra,
});

/** A lookup to another object, or to `user`. */
export const lookup = (ref: string, title: string, zh: string, extra: Field = {}): Field => ({
  type: 'string',
  format: 'uuid',
  'x-ref': ref,
  title,
  ...i18n(zh),
  ...extra,
});

export const autonumber = (pattern: string, title: string, zh: string): Field => ({
  type: 'string',
  'x-autonumber': pattern,
  title,
  ...i18n(zh),
});

/** Line items: rows of `object` linked back through its lookup `field`. */
export const children = (object: string, field: string, title: string, zh: string): Field => ({
  type: 'array',
  'x-children': { object, field },
  title,
  ...i18n(zh),
});

export const rollup = (
  childrenField: string,
  op: 'sum' | 'count' | 'min' | 'max',
  field: string | undefined,
  title: string,
  zh: string,
  base: Field = { type: 'number', 'x-kind': 'currency' },
): Field => ({
  ...base,
  'x-rollup': { children: childrenField, op, ...(field ? { field } : {}) },
  title,
  ...i18n(zh),
});

/** A roll-up over related records: `op` of the live `object` records whose lookup `via` points here. */
export const relatedRollup = (
  spec: {
    object: string;
    via: string;
    op: 'sum' | 'count' | 'min' | 'max' | 'avg';
    field?: string;
    filter?: Record<string, unknown>;
  },
  title: string,
  zh: string,
  base: Field = { type: 'number', 'x-kind': 'currency' },
): Field => ({
  ...base,
  'x-rollup': spec,
  title,
  ...i18n(zh),
});

/** A stored value computed on every save from `expression` (over `record`). */
export const formula = (expression: string, title: string, zh: string, base: Field = { type: 'number' }): Field => ({
  ...base,
  'x-formula': expression,
  title,
  ...i18n(zh),
});

/** An object definition with its zh-CN title. */
export const object = (
  title: string,
  zh: string,
  labelField: string,
  properties: Record<string, Field>,
  required: string[] = [],
  extra: Field = {},
): Field => ({
  title,
  type: 'object',
  'x-label-field': labelField,
  ...i18n(zh),
  properties,
  ...(required.length ? { required } : {}),
  ...extra,
});
