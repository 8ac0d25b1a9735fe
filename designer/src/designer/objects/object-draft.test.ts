import { describe, expect, it } from 'vitest';
import { newField } from './field-catalog';
import { withFieldUi, withLayout } from './form-layout';
import {
  addField,
  isDirty,
  moveField,
  newObjectDraft,
  publishPatch,
  removeField,
  renameField,
  setRequired,
} from './object-draft';

function sample() {
  let d = newObjectDraft('deal', 'Deal');
  d = addField(d, 'amount', newField('currency', 'Amount'));
  d = addField(d, 'stage', newField('select', 'Stage'));
  d = setRequired(d, 'amount', true);
  d = { ...d, object: { ...d.object, 'x-search': ['name', 'stage'] } };
  let form = withLayout({ object: 'deal', uiSchema: {} }, [
    { title: 'Main', columns: 2, fields: ['name', 'amount'] },
    { title: 'More', columns: 1, fields: ['stage'] },
  ]);
  form = withFieldUi(form, 'stage', { visibleIf: 'amount', help: 'Pick one' });
  d = {
    ...d,
    form,
    views: { open_deals: { object: 'deal', label: 'Open', columns: ['name', 'stage'], sort: ['-stage'] } },
  };
  return d;
}

describe('object draft', () => {
  it('removes a field with every reference to it', () => {
    const d = removeField(sample(), 'amount');
    expect(Object.keys(d.object.properties ?? {})).toEqual(['name', 'stage']);
    expect(d.object.required).toEqual(['name']);
    expect(d.form?.uiSchema['ui:order']).toEqual(['name', 'stage', '*']);
    expect(d.form?.uiSchema.stage).toEqual({ 'ui:help': 'Pick one' });
    const sections = (d.form?.uiSchema['ui:layout'] ?? { sections: [] }) as { sections: Array<{ fields: string[] }> };
    expect(sections.sections.map((s) => s.fields)).toEqual([['name'], ['stage']]);
    const s2 = removeField(d, 'stage');
    expect(s2.object['x-search']).toEqual(['name']);
    expect(s2.views.open_deals?.columns).toEqual(['name']);
    expect(s2.views.open_deals?.sort).toEqual([]);
  });

  it('renames a field in place, keeping its definition and following references', () => {
    const before = sample();
    const d = renameField(before, 'stage', 'phase');
    expect(Object.keys(d.object.properties ?? {})).toEqual(['name', 'amount', 'phase']);
    expect(d.object.properties?.phase).toBe(before.object.properties?.stage);
    expect(d.object['x-search']).toEqual(['name', 'phase']);
    expect(d.form?.uiSchema.phase).toEqual({ 'ui:help': 'Pick one', 'ui:visibleIf': { field: 'amount' } });
    expect(d.views.open_deals).toMatchObject({ columns: ['name', 'phase'], sort: ['-phase'] });
    const d2 = renameField(d, 'amount', 'value');
    expect(d2.object.required).toEqual(['name', 'value']);
    expect(d2.form?.uiSchema.phase).toMatchObject({ 'ui:visibleIf': { field: 'value' } });
  });

  it('moves fields within bounds', () => {
    const d = moveField(sample(), 'stage', 0);
    expect(Object.keys(d.object.properties ?? {})).toEqual(['stage', 'name', 'amount']);
    expect(moveField(d, 'stage', -5)).toBe(d);
    expect(Object.keys(moveField(d, 'stage', 99).object.properties ?? {})).toEqual(['name', 'amount', 'stage']);
  });

  it('publishes only what changed', () => {
    const original = sample();
    expect(isDirty(original, original)).toBe(false);
    expect(publishPatch(original, original)).toEqual({});
    const edited = { ...original, views: {} };
    expect(publishPatch(original, edited)).toEqual({ views: { open_deals: null } });
    const withField = addField(original, 'close', newField('date', 'Close'));
    expect(Object.keys(publishPatch(original, withField))).toEqual(['objects']);
    expect(Object.keys(publishPatch(null, original)).sort()).toEqual(['forms', 'objects', 'views']);
  });
});
