import type { MetadataDocument } from '@forma/metadata';
import { describe, expect, it } from 'vitest';
import { summarizeChange } from './change-summary';
import { describeChanges } from './plan-changes';

const deal = {
  type: 'object',
  title: 'Deal',
  'x-i18n': { 'zh-CN': { title: '商机' } },
  properties: {
    name: { type: 'string', title: 'Name', maxLength: 200 },
    amount: { type: 'number', title: 'Amount', 'x-kind': 'currency', 'x-i18n': { 'zh-CN': { title: '金额' } } },
  },
  required: ['name'],
};
const salesRep = {
  label: 'Sales rep',
  'x-i18n': { 'zh-CN': { label: '销售代表' } },
  objects: { deal: { create: true, read: 'all', update: 'own' } },
};

function changes(before: Partial<MetadataDocument>, after: Partial<MetadataDocument>) {
  const summary = summarizeChange(before as MetadataDocument, after as MetadataDocument, { objects: [], fields: [] });
  return describeChanges(before, after, summary);
}

describe('plan changes in business words', () => {
  it('says what a role may now do and which fields it no longer sees, by labels', () => {
    const before = { objects: { deal }, roles: { sales_rep: salesRep } } as unknown as MetadataDocument;
    const after = {
      objects: { deal },
      roles: {
        sales_rep: {
          ...salesRep,
          objects: { deal: { create: true, read: 'all', update: 'all', delete: 'own', fields: { amount: 'none' } } },
        },
      },
    } as unknown as MetadataDocument;
    const items = changes(before, after);
    expect(items.map((i) => [i.code, i.params.operation ?? i.params.field, i.params.scope ?? i.params.access])).toEqual(
      [
        ['scopeChanged', 'update', 'all'],
        ['granted', 'delete', 'own'],
        ['fieldAccess', 'amount', 'none'],
      ],
    );
    const grant = items[1]!;
    expect(grant).toMatchObject({
      section: 'roles',
      name: 'sales_rep',
      label: 'Sales rep',
      params: { role: 'sales_rep', roleLabel: 'Sales rep', object: 'deal', objectLabel: 'Deal', from: 'none' },
    });
    expect(items[2]!.params).toMatchObject({ fieldLabel: 'Amount', from: 'default' });
    expect(items[2]!.labels?.['zh-CN']).toMatchObject({ label: '销售代表', objectLabel: '商机', fieldLabel: '金额' });
  });

  it('says a revoked operation and a role added or removed', () => {
    const before = { objects: { deal }, roles: { sales_rep: salesRep } } as unknown as MetadataDocument;
    const after = {
      objects: { deal },
      roles: { sales_rep: { ...salesRep, objects: { deal: { read: 'all' } } }, viewer: { label: 'Viewer' } },
    } as unknown as MetadataDocument;
    const items = changes(before, after);
    expect(items.map((i) => `${i.name}:${i.code}:${i.params.operation ?? ''}`)).toEqual([
      'viewer:added:',
      'sales_rep:revoked:create',
      'sales_rep:revoked:update',
    ]);
  });

  it('says fields added with their kind, label and required changes, and object labels', () => {
    const before = { objects: { deal } } as unknown as MetadataDocument;
    const after = {
      objects: {
        deal: {
          ...deal,
          title: 'Opportunity',
          required: ['name', 'amount'],
          properties: {
            ...deal.properties,
            name: { ...deal.properties.name, title: 'Deal name' },
            discount: { type: 'number', title: 'Discount' },
          },
        },
      },
    } as unknown as MetadataDocument;
    const items = changes(before, after);
    expect(items.map((i) => [i.section, i.code, i.label])).toEqual([
      ['objects', 'labelChanged', 'Opportunity'],
      ['objects', 'fieldRequired', 'Opportunity'],
      ['fields', 'added', 'Opportunity · Discount'],
      ['fields', 'labelChanged', 'Opportunity · Deal name'],
    ]);
    expect(items[0]!.params).toEqual({ from: 'Deal', to: 'Opportunity' });
    expect(items[1]!.params).toMatchObject({ field: 'amount', fieldLabel: 'Amount', required: true });
    expect(items[2]!.params).toMatchObject({ object: 'deal', field: 'discount', kind: 'number' });
    expect(items[2]!.labels?.['zh-CN']?.label).toBe('商机 · Discount');
  });

  it('counts a workflow’s changed steps and falls back to a general line elsewhere', () => {
    const wf = (approver: string, extra: unknown[] = []) => ({
      object: 'deal',
      label: 'Large deal',
      nodes: [
        { id: 's', type: 'start', position: { x: 0, y: 0 }, data: {} },
        { id: 'a', type: 'approval', position: { x: 0, y: 100 }, data: { approverRole: approver } },
        ...extra,
      ],
      edges: [],
    });
    const before = { objects: { deal }, workflows: { large: wf('manager') }, views: { v: { label: 'Mine' } } };
    const after = {
      objects: { deal },
      workflows: { large: wf('director', [{ id: 'e', type: 'end', position: { x: 0, y: 200 }, data: {} }]) },
      views: { v: { label: 'Mine', sort: 'name' } },
    };
    const items = changes(before as unknown as MetadataDocument, after as unknown as MetadataDocument);
    expect(items).toContainEqual(
      expect.objectContaining({
        section: 'workflows',
        label: 'Large deal',
        code: 'stepsChanged',
        params: { count: 2 },
      }),
    );
    expect(items).toContainEqual(expect.objectContaining({ section: 'views', name: 'v', code: 'changed' }));
  });

  it('says a script’s code, switch and trigger changes, with the event and object it runs on', () => {
    const rule = { object: 'deal', event: 'validate', label: 'Check discount', code: 'error("a", "b");' };
    const before = { objects: { deal }, scripts: { check: rule, old_rule: { ...rule, label: 'Old' } } };
    const after = {
      objects: { deal },
      scripts: {
        check: { ...rule, code: 'error("a", "c");', active: false },
        fresh: { object: 'deal', event: 'beforeSave', code: 'set("x", 1);' },
      },
    };
    const items = changes(before as unknown as MetadataDocument, after as unknown as MetadataDocument);
    expect(items.map((i) => [i.name, i.label, i.code, i.params])).toEqual([
      ['fresh', 'fresh', 'added', {}],
      ['fresh', 'fresh', 'runsOn', { object: 'deal', objectLabel: 'Deal', event: 'beforeSave' }],
      ['old_rule', 'Old', 'removed', {}],
      ['check', 'Check discount', 'codeChanged', {}],
      ['check', 'Check discount', 'activeChanged', { active: false }],
      ['check', 'Check discount', 'runsOn', { object: 'deal', objectLabel: 'Deal', event: 'validate' }],
    ]);
    expect(items[1]!.labels?.['zh-CN']).toEqual({ objectLabel: '商机' });

    // Moved to another event: said as where it runs now and before, without a vague "changed".
    const moved = changes(
      { objects: { deal }, scripts: { check: rule } } as unknown as MetadataDocument,
      { objects: { deal }, scripts: { check: { ...rule, event: 'beforeSave' } } } as unknown as MetadataDocument,
    );
    expect(moved.map((i) => [i.code, i.params])).toEqual([
      [
        'runsOn',
        {
          object: 'deal',
          objectLabel: 'Deal',
          event: 'beforeSave',
          fromObject: 'deal',
          fromObjectLabel: 'Deal',
          fromEvent: 'validate',
        },
      ],
    ]);
    // Only the description changed: a general line, still saying what it runs on.
    const described = changes(
      { objects: { deal }, scripts: { check: rule } } as unknown as MetadataDocument,
      { objects: { deal }, scripts: { check: { ...rule, description: 'Why' } } } as unknown as MetadataDocument,
    );
    expect(described.map((i) => i.code)).toEqual(['changed', 'runsOn']);
  });
});
