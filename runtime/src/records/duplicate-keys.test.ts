import { describe, expect, it } from 'vitest';
import { loadModel } from '../model/load-model';
import { duplicateKey, duplicateRules, keyString, normalizeDuplicateValue } from './duplicate-keys';

describe('duplicate keys', () => {
  it('normalizes case, width and whitespace, and treats blanks as no value', () => {
    expect(normalizeDuplicateValue('  ANN@Example.COM ')).toBe('ann@example.com');
    expect(normalizeDuplicateValue('Acme\t  Inc')).toBe('acme inc');
    expect(normalizeDuplicateValue('ＡＣＭＥ')).toBe('acme');
    expect(normalizeDuplicateValue('   ')).toBeNull();
    expect(normalizeDuplicateValue(null)).toBeNull();
    expect(normalizeDuplicateValue(12)).toBe('12');
  });

  it('builds a key only when every field of the rule has a value', () => {
    expect(duplicateKey(['name', 'city'], { name: ' Acme ', city: 'PARIS' })).toEqual(['acme', 'paris']);
    expect(duplicateKey(['name', 'city'], { name: 'Acme' })).toBeNull();
    expect(keyString(['name'], ['a'])).not.toBe(keyString(['city'], ['a']));
  });

  it('reads x-duplicates, dropping rules that name fields without a column', () => {
    const model = loadModel(
      {
        objects: {
          lead: {
            type: 'object',
            'x-duplicates': [['email'], ['name', 'city'], ['gone']],
            properties: { email: { type: 'string' }, name: { type: 'string' }, city: { type: 'string' } },
          } as never,
        },
      },
      1,
    );
    expect(duplicateRules(model.object('lead'))).toEqual([['email'], ['name', 'city']]);
  });
});
