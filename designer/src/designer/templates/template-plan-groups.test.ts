import i18next, { type TFunction } from 'i18next';
import { describe, expect, it } from 'vitest';
import { en } from '../../i18n/locales/en';
import { zhCN } from '../../i18n/locales/zh-cn';
import type { PlanChange } from '../common/meta-write-api';
import { templatePlanGroups } from './template-plan-groups';

async function tFor(lng: string): Promise<TFunction> {
  const i = i18next.createInstance();
  await i.init({
    lng,
    fallbackLng: 'en',
    resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
    interpolation: { escapeValue: false },
  });
  return i.t;
}

const zh = (label: string) => ({ 'zh-CN': { label } });
const changes: PlanChange[] = [
  {
    section: 'fields',
    name: 'deal.amount',
    label: 'Deal · Amount',
    code: 'added',
    params: { object: 'deal', objectLabel: 'Deal', field: 'amount', fieldLabel: 'Amount', kind: 'currency' },
    labels: { 'zh-CN': { label: '商机 · 金额', objectLabel: '商机', fieldLabel: '金额' } },
  },
  { section: 'objects', name: 'deal', label: 'Deal', code: 'added', params: {}, labels: zh('商机') },
  { section: 'roles', name: 'rep', label: 'Sales rep', code: 'added', params: {} },
  { section: 'objects', name: 'account', label: 'Account', code: 'added', params: {} },
  { section: 'reports', name: 'funnel', label: 'Funnel', code: 'added', params: {} },
];

describe('a template plan grouped for reading', () => {
  it('puts each object with its fields under the object’s label, then one group per other section', async () => {
    const groups = templatePlanGroups(await tFor('en'), 'en', changes);
    expect(groups.map((g) => [g.heading, g.lines.map((l) => l.text)])).toEqual([
      ['Deal', ['Field Deal · Amount: added (Currency)', 'Object Deal: added']],
      ['Account', ['Object Account: added']],
      ['Role', ['Role Sales rep: added']],
      ['Report', ['Report Funnel: added']],
    ]);
  });

  it('heads the groups with the Chinese labels the metadata has', async () => {
    const groups = templatePlanGroups(await tFor('zh-CN'), 'zh-CN', changes);
    expect(groups[0]?.heading).toBe('商机');
    expect(groups[1]?.heading).toBe('Account');
  });

  it('has no groups for a plan without changes', async () => {
    expect(templatePlanGroups(await tFor('en'), 'en', [])).toEqual([]);
  });
});
