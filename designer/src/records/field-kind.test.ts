import { describe, expect, it } from 'vitest';
import type { FieldSchema } from '../meta/meta-types';
import { fieldKind, isComputed, operatorsFor, valueKind } from './field-kind';

const f = (x: Record<string, unknown>) => x as unknown as FieldSchema;

describe('field kinds in the app (the server catalogue, @forma/metadata/field-kinds)', () => {
  it('recognises kinds the way the server does', () => {
    expect(fieldKind(f({ type: 'string', format: 'uuid', 'x-ref': 'account' }))).toBe('lookup');
    expect(fieldKind(f({ type: 'number', 'x-kind': 'currency' }))).toBe('currency');
    expect(fieldKind(f({ type: 'array', 'x-children': { object: 'line' } }))).toBe('children');
    expect(fieldKind(f({ type: ['string', 'null'], enum: ['a', null] }))).toBe('select');
  });

  it('resolves computed fields to what they compute; autonumbers hold text', () => {
    const formula = f({ type: 'number', 'x-formula': 'record.a * 2' });
    expect([fieldKind(formula), valueKind(formula), isComputed(formula)]).toEqual(['formula', 'number', true]);
    const auto = f({ type: 'string', 'x-autonumber': { format: 'Q-{0000}' } });
    expect([fieldKind(auto), valueKind(auto), isComputed(auto)]).toEqual(['autonumber', 'text', true]);
  });

  it("treats a plugin's kind it does not know by its JSON type", () => {
    const nps = f({ type: 'integer', 'x-kind': 'nps' });
    expect([fieldKind(nps), valueKind(nps)]).toEqual(['integer', 'integer']);
    expect(operatorsFor(nps)).toEqual(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'isNull']);
  });

  it('offers "contains" first for text, and the catalogue operators otherwise', () => {
    expect(operatorsFor(f({ type: 'string' }))[0]).toBe('contains');
    expect(operatorsFor(f({ type: 'string', enum: ['a'] }))).toEqual(['eq', 'ne', 'in', 'nin', 'isNull']);
    expect(operatorsFor(f({ type: 'string', 'x-kind': 'textarea' }))).toEqual(['contains', 'startsWith', 'isNull']);
  });
});
