import i18next, { type TFunction } from 'i18next';
import { describe, expect, it } from 'vitest';
import { en } from '../../i18n/locales/en';
import { zhCN } from '../../i18n/locales/zh-cn';
import type { PlanChange } from './meta-write-api';
import { planChangeLines } from './plan-change-text';

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

const field = (code: string, params: PlanChange['params'] = {}): PlanChange => ({
  section: 'fields',
  name: 'deal.discount',
  label: 'Deal · Discount',
  code,
  params: { object: 'deal', objectLabel: 'Deal', field: 'discount', fieldLabel: 'Discount', ...params },
  labels: { 'zh-CN': { label: '商机 · 折扣', objectLabel: '商机', fieldLabel: '折扣' } },
});

const changes: PlanChange[] = [
  field('added', { kind: 'number' }),
  { section: 'objects', name: 'quote', label: 'Offer', code: 'labelChanged', params: { from: 'Quote', to: 'Offer' } },
  {
    section: 'roles',
    name: 'sales_rep',
    label: 'Sales rep',
    code: 'scopeChanged',
    params: { roleLabel: 'Sales rep', objectLabel: 'Deal', operation: 'update', scope: 'all', from: 'own' },
  },
  { section: 'workflows', name: 'large', label: 'Large deal', code: 'stepsChanged', params: { count: 2 } },
  { section: 'views', name: 'mine', label: 'Mine', code: 'changed', params: {} },
];

describe('plan changes as sentences', () => {
  it('says each item’s changes by labels in English', async () => {
    expect(planChangeLines(await tFor('en'), 'en', changes).map((l) => l.text)).toEqual([
      'Field Deal · Discount: added (Number)',
      'Object Offer: label changed from “Quote” to “Offer”',
      'Role Sales rep: may now edit all Deal records (before: own)',
      'Workflow Large deal: 2 steps changed',
      'View Mine: changed',
    ]);
  });

  it('says them in Chinese with the metadata’s Chinese labels where it has them', async () => {
    const lines = planChangeLines(await tFor('zh-CN'), 'zh-CN', changes).map((l) => l.text);
    expect(lines[0]).toBe('字段“商机 · 折扣”：已新增（数字）');
    expect(lines[3]).toBe('工作流“Large deal”：2 个步骤已更改');
  });

  it('says nothing for a plan without business changes (older servers)', async () => {
    expect(planChangeLines(await tFor('en'), 'en', undefined)).toEqual([]);
  });

  it('says a script change with the event and object it runs on, in English and Chinese', async () => {
    const script = (code: string, params: PlanChange['params'] = {}): PlanChange => ({
      section: 'scripts',
      name: 'check_discount',
      label: 'Check discount',
      code,
      params,
      ...(code === 'runsOn' ? { labels: { 'zh-CN': { objectLabel: '商机', fromObjectLabel: '商机' } } } : {}),
    });
    const edited = [
      script('codeChanged'),
      script('runsOn', { object: 'deal', objectLabel: 'Deal', event: 'validate' }),
    ];
    expect(planChangeLines(await tFor('en'), 'en', edited).map((l) => l.text)).toEqual([
      'Script Check discount: code changed; runs on validate of Deal',
    ]);
    expect(planChangeLines(await tFor('zh-CN'), 'zh-CN', edited).map((l) => l.text)).toEqual([
      '脚本“Check discount”：代码已更改；在商机校验时运行',
    ]);
    const moved = [
      script('activeChanged', { active: false }),
      script('runsOn', {
        object: 'deal',
        objectLabel: 'Deal',
        event: 'beforeSave',
        fromObject: 'deal',
        fromObjectLabel: 'Deal',
        fromEvent: 'validate',
      }),
    ];
    expect(planChangeLines(await tFor('en'), 'en', moved).map((l) => l.text)).toEqual([
      'Script Check discount: switched off; now runs on before save of Deal (before: validate of Deal)',
    ]);
    expect(planChangeLines(await tFor('zh-CN'), 'zh-CN', moved).map((l) => l.text)).toEqual([
      '脚本“Check discount”：已停用；现在在商机保存前运行（之前：商机校验时）',
    ]);
  });
});
