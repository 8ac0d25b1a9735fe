import { validateDocument } from '@forma/metadata';
import { describe, expect, it } from 'vitest';
import { coreCrmDocument } from './document';

describe('core-crm metadata', () => {
  const doc = coreCrmDocument();

  it('is a valid metadata document', () => {
    expect(validateDocument(doc as never)).toEqual([]);
  });

  it('labels every object and field in zh-CN', () => {
    const missing: string[] = [];
    for (const [name, o] of Object.entries(doc.objects ?? {})) {
      const obj = o as { 'x-i18n'?: { 'zh-CN'?: { title?: string } }; properties: Record<string, any> };
      if (!obj['x-i18n']?.['zh-CN']?.title) missing.push(name);
      for (const [f, def] of Object.entries(obj.properties))
        if (!def['x-i18n']?.['zh-CN']?.title) missing.push(`${name}.${f}`);
    }
    expect(missing).toEqual([]);
  });

  it('has the five roles and a default view per main object', () => {
    expect(Object.keys(doc.roles ?? {}).sort()).toEqual([
      'finance',
      'portal_customer',
      'sales_manager',
      'sales_rep',
      'service_agent',
    ]);
    const defaults = Object.values(doc.views ?? {})
      .filter((v: any) => v.default)
      .map((v: any) => v.object);
    expect(defaults).toEqual(expect.arrayContaining(['account', 'contact', 'lead', 'deal', 'quote', 'service_case']));
  });
});
