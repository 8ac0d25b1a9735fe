/**
 * Customer satisfaction: the case survey customers answer through an e-mailed link, the object its
 * answers are saved as, the rules that send it and follow up a low score, and the reports over it
 * (docs/surveys.md). All of it is metadata a consultant can read and change in the tenant.
 */
import type { MetadataDocument } from '@forma/platform/plugin-api';
import { type Field, formula, integer, lookup, object, select, text, textarea } from './fields';

type ReportDefinition = NonNullable<NonNullable<MetadataDocument['reports']>[string]>;
type SurveyDefinition = NonNullable<NonNullable<MetadataDocument['surveys']>[string]>;

const zh = (title: string) => ({ 'zh-CN': { title } });
const zhLabel = (label: string) => ({ 'zh-CN': { label } });

export const CASE_TYPES = [
  ['question', 'Question', '咨询'],
  ['problem', 'Problem', '故障'],
  ['complaint', 'Complaint', '投诉'],
  ['request', 'Request', '需求'],
] as const;

const REASONS = [
  ['speed', 'Speed', '速度'],
  ['expertise', 'Expertise', '专业'],
  ['friendliness', 'Friendliness', '态度'],
  ['other', 'Something else', '其他'],
] as const;

/** One answer to a survey: linked to the case and the contact, with the case's agent and type for reports. */
export const surveyResponse: Field = object(
  'Survey response',
  '调查回复',
  'service_case',
  {
    service_case: lookup('service_case', 'Case', '服务工单'),
    contact: lookup('contact', 'Contact', '联系人'),
    survey: text('Survey', '调查', 63),
    agent: lookup('user', 'Agent', '客服'),
    case_type: select('Case type', '工单类型', CASE_TYPES),
    rating: integer('Rating (1–5)', '评分(1-5)', { minimum: 1, maximum: 5 }),
    nps: integer('Likely to recommend (0–10)', '推荐意愿(0-10)', { minimum: 0, maximum: 10 }),
    reason: select('What mattered most', '最重要的因素', REASONS),
    comment: textarea('Comment', '评价', 2000),
    // NPS: promoters answer 9–10, detractors 0–6; a report's NPS is (promoters − detractors) / answers × 100.
    promoter: formula('record.nps == null ? null : (record.nps >= 9 ? 1 : 0)', 'Promoter', '推荐者', {
      type: 'integer',
    }),
    detractor: formula('record.nps == null ? null : (record.nps <= 6 ? 1 : 0)', 'Detractor', '贬损者', {
      type: 'integer',
    }),
    nps_answered: formula('record.nps == null ? 0 : 1', 'NPS answered', '已答推荐意愿', { type: 'integer' }),
  },
  ['service_case'],
);

export const surveys: Record<string, SurveyDefinition> = {
  case_satisfaction: {
    label: 'How did we do?',
    description: 'Sent when a service case is closed.',
    'x-i18n': {
      'zh-CN': { title: '我们的服务怎么样？', description: '感谢您联系我们。请花一分钟告诉我们您的感受。' },
    },
    object: 'service_case',
    intro: 'Thank you for contacting us. Please take a minute to tell us how we did.',
    thanks: 'Thank you! Your answer helps us serve you better.',
    thanksI18n: { 'zh-CN': '谢谢！您的反馈帮助我们做得更好。' },
    expiresIn: 'P14D',
    response: {
      object: 'survey_response',
      about: 'service_case',
      contact: 'contact',
      survey: 'survey',
      copy: { agent: 'owner', case_type: 'type' },
    },
    questions: [
      {
        id: 'rating',
        kind: 'rating',
        label: 'How satisfied are you with how we handled your case?',
        'x-i18n': zh('您对我们处理此工单的满意程度如何？'),
        field: 'rating',
        required: true,
      },
      {
        id: 'nps',
        kind: 'nps',
        label: 'How likely are you to recommend us to a friend or colleague?',
        'x-i18n': zh('您有多大可能向朋友或同事推荐我们？'),
        field: 'nps',
        required: true,
      },
      {
        id: 'reason',
        kind: 'choice',
        label: 'What mattered most to you?',
        'x-i18n': zh('对您来说最重要的是什么？'),
        field: 'reason',
        choices: REASONS.map(([value, label, zhLabel]) => ({ value, label, 'x-i18n': zh(zhLabel) })),
      },
      {
        id: 'comment',
        kind: 'text',
        label: 'Anything else you would like to tell us?',
        'x-i18n': zh('还有什么想告诉我们的吗？'),
        field: 'comment',
        maxLength: 2000,
      },
    ],
  },
};

