/**
 * The public survey page's own words, in the survey's language. They live here rather than in the
 * app's locale files because the page's language is the invitation's (the survey's questions come
 * from the server in it), not the browser's or a signed-in user's preference.
 */
export type SurveyPageLocale = 'en' | 'zh-CN';

export const SURVEY_TEXTS = {
  en: {
    loading: 'Loading the survey…',
    required: 'Required',
    optional: 'Optional',
    stars: (n: number) => `${n} of 5`,
    notLikely: 'Not at all likely',
    veryLikely: 'Extremely likely',
    chars: (n: number, max: number) => `${n} / ${max}`,
    send: 'Send my answers',
    fixErrors: 'Some answers need a change.',
    thanksTitle: 'Thank you!',
    answeredTitle: 'Already answered',
    answered: 'This survey has already been answered. Thank you for your feedback!',
    expiredTitle: 'This link has expired',
    expired: 'The survey link is no longer valid. If you still want to tell us something, reply to our e-mail.',
    invalidTitle: 'This link does not work',
    invalid: 'The survey link is not valid. Please open it from the e-mail exactly as it was sent.',
    busy: 'Too many requests. Please wait a moment and try again.',
    failed: 'Something went wrong. Please try again.',
    retry: 'Try again',
    language: 'Language',
  },
  'zh-CN': {
    loading: '正在加载调查…',
    required: '必填',
    optional: '选填',
    stars: (n: number) => `${n} 星（满分 5 星）`,
    notLikely: '完全不可能',
    veryLikely: '非常可能',
    chars: (n: number, max: number) => `${n} / ${max}`,
    send: '提交回答',
    fixErrors: '有些回答需要修改。',
    thanksTitle: '谢谢！',
    answeredTitle: '已经回答过了',
    answered: '此调查已经回答过了。感谢您的反馈！',
    expiredTitle: '链接已过期',
    expired: '此调查链接已失效。如果您还有话想告诉我们，请直接回复我们的邮件。',
    invalidTitle: '链接无效',
    invalid: '此调查链接无效。请从邮件中原样打开链接。',
    busy: '请求过于频繁，请稍候再试。',
    failed: '出了点问题，请重试。',
    retry: '重试',
    language: '语言',
  },
} as const;

export type SurveyTexts = (typeof SURVEY_TEXTS)[SurveyPageLocale];

/** The browser's language as one the page speaks, until the survey says which it is in. */
export function browserSurveyLocale(): SurveyPageLocale {
  return typeof navigator !== 'undefined' && navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}
