import { describe, expect, it } from 'vitest';
import { emptyGroup } from '../../conditions/condition-model';
import type { ObjectSchema } from '../../meta/meta-types';
import { conditionsOf, localProblems, newRule, ruleToSave } from './automation-model';

const deal: ObjectSchema = {
  type: 'object',
  properties: { name: { type: 'string' }, stage: { type: 'string', enum: ['new', 'won'] }, amount: { type: 'number' } },
};

describe('automation rule model', () => {
  it('saves the builder as `when`, the advanced expression as `condition`, and leaves empty parts out', () => {
    const rule = { ...newRule('deal', 'Won'), condition: '  ' };
    const group = {
      ...emptyGroup(),
      items: [{ kind: 'row' as const, field: 'stage', op: 'eq' as const, value: 'won' }],
    };
    expect(ruleToSave(rule, deal, { group, raw: null }).rule).toEqual({
      label: 'Won',
      object: 'deal',
      trigger: { on: 'create' },
      actions: [],
      when: { stage: { eq: 'won' } },
    });
    expect(ruleToSave(rule, deal, { group: emptyGroup(), raw: null }).rule.when).toBeUndefined();
    expect(ruleToSave(rule, deal, { group, raw: '{"stage":' }).rawInvalid).toBe(true);
  });

  it('opens filters the builder cannot show as JSON', () => {
    const rule = { ...newRule('deal', 'x'), when: { 'account.name': { eq: 'Acme' } } };
    expect(conditionsOf(rule, deal).raw).toContain('account.name');
    expect(conditionsOf({ ...rule, when: { amount: { gt: 5 } } }, deal).raw).toBeNull();
  });

  it('finds what is missing before asking the server', () => {
    const rule = {
      ...newRule('deal', ' '),
      actions: [
        { type: 'notify', to: [], title: '' },
        { type: 'set', values: {} },
        { type: 'email', to: ['owner'], subject: 'Hi', template: '' },
      ],
    };
    expect(localProblems(rule)).toEqual({
      '/label': 'required',
      '/actions/0/title': 'required',
      '/actions/0/to': 'pickRecipient',
      '/actions/1/values': 'needsValues',
      '/actions/2/template': 'required',
    });
  });

  it('asks for the segment of a segment trigger', () => {
    const rule = { ...newRule('deal', 'Entered'), actions: [{ type: 'script', script: 'x' }] };
    expect(localProblems({ ...rule, trigger: { on: 'segment_entered' } })).toEqual({ '/trigger/segment': 'required' });
    expect(localProblems({ ...rule, trigger: { on: 'segment_left', segment: 'big' } })).toEqual({});
  });
});
