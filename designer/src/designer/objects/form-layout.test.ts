import { describe, expect, it } from 'vitest';
import type { ObjectSchema } from '../../meta/meta-types';
import { fieldUiOf, layoutOf, withFieldUi, withLayout } from './form-layout';

const object: ObjectSchema = {
  properties: {
    name: { type: 'string' },
    amount: { type: 'number' },
    lines: { type: 'array', 'x-children': { object: 'line' } },
    stage: { type: 'string', enum: ['a'] },
  },
};

describe('form layout', () => {
  it('defaults to one section in field order, leaving line items out', () => {
    expect(layoutOf(null, object)).toEqual([{ title: '', columns: 1, fields: ['name', 'amount', 'stage'] }]);
  });

  it('follows ui:order, dropping unknown fields and appending missing ones', () => {
    const form = { object: 'x', uiSchema: { 'ui:order': ['stage', 'ghost', 'name', '*'] } };
    expect(layoutOf(form, object)[0]?.fields).toEqual(['stage', 'name', 'amount']);
  });

  it('round-trips sections through the uiSchema, a plain layout needing no ui:layout', () => {
    const sections = [
      { title: 'Main', titleZh: '主要', columns: 2 as const, fields: ['amount', 'name'] },
      { title: 'Other', columns: 1 as const, fields: ['stage', 'stage', 'nope'] },
    ];
    const form = withLayout({ object: 'x', uiSchema: {} }, sections);
    expect(form.uiSchema['ui:order']).toEqual(['amount', 'name', 'stage', 'nope', '*']);
    expect(layoutOf(form, object)).toEqual([
      { title: 'Main', titleZh: '主要', columns: 2, fields: ['amount', 'name'] },
      { title: 'Other', columns: 1, fields: ['stage'] },
    ]);
    const plain = withLayout(form, [{ title: '', columns: 1, fields: ['name', 'amount', 'stage'] }]);
    expect(plain.uiSchema['ui:layout']).toBeUndefined();
  });

  it('sets and clears a field’s widget, help and condition', () => {
    let form = withFieldUi({ object: 'x', uiSchema: {} }, 'stage', {
      widget: 'radio',
      help: 'Why',
      visibleIf: 'amount',
    });
    expect(form.uiSchema.stage).toEqual({
      'ui:widget': 'radio',
      'ui:help': 'Why',
      'ui:visibleIf': { field: 'amount' },
    });
    expect(fieldUiOf(form, 'stage')).toEqual({ widget: 'radio', help: 'Why', visibleIf: 'amount' });
    form = withFieldUi(form, 'stage', { widget: '', help: '' });
    expect(form.uiSchema.stage).toBeUndefined();
  });
});
