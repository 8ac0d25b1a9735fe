import { describe, expect, it } from 'vitest';
import { navItemsFromMeta, objectIcon } from './nav-items';

describe('navItemsFromMeta', () => {
  it('is empty without metadata or objects', () => {
    expect(navItemsFromMeta(null, 'en')).toEqual([]);
    expect(navItemsFromMeta({ version: 1, objects: {} }, 'en')).toEqual([]);
  });

  it('labels objects in the current language and orders them by x-order, then metadata order', () => {
    const meta = {
      version: 3,
      objects: {
        deal: { title: 'Deal', 'x-i18n': { 'zh-CN': { title: '商机' } } },
        account: { title: 'Account', 'x-order': 1 },
        service_case: {},
        secret: { title: 'Secret', 'x-nav': false },
      },
    };
    expect(navItemsFromMeta(meta, 'en').map((i) => i.label)).toEqual(['Account', 'Deal', 'Service case']);
    const zh = navItemsFromMeta(meta, 'zh-CN');
    expect(zh.map((i) => i.label)).toContain('商机');
    expect(zh.find((i) => i.object === 'deal')).toEqual({
      object: 'deal',
      label: '商机',
      path: '/o/deal',
      icon: 'handshake',
    });
  });

  it("keeps the admin's order in every language and leaves child objects out unless pinned", () => {
    const meta = {
      version: 1,
      objects: {
        quote: {
          title: 'Quote',
          'x-i18n': { 'zh-CN': { title: '报价' } },
          properties: { lines: { type: 'array', 'x-children': { object: 'quote_line' } } },
        },
        account: { title: 'Account', 'x-i18n': { 'zh-CN': { title: '客户' } } },
        quote_line: { title: 'Quote line' },
        receivable: { title: 'Receivable', properties: { payments: { 'x-children': { object: 'payment' } } } },
        payment: { title: 'Payment', 'x-nav': true },
      },
    };
    expect(navItemsFromMeta(meta, 'en').map((i) => i.object)).toEqual(['quote', 'account', 'receivable', 'payment']);
    expect(navItemsFromMeta(meta, 'zh-CN').map((i) => i.object)).toEqual(['quote', 'account', 'receivable', 'payment']);
  });

  it('uses x-icon when given and a neutral icon for unknown objects', () => {
    const meta = { version: 1, objects: { widget: { 'x-icon': 'cog' }, gadget: {} } };
    const items = navItemsFromMeta(meta, 'en');
    expect(items.find((i) => i.object === 'widget')?.icon).toBe('cog');
    expect(items.find((i) => i.object === 'gadget')?.icon).toBe('box');
  });
});

describe('objectIcon', () => {
  it('prefers x-icon, then well-known names, then a box', () => {
    expect(objectIcon('deal', { 'x-icon': 'receipt' })).toBe('receipt');
    expect(objectIcon('deal', {})).toBe('handshake');
    expect(objectIcon('deal', { 'x-icon': '' })).toBe('handshake');
    expect(objectIcon('gizmo', undefined)).toBe('box');
  });
});
