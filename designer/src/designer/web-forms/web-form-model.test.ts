import { describe, expect, it } from 'vitest';
import type { ObjectSchema } from '../../meta/meta-types';
import {
  type WebFormDefinition,
  definitionOf,
  draftOf,
  eligibleFields,
  embedSnippets,
  localProblems,
  newDraft,
} from './web-form-model';

const lead: ObjectSchema = {
  required: ['company'],
  properties: {
    company: { type: 'string', title: 'Company' },
    email: { type: 'string', format: 'email' },
    source: { type: 'string', enum: ['web', 'phone'] },
    employees: { type: 'integer' },
    campaign: { type: 'string', format: 'uuid', 'x-ref': 'campaign' },
    score: { type: 'number', 'x-formula': '1' },
    lines: { type: 'array', items: { type: 'object' } },
  },
};

const stored: WebFormDefinition = {
  label: 'Contact us',
  description: 'We answer quickly',
  object: 'lead',
  fields: [{ field: 'company', required: true, label: 'Your company' }, { field: 'email' }],
  hidden: { source: 'web' },
  defaults: { email: 'a@b.c' },
  limits: { perIpPerHour: 5 },
  submitLabel: 'Send',
  'x-i18n': { 'zh-CN': { label: '联系我们', submitLabel: '提交' }, de: { label: 'Kontakt' } },
};

describe('web form draft', () => {
  it('round-trips a stored form and keeps what the screen does not edit', () => {
    const def = definitionOf(draftOf(stored), stored, lead);
    expect(def).toEqual({ ...stored, active: true, proofOfWork: true });
  });

  it('drops defaults of fields taken off the form, types hidden values, writes Chinese texts', () => {
    const draft = draftOf(stored);
    draft.fields = [{ field: 'company', required: false }];
    draft.hidden = [
      { field: 'source', value: 'web' },
      { field: 'employees', value: '12' },
    ];
    draft.thankYouZh = '谢谢';
    draft.labelZh = '';
    const def = definitionOf(draft, stored, lead);
    expect(def.defaults).toBeUndefined();
    expect(def.fields).toEqual([{ field: 'company', label: 'Your company' }]);
    expect(def.hidden).toEqual({ source: 'web', employees: 12 });
    expect(def['x-i18n']).toEqual({ 'zh-CN': { submitLabel: '提交', thankYou: '谢谢' }, de: { label: 'Kontakt' } });
  });

  it('a new form carries only what was filled in', () => {
    const draft = { ...newDraft('lead', ' Leads '), fields: [{ field: 'company', required: true }] };
    expect(definitionOf(draft, undefined, lead)).toEqual({
      label: 'Leads',
      object: 'lead',
      fields: [{ field: 'company', required: true }],
      active: true,
      proofOfWork: true,
    });
  });

  it('offers only fields a stranger may write', () => {
    expect(eligibleFields(lead)).toEqual(['company', 'email', 'source', 'employees']);
  });

  it('says what is missing before anything is sent', () => {
    const draft = { ...newDraft('lead', ''), redirectUrl: 'javascript:alert(1)', hidden: [{ field: '', value: '' }] };
    expect(localProblems(draft, lead)).toEqual({
      '/label': { code: 'required' },
      '/fields': { code: 'noFields' },
      '/redirectUrl': { code: 'url' },
      '/hiddenRow/0': { code: 'hiddenField' },
    });
  });

  it('names a required field of the object that is neither on the form nor hidden', () => {
    const draft = { ...newDraft('lead', 'Leads'), fields: [{ field: 'email', required: false }] };
    expect(localProblems(draft, lead)).toEqual({ '/fields': { code: 'requiredLeftOff', field: 'company' } });
    expect(localProblems({ ...draft, hidden: [{ field: 'company', value: 'Acme' }] }, lead)).toEqual({});
    const withDefault = { ...lead, properties: { ...lead.properties, company: { type: 'string', default: 'n/a' } } };
    expect(localProblems(draft, withDefault)).toEqual({});
  });

  it('escapes the label in the embed snippets', () => {
    const s = embedSnippets('https://crm.example.com', 'acme', 'contact', 'Q&A "now" <b>', 'zh-CN');
    expect(s.url).toBe('https://crm.example.com/f/acme/contact');
    expect(s.iframe).toContain('src="https://crm.example.com/f/acme/contact?lang=zh-CN"');
    expect(s.iframe).toContain('title="Q&amp;A &quot;now&quot; &lt;b>"');
    expect(s.link).toBe(
      '<a href="https://crm.example.com/f/acme/contact?lang=zh-CN">Q&amp;A &quot;now&quot; &lt;b></a>',
    );
  });
});
