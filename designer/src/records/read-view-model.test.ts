import { describe, expect, it } from 'vitest';
import type { ObjectSchema } from '../meta/meta-types';
import { buildRecordForm } from './form-schema';
import { highlightFields, readSections, stageFieldOf } from './read-view-model';

const deal: ObjectSchema = {
  type: 'object',
  'x-label-field': 'name',
  properties: {
    name: { type: 'string' },
    account: { type: 'string', format: 'uuid', 'x-ref': 'account' },
    amount: { type: 'number', 'x-kind': 'currency' },
    stage: { type: 'string', enum: ['new', 'won'] },
    notes: { type: 'string', maxLength: 5000, 'x-kind': 'textarea' },
    close_on: { type: 'string', format: 'date' },
    owner_note: { type: 'string' },
    secret: { type: 'string', 'x-access': 'none' },
  },
} as ObjectSchema;

describe('read view model', () => {
  it('finds the stage path field: ui:stage, else stage or status choices', () => {
    const form = buildRecordForm(deal, undefined, 'en');
    expect(stageFieldOf(deal, undefined, form)).toBe('stage');
    expect(stageFieldOf(deal, { uiSchema: { 'ui:stage': 'name' } }, form)).toBeUndefined();
    const noStage = { ...deal, properties: { name: { type: 'string' } } } as ObjectSchema;
    expect(stageFieldOf(noStage, undefined, buildRecordForm(noStage, undefined, 'en'))).toBeUndefined();
  });

  it('highlights the declared fields, else the first plain fields of the layout', () => {
    const doc = { uiSchema: { 'ui:order': ['name', 'stage', 'notes', 'amount', 'account', 'close_on', 'owner_note'] } };
    const form = buildRecordForm(deal, doc, 'en');
    expect(highlightFields(deal, doc, form, 'stage')).toEqual(['amount', 'account', 'close_on', 'owner_note']);
    const declared = { uiSchema: { 'ui:highlights': ['close_on', 'secret', 'nope', 'amount'] } };
    expect(highlightFields(deal, declared, buildRecordForm(deal, declared, 'en'), 'stage')).toEqual([
      'close_on',
      'amount',
    ]);
  });

  it('lays fields out in the form sections, readable ones only, the rest at the end', () => {
    const doc = {
      uiSchema: {},
      layout: [
        { title: 'Deal', fields: ['name', 'account', 'secret'] },
        { title: 'Empty', fields: ['secret'] },
      ],
    };
    const sections = readSections(doc, buildRecordForm(deal, doc, 'en'));
    expect(sections.map((s) => s.title)).toEqual(['Deal', '']);
    expect(sections[0]?.fields).toEqual(['name', 'account']);
    expect(sections[1]?.fields).toEqual(['amount', 'stage', 'notes', 'close_on', 'owner_note']);
  });
});
