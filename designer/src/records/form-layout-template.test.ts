import { describe, expect, it } from 'vitest';
import { isFieldShown, sectionsOf } from './form-layout-template';

describe('form layout template', () => {
  it('shows a conditional field only while the other field has a value', () => {
    const ui = { reason: { 'ui:visibleIf': { field: 'lost' } } };
    expect(isFieldShown(ui, 'reason', {})).toBe(false);
    expect(isFieldShown(ui, 'reason', { lost: '' })).toBe(false);
    expect(isFieldShown(ui, 'reason', { lost: [] })).toBe(false);
    expect(isFieldShown(ui, 'reason', { lost: false })).toBe(false);
    expect(isFieldShown(ui, 'reason', { lost: 0 })).toBe(true);
    expect(isFieldShown(ui, 'reason', { lost: 'yes' })).toBe(true);
    expect(isFieldShown(ui, 'other', {})).toBe(true);
    expect(isFieldShown(undefined, 'reason', undefined)).toBe(true);
  });

  it('reads sections leniently', () => {
    expect(sectionsOf({})).toBeNull();
    expect(sectionsOf({ 'ui:layout': { sections: [] } })).toBeNull();
    expect(sectionsOf({ 'ui:layout': { sections: [{ title: 'A', columns: 2, fields: ['a', 3] }, 'x'] } })).toEqual([
      { title: 'A', columns: 2, fields: ['a'] },
    ]);
  });
});
