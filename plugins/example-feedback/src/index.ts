import { definePlugin } from '@forma/platform/plugin-api';
import { migrations } from './migrations';
import { npsFieldKind } from './nps-field-kind';
import { routes } from './routes';
import { snapshot } from './votes-store';

/** The sample plugin of the docs/plugins.md tutorial. */
export default definePlugin({
  name: 'example-feedback',
  version: '1.0.0',
  description: 'Customer feedback: NPS votes, a survey object and a daily NPS snapshot',
  engines: { forma: '^0.1.0' },

  fieldKinds: [npsFieldKind],

  // Registered as the template `example-feedback`: POST /api/templates/example-feedback/apply.
  template: {
    label: 'Customer feedback',
    sampleData: { survey: [{ title: 'Onboarding call', score: 9, comment: 'Very helpful' }] },
  },
  metadata: {
    objects: {
      survey: {
        title: 'Survey answer',
        type: 'object',
        'x-label-field': 'title',
        'x-i18n': { 'zh-CN': { title: '问卷回答' } },
        properties: {
          title: { type: 'string', title: 'Title', maxLength: 200, 'x-i18n': { 'zh-CN': { title: '标题' } } },
          score: { type: 'integer', 'x-kind': 'nps', title: 'Score', 'x-i18n': { 'zh-CN': { title: '评分' } } },
          comment: {
            type: 'string',
            'x-kind': 'textarea',
            title: 'Comment',
            maxLength: 2000,
            'x-i18n': { 'zh-CN': { title: '评论' } },
          },
        },
        required: ['title', 'score'],
      },
    },
    views: {
      detractors: {
        object: 'survey',
        label: 'Detractors',
        columns: ['title', 'score', 'comment'],
        filter: { score: { lte: 6 } },
        sort: ['score'],
      },
    },
    forms: { survey: { object: 'survey', uiSchema: { 'ui:order': ['title', 'score', 'comment'] } } },
  },
  scripts: {
    low_score_needs_comment: {
      object: 'survey',
      event: 'validate',
      code: "if (record.score <= 6 && !record.comment) error('comment', 'Tell us what went wrong');",
    },
  },

  migrations,
  routes,

  hooks: {
    // Filter hooks run inside the save transaction and may change the payload.
    filters: {
      // Declaring the objects a hook concerns keeps every other object's imports set-based.
      'record.beforeCreate': {
        objects: ['survey'],
        handler: (_ctx, payload: { record?: Record<string, unknown> }) => {
          if (typeof payload.record?.title === 'string') payload.record.title = payload.record.title.trim();
        },
      },
    },
  },

  async onTenantCreated(ctx, input, { logger }) {
    logger.info({ tenant: ctx.tenant, template: input.template ?? null }, 'feedback tables ready');
  },

  jobs: [
    {
      name: 'daily-snapshot',
      cron: '5 0 * * *',
      async run(ctx, { now }) {
        await snapshot(ctx, now.toISOString().slice(0, 10));
      },
    },
  ],
});
