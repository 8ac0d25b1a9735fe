import { describe, expect, it } from 'vitest';
import type { ObjectSchema } from '../meta/meta-types';
import { orderedFields } from './read-view-model';
import { buildRecordForm } from './form-schema';
import { applyFormRules } from './form-rules-view';

const LOST = { stage: { eq: 'lost' } };
const deal: ObjectSchema = {
  type: 'object',
  properties: {
    name: { type: 'string', title: 'Name' },
    stage: { type: 'string', enum: ['new', 'won', 'lost'] },
    amount: { type: 'number' },
    lost_reason: { type: 'string', title: 'Lost reason' },
  },
  required: ['name'],
  'x-form-rules': [
    { fields: ['lost_reason'], effect: 'show', when: LOST },
    { fields: ['lost_reason'], effect: 'require', when: LOST },
    { fields: ['amount'], effect: 'readOnly', when: { stage: { in: ['won', 'lost'] } } },
  ],
};
const form = buildRecordForm(deal, undefined, 'en');
const ui = (f: ReturnType<typeof applyFormRules>['form'], name: string) => f.uiSchema[name] as Record<string, unknown>;

describe('applyFormRules (the record form)', () => {
  it('hides the lost reason until the stage is lost, then requires it', () => {
    const open = applyFormRules(form, { stage: 'new' }, true);
    expect(ui(open.form, 'lost_reason')['ui:ruleHidden']).toBe(true);
    expect(open.form.schema.required).toEqual(['name']);
    expect(orderedFields(open.form)).not.toContain('lost_reason');
    const lost = applyFormRules(form, { stage: 'lost' }, true);
    expect(ui(lost.form, 'lost_reason')['ui:ruleHidden']).toBeUndefined();
    expect(lost.form.schema.required).toEqual(['name', 'lost_reason']);
  });

  it('keeps a hidden typed value and names it as cleared on save', () => {
    const r = applyFormRules(form, { stage: 'new', lost_reason: 'Price' }, true);
    expect(r.clearedOnSave).toEqual(['lost_reason']);
    expect(applyFormRules(form, { stage: 'new', lost_reason: '' }, true).clearedOnSave).toEqual([]);
  });

  it('locks read-only-when fields on existing records only', () => {
    expect(ui(applyFormRules(form, { stage: 'won' }, false).form, 'amount')['ui:readonly']).toBe(true);
    expect(ui(applyFormRules(form, { stage: 'won' }, true).form, 'amount')['ui:readonly']).toBeUndefined();
    expect(ui(applyFormRules(form, { stage: 'new' }, false).form, 'amount')['ui:readonly']).toBeUndefined();
  });

  it('leaves a form without rules as it is', () => {
    const plain = buildRecordForm({ ...deal, 'x-form-rules': undefined }, undefined, 'en');
    expect(applyFormRules(plain, {}, true).form).toBe(plain);
  });
});
