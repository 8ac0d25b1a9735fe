import type { MetadataDocument, WebFormDefinition } from '@forma/metadata';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../model/load-model';
import { formText, ineligibleReason, publicObjectSchema } from './web-form-fields';

const doc = {
  objects: {
    account: { title: 'Account', type: 'object', properties: { name: { type: 'string', title: 'Name' } } },
    lead: {
      title: 'Lead',
      type: 'object',
      required: ['company'],
      properties: {
        company: { type: 'string', title: 'Company', maxLength: 200, 'x-i18n': { 'zh-CN': { title: '公司' } } },
        size: { type: 'string', title: 'Size', enum: ['s', 'l'], 'x-i18n': { 'zh-CN': { enum: { s: '小' } } } },
        secret_note: { type: 'string', title: 'Secret note', 'x-unique': true },
        account: { type: 'string', format: 'uuid', 'x-ref': 'account', title: 'Account' },
        score: { type: 'number', title: 'Score', 'x-formula': '1 + 1' },
        website_url: { type: 'string', title: 'Website' },
      },
    },
  },
} as unknown as MetadataDocument;
const lead = loadModel(doc, 1).object('lead');

const form: WebFormDefinition = {
  label: 'Leads',
  object: 'lead',
  fields: [
    { field: 'company', label: 'Your company', 'x-i18n': { 'zh-CN': { label: '贵公司' } } },
    { field: 'size', required: true },
  ],
  'x-i18n': { 'zh-CN': { label: '线索' } },
};

describe('web form fields', () => {
  it('refuses system, computed and lookup fields, accepts plain ones', () => {
    expect(ineligibleReason(lead.field('owner'))).toBe('a system field');
    expect(ineligibleReason(lead.field('score'))).toBe('computed');
    expect(ineligibleReason(lead.field('account'))).toBe('a lookup');
    expect(ineligibleReason(lead.field('company'))).toBeUndefined();
    // The honeypot's name: a real field of that name could never be filled through the form.
    expect(ineligibleReason(lead.field('website_url'))).toMatch(/robot checks/);
  });

  it('describes only the exposed fields, with the form labels and their translations', () => {
    const schema = publicObjectSchema(lead, form) as {
      properties: Record<string, Record<string, unknown>>;
      required: string[];
    };
    expect(Object.keys(schema.properties)).toEqual(['company', 'size']);
    expect(schema.properties.company).toMatchObject({
      type: 'string',
      maxLength: 200,
      title: 'Your company',
      'x-i18n': { 'zh-CN': { title: '贵公司' } },
    });
    expect(schema.properties.size!['x-i18n']).toEqual({ 'zh-CN': { enum: { s: '小' } } });
    expect(schema.required.sort()).toEqual(['company', 'size']);
    expect(JSON.stringify(schema)).not.toContain('secret_note');
    expect(JSON.stringify(schema)).not.toContain('x-unique');
  });

  it('picks the form texts by language, then the base language, then its own', () => {
    expect(formText(form, 'label', 'zh-CN')).toBe('线索');
    expect(formText({ ...form, 'x-i18n': { zh: { label: '线' } } }, 'label', 'zh-CN')).toBe('线');
    expect(formText(form, 'label', 'en')).toBe('Leads');
    expect(formText(form, 'thankYou', 'en')).toBeUndefined();
  });
});
