import { describe, expect, it } from 'vitest';
import { enumLabel, fieldLabel, humanize, objectLabel, pickLabel } from './pick-label';
import type { ObjectSchema } from '../meta/meta-types';

const deal: ObjectSchema = {
  title: 'Deal',
  'x-i18n': { 'zh-CN': { title: '商机' } },
  properties: {
    amount: { type: 'number', title: 'Amount', 'x-i18n': { 'zh-CN': { title: '金额' } } },
    stage: {
      type: 'string',
      enum: ['new', 'won'],
      'x-i18n': { zh: { title: '阶段', enum: { won: '赢单' } } },
    },
    close_on: { type: 'string', format: 'date' },
  },
};

describe('pickLabel', () => {
  it('prefers the exact language, then the schema text, then the fallback', () => {
    expect(pickLabel(deal, 'zh-CN')).toBe('商机');
    expect(pickLabel(deal, 'en')).toBe('Deal');
    expect(pickLabel({}, 'en', 'title', 'Fallback')).toBe('Fallback');
    expect(pickLabel(undefined, 'zh-CN', 'title', 'x')).toBe('x');
  });

  it('falls back from zh-CN to zh and matches language keys case-insensitively', () => {
    expect(fieldLabel(deal, 'stage', 'zh-CN')).toBe('阶段');
    expect(pickLabel({ title: 'A', 'x-i18n': { 'zh-cn': { title: '甲' } } }, 'zh-CN')).toBe('甲');
  });

  it('ignores blank and non-string translations instead of showing them', () => {
    const node = { title: 'Name', 'x-i18n': { 'zh-CN': { title: '  ' }, zh: { title: 42 } } };
    expect(pickLabel(node as never, 'zh-CN')).toBe('Name');
    expect(pickLabel({ title: 'N', 'x-i18n': 'oops' } as never, 'zh-CN')).toBe('N');
  });

  it('labels objects, fields and enum values, humanizing names without a title', () => {
    expect(objectLabel('deal', deal, 'zh-CN')).toBe('商机');
    expect(objectLabel('service_case', undefined, 'en')).toBe('Service case');
    expect(fieldLabel(deal, 'amount', 'zh-CN')).toBe('金额');
    expect(fieldLabel(deal, 'amount', 'en')).toBe('Amount');
    expect(fieldLabel(deal, 'close_on', 'zh-CN')).toBe('Close on');
    expect(fieldLabel(deal, 'missing', 'en')).toBe('Missing');
    expect(enumLabel(deal.properties?.stage, 'won', 'zh-CN')).toBe('赢单');
    expect(enumLabel(deal.properties?.stage, 'new', 'zh-CN')).toBe('New');
  });

  it('humanizes snake and kebab case', () => {
    expect(humanize('close_on')).toBe('Close on');
    expect(humanize('a-b')).toBe('A b');
    expect(humanize('')).toBe('');
  });
});
