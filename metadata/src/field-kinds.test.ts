import { afterEach, describe, expect, it } from 'vitest';
import { columnTypeSql, describeField, FILTER_OPERATORS, fieldKinds, kindOf, registerFieldKind } from './field-kinds';
import type { FieldDefinition } from './generated/metadata-types';
import { validateDocument } from './validate-document';

const cases: Array<[string, FieldDefinition, string, string]> = [
  ['text', { type: 'string', maxLength: 200 }, 'varchar(200)', 'text'],
  ['text', { type: 'string' }, 'text', 'text'],
  ['textarea', { type: 'string', 'x-kind': 'textarea' }, 'text', 'textarea'],
  ['email', { type: 'string', format: 'email' }, 'text', 'email'],
  ['url', { type: 'string', format: 'uri' }, 'text', 'url'],
  ['date', { type: 'string', format: 'date' }, 'date', 'date'],
  ['datetime', { type: 'string', format: 'date-time' }, 'timestamptz', 'datetime'],
  ['select', { type: 'string', enum: ['a', 'b'] }, 'text', 'select'],
  ['multiselect', { type: 'array', items: { type: 'string', enum: ['a', 'b'] } }, 'text[]', 'multiselect'],
  ['number', { type: 'number' }, 'numeric(18,6)', 'number'],
  ['currency', { type: 'number', 'x-kind': 'currency' }, 'numeric(18,2)', 'currency'],
  ['percent', { type: 'number', 'x-kind': 'percent', 'x-scale': 4 }, 'numeric(18,4)', 'percent'],
  ['integer', { type: 'integer' }, 'bigint', 'integer'],
  ['boolean', { type: 'boolean' }, 'boolean', 'checkbox'],
  ['lookup', { type: 'string', format: 'uuid', 'x-ref': 'account' }, 'uuid', 'lookup'],
  ['lookup', { type: 'string', format: 'uuid', 'x-ref': 'user' }, 'uuid', 'lookup'],
  ['formula', { type: 'number', 'x-kind': 'currency', 'x-formula': 'record.a * 2' }, 'numeric(18,2)', 'readonly'],
  ['autonumber', { type: 'string', 'x-autonumber': 'Q-{YYYY}-{0000}' }, 'text', 'readonly'],
  ['rollup', { type: 'integer', 'x-rollup': { children: 'lines', op: 'count' } }, 'bigint', 'readonly'],
];

describe('field-kind catalogue', () => {
  it.each(cases)('recognises %s from %j', (kind, def, column, widget) => {
    const d = describeField(def);
    expect(d?.kind.name).toBe(kind);
    expect(d?.column && columnTypeSql(d.column)).toBe(column);
    expect(d?.widget).toBe(widget);
  });

  it('treats line items as virtual: no column, no operators', () => {
    const d = describeField({ type: 'array', 'x-children': { object: 'quote_line' } });
    expect(d?.kind.name).toBe('children');
    expect(d?.column).toBeNull();
    expect(d?.operators).toEqual([]);
  });

  it('only offers operators that make sense for the kind', () => {
    const ops = (def: FieldDefinition) => describeField(def)?.operators ?? [];
    expect(ops({ type: 'number' })).not.toContain('contains');
    expect(ops({ type: 'string' })).toContain('contains');
    expect(ops({ type: 'boolean' })).toEqual(['eq', 'ne', 'isNull']);
    expect(ops({ type: 'string', enum: ['a'] })).not.toContain('startsWith');
    // A formula filters like the value it computes.
    expect(ops({ type: 'number', 'x-formula': 'record.a' })).toEqual(ops({ type: 'number' }));
    for (const k of fieldKinds()) for (const op of k.operators) expect(FILTER_OPERATORS).toContain(op);
  });

  it('bounds decimal values so the column can always hold them', () => {
    const schema = describeField({ type: 'number', 'x-kind': 'currency', maximum: 5 })?.valueSchema;
    expect(schema).toMatchObject({ type: 'number', exclusiveMaximum: 1e16, exclusiveMinimum: -1e16, maximum: 5 });
  });

  it('stores a platform-computed value as what the rest of its definition holds, read-only', () => {
    const def = { type: 'string', enum: ['a', 'b'], 'x-computed': 'rfm' } as FieldDefinition;
    const d = describeField(def);
    expect(d?.kind.name).toBe('computed');
    expect(d?.resultKind.name).toBe('select');
    expect(d?.column).toEqual({ base: 'text' });
    expect(d?.readOnly).toBe(true);
    expect(
      describeField({ type: 'integer', minimum: 1, maximum: 9, 'x-computed': 'rfm' } as FieldDefinition)?.column,
    ).toEqual({
      base: 'bigint',
    });
    const doc = {
      objects: { o: { type: 'object', properties: { s: def, n: { type: 'string', 'x-computed': 'Bad name' } } } },
    };
    expect(validateDocument(doc).map((i) => i.path)).toEqual(['/objects/o/properties/n/x-computed']);
  });

  it('marks computed kinds read-only and gives them no database check', () => {
    // describeField resolves what a definition means; whether its keywords are allowed is the
    // validator's job. A select computed by a formula would get the select's check otherwise.
    const def = { type: 'string', enum: ['a'], 'x-formula': 'record.x' } as FieldDefinition;
    const formula = describeField(def);
    expect(formula?.kind.name).toBe('formula');
    expect(formula?.resultKind.name).toBe('select');
    expect(formula?.readOnly).toBe(true);
    expect(formula?.dbCheck).toBeNull();
    const doc = { objects: { o: { type: 'object', properties: { x: { type: 'string' }, f: def } } } };
    expect(validateDocument(doc).map((i) => i.path)).toEqual(['/objects/o/properties/f/enum']);
    const auto = describeField({ type: 'string', 'x-autonumber': 'A-{000}' });
    expect(auto?.readOnly).toBe(true);
    expect(auto?.dbCheck).toBeNull();
  });

  it('returns nothing for definitions no kind matches', () => {
    expect(kindOf({ type: 'string', format: 'uuid' })).toBeUndefined();
    expect(kindOf({ type: 'string', 'x-kind': 'nope' })).toBeUndefined();
  });
});

describe('registerFieldKind', () => {
  let undo: (() => void) | undefined;
  afterEach(() => undo?.());

  it('lets a plugin add a kind with its own x- keyword', () => {
    const doc = {
      objects: {
        site: {
          type: 'object',
          properties: { where: { type: 'string', 'x-kind': 'geo', 'x-precision': 6 } },
        },
      },
    };
    expect(validateDocument(doc).map((i) => i.path)).toContain('/objects/site/properties/where/x-precision');
    undo = registerFieldKind({
      name: 'geo',
      label: 'Location',
      priority: 50,
      matches: (f) => f.type === 'string' && f['x-kind'] === 'geo',
      keywords: ['x-kind', 'x-precision'],
      valueSchema: () => ({ type: 'string', pattern: '^-?\\d+(\\.\\d+)?,-?\\d+(\\.\\d+)?$' }),
      column: () => ({ base: 'text' }),
      widget: 'map',
      operators: ['eq', 'isNull'],
      extraKeywords: { 'x-precision': { type: 'integer', minimum: 0, maximum: 10 } },
    });
    expect(validateDocument(doc)).toEqual([]);
    expect(describeField(doc.objects.site.properties.where as FieldDefinition)?.widget).toBe('map');
    undo();
    undo = undefined;
    expect(validateDocument(doc)).not.toEqual([]);
  });
});
