import type { MetadataDocument } from '@forma/platform/plugin-api';

type WebFormDefinition = NonNullable<MetadataDocument['webForms']>[string];

/**
 * Public forms (docs/public-forms.md): no owner is named, so their records belong to the tenant's
 * first admin in every tenant the template is applied to; an admin picks a sales or service user.
 */
export const webForms: Record<string, WebFormDefinition> = {
  contact_us: {
    label: 'Contact us',
    description: 'Tell us about your company and what you need; we answer within one working day.',
    object: 'lead',
    fields: [
      { field: 'contact_name', required: true },
      { field: 'company' },
      { field: 'email', required: true },
      { field: 'phone' },
      { field: 'industry' },
      { field: 'notes', label: 'How can we help?', 'x-i18n': { 'zh-CN': { title: '我们能为您做什么？' } } },
    ],
    hidden: { source: 'web' },
    defaults: {},
    thankYou: 'Thank you! Our team will get back to you within one working day.',
    submitLabel: 'Send',
    'x-i18n': {
      'zh-CN': {
        label: '联系我们',
        description: '请告诉我们您的公司和需求，我们会在一个工作日内回复。',
        thankYou: '谢谢！我们的团队会在一个工作日内与您联系。',
        submitLabel: '提交',
      },
    },
  },
  report_a_problem: {
    label: 'Report a problem',
    description: 'Describe what went wrong; a service engineer will pick it up.',
    object: 'service_case',
    fields: [{ field: 'subject', required: true }, { field: 'priority' }, { field: 'description', required: true }],
    hidden: { channel: 'web' },
    defaults: { priority: 'medium' },
    thankYou: 'Thank you! Your problem report has been filed.',
    'x-i18n': {
      'zh-CN': {
        label: '报告问题',
        description: '请描述出现的问题，服务工程师会尽快处理。',
        thankYou: '谢谢！您的问题已登记。',
      },
    },
  },
};
