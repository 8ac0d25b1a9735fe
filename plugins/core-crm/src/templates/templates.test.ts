import { validateDocument, validateStructure } from '@forma/metadata';
import { describe, expect, it } from 'vitest';
import { membershipTemplate } from './membership';
import { productSalesTemplate } from './product-sales';
import { projectSalesTemplate } from './project-sales';

describe.each([
  ['product-sales', productSalesTemplate],
  ['project-sales', projectSalesTemplate],
  ['membership', membershipTemplate],
])('industry template %s', (name, build) => {
  const t = build();
  it('is a valid template with a valid document', () => {
    expect(t.name).toBe(name);
    expect(validateStructure('template', t)).toEqual([]);
    expect(validateDocument(t.document)).toEqual([]);
  });

  it('labels every object and field in zh-CN', () => {
    const missing: string[] = [];
    for (const [o, def] of Object.entries(t.document.objects ?? {}) as Array<[string, any]>) {
      if (!def['x-i18n']?.['zh-CN']?.title) missing.push(o);
      for (const [f, field] of Object.entries(def.properties) as Array<[string, any]>)
        if (!field['x-i18n']?.['zh-CN']?.title) missing.push(`${o}.${f}`);
    }
    expect(missing).toEqual([]);
  });
});