/** Low scores: a rating of 2 or less, or an NPS of 6 or less (a detractor). Change the numbers here. */
const LOW_SCORE = { or: [{ rating: { lte: 2 } }, { nps: { lte: 6 } }] };

export const surveyAutomations = {
  case_closed_survey: {
    label: 'Survey the customer when a case is closed',
    description:
      'An hour after a case is closed, its contact gets the satisfaction survey by e-mail (a link that works once).',
    'x-i18n': { 'zh-CN': { title: '工单关闭后发送满意度调查' } },
    object: 'service_case',
    trigger: { on: 'update', fields: ['status'], changedTo: 'closed' },
    actions: [{ type: 'send_survey', survey: 'case_satisfaction', contact: 'contact', delay: 'PT1H' }],
  },
  low_score_follow_up: {
    label: 'Follow up a low survey score',
    description:
      "A survey answered with a rating of 2 or less or an NPS of 6 or less opens a high-priority task for the case agent's manager.",
    'x-i18n': { 'zh-CN': { title: '低分调查跟进' } },
    object: 'survey_response',
    trigger: { on: 'create' },
    when: LOW_SCORE,
    actions: [
      {
        type: 'create',
        object: 'activity',
        owner: { managerOf: 'agent' },
        values: { type: 'task', priority: 'high', due_on: '$today', assigned_to: '$managerOf:agent' },
        expressions: {
          subject:
            "('Low survey score: rating ' + (record.rating ?? '-') + ', NPS ' + (record.nps ?? '-') + (record.comment ? ' — ' + record.comment : '')).slice(0, 200)",
          service_case: 'record.service_case',
          contact: 'record.contact || null',
        },
      },
    ],
  },
};

const measures = (): ReportDefinition['aggregates'] => [
  { fn: 'avg', field: 'rating', as: 'rating', label: 'Average rating', 'x-i18n': zhLabel('平均评分') },
  { fn: 'count', as: 'responses', label: 'Responses', 'x-i18n': zhLabel('回复数') },
  { fn: 'sum', field: 'promoter', as: 'promoters', label: 'Promoters', 'x-i18n': zhLabel('推荐者') },
  { fn: 'sum', field: 'detractor', as: 'detractors', label: 'Detractors', 'x-i18n': zhLabel('贬损者') },
  { fn: 'sum', field: 'nps_answered', as: 'nps_answers', label: 'NPS answers', 'x-i18n': zhLabel('推荐意愿回答数') },
];

// NPS = % promoters − % detractors of those who answered the NPS question (null without answers).
const derive = (): NonNullable<ReportDefinition['derive']> => [
  { as: 'avg_rating', expr: 'round(rating, 2)', label: 'Satisfaction (1–5)', 'x-i18n': zhLabel('满意度(1-5)') },
  {
    as: 'nps',
    expr: 'round((promoters - detractors) * 100 / nps_answers, 1)',
    label: 'NPS',
    'x-i18n': zhLabel('净推荐值'),
  },
];

export const surveyReports: Record<string, ReportDefinition> = {
  csat_by_month: {
    label: 'Satisfaction and NPS by month',
    'x-i18n': zh('按月满意度与净推荐值'),
    object: 'survey_response',
    groupBy: [{ field: 'created_at', bucket: 'month', as: 'month' }],
    aggregates: measures(),
    derive: derive(),
    chart: 'line',
    chartValue: 'avg_rating',
  },
  csat_by_agent: {
    label: 'Satisfaction and NPS by agent',
    'x-i18n': zh('按客服满意度与净推荐值'),
    object: 'survey_response',
    groupBy: [{ field: 'agent' }],
    aggregates: measures(),
    derive: derive(),
    chart: 'bar',
    chartValue: 'nps',
  },
  csat_by_case_type: {
    label: 'Satisfaction and NPS by case type',
    'x-i18n': zh('按工单类型满意度与净推荐值'),
    object: 'survey_response',
    groupBy: [{ field: 'case_type' }],
    aggregates: measures(),
    derive: derive(),
    chart: 'bar',
    chartValue: 'avg_rating',
  },
};

export const surveyViews = {
  survey_responses: {
    object: 'survey_response',
    label: 'Survey responses',
    columns: ['service_case', 'contact', 'agent', 'rating', 'nps', 'reason', 'comment', 'created_at'],
    sort: ['-created_at'],
    default: true,
    'x-i18n': zh('调查回复'),
  },
};
