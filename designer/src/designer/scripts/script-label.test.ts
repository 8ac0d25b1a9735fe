import { describe, expect, it } from 'vitest';
import { scriptLabel, scriptLabelIn, withScriptLabelIn } from './script-label';

describe('script labels', () => {
  const script = { label: 'Contract dates', 'x-i18n': { 'zh-CN': { label: '合同日期' } } };

  it('reads the label in the language, else the label, else the name', () => {
    expect(scriptLabel(script, 'zh-CN', 'contract_dates')).toBe('合同日期');
    expect(scriptLabel(script, 'en', 'contract_dates')).toBe('Contract dates');
    expect(scriptLabel({}, 'zh-CN', 'contract_dates')).toBe('contract_dates');
    expect(scriptLabel(undefined, 'en', 'gone')).toBe('gone');
  });

  it('sets and clears the Chinese label, keeping other languages and dropping empty maps', () => {
    const fr = { label: 'X', 'x-i18n': { fr: { label: 'Dates' } } };
    const both = withScriptLabelIn(fr, 'zh-CN', '日期');
    expect(both['x-i18n']).toEqual({ fr: { label: 'Dates' }, 'zh-CN': { label: '日期' } });
    expect(scriptLabelIn(both, 'zh-CN')).toBe('日期');
    expect(withScriptLabelIn(both, 'zh-CN', ' ')['x-i18n']).toEqual({ fr: { label: 'Dates' } });
    expect(withScriptLabelIn(script, 'zh-CN', '')).toEqual({ label: 'Contract dates' });
  });
});
