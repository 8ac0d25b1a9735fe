import type { SurveyDefinition } from '@forma/metadata';
import type { PublicSurvey as ApiPublicSurvey, PublicSurveyQuestion } from '@forma/metadata/api-types';
import { validationFailed } from '../errors';

export type SurveyLocale = 'en' | 'zh-CN';

export function surveyLocale(pref: unknown): SurveyLocale {
  return typeof pref === 'string' && pref.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

type I18n = Record<string, { title?: string; label?: string; description?: string } | undefined> | undefined;

function local(english: string, i18n: I18n, locale: SurveyLocale, key: 'title' | 'description' = 'title'): string {
  if (locale === 'en') return english;
  const entry = i18n?.[locale];
  const v = key === 'title' ? (entry?.title ?? entry?.label) : entry?.description;
  return typeof v === 'string' && v.trim() ? v : english;
}

const DEFAULT_TEXT_LENGTH = 2000;
const RANGE: Record<'rating' | 'nps', [number, number]> = { rating: [1, 5], nps: [0, 10] };

/**
 * What the public page shows (`PublicSurvey` of api.schema.json): the survey's texts in one language,
 * nothing of the tenant's model. Spelled as mapped types so route schemas accept it.
 */
export type PublicSurvey = Omit<ApiPublicSurvey, 'questions'> & {
  questions: Array<{ [K in keyof PublicSurveyQuestion]: PublicSurveyQuestion[K] }>;
};

export function publicSurvey(survey: SurveyDefinition, locale: SurveyLocale): PublicSurvey {
  const i18n = survey['x-i18n'] as I18n;
  return {
    title: local(survey.label, i18n, locale),
    intro: survey.intro ? local(survey.intro, i18n, locale, 'description') : null,
    thanks: (locale !== 'en' ? survey.thanksI18n?.[locale] : undefined) ?? survey.thanks ?? null,
    locale,
    questions: survey.questions.map((q) => ({
      id: q.id,
      kind: q.kind,
      label: local(q.label, q['x-i18n'] as I18n, locale),
      required: q.required === true,
      ...(q.kind === 'rating' || q.kind === 'nps' ? { min: RANGE[q.kind][0], max: RANGE[q.kind][1] } : {}),
      ...(q.kind === 'text' ? { maxLength: q.maxLength ?? DEFAULT_TEXT_LENGTH } : {}),
      ...(q.kind === 'choice'
        ? {
            choices: (q.choices ?? []).map((c) => ({
              value: c.value,
              label: local(c.label, c['x-i18n'] as I18n, locale),
            })),
          }
        : {}),
    })),
  };
}

/**
 * An answer (`{answers: {<question id>: value}}`) checked against the survey, as the response
 * record's field values. Every problem is reported at once, keyed by question id, in the page's
 * language; nothing is coerced (a rating of "5" or 4.5 is refused, not rounded).
 */
export function answerValues(
  survey: SurveyDefinition,
  answers: Record<string, unknown>,
  locale: SurveyLocale,
): Record<string, unknown> {
  const zh = locale === 'zh-CN';
  const errors: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const known = new Set(survey.questions.map((q) => q.id));
  for (const id of Object.keys(answers))
    if (!known.has(id)) errors[id] = zh ? '没有这个问题' : 'Not a question of this survey';
  for (const q of survey.questions) {
    let v = answers[q.id];
    if (typeof v === 'string' && q.kind !== 'choice') v = v.trim();
    if (v === undefined || v === null || v === '') {
      if (q.required) errors[q.id] = zh ? '请回答这个问题' : 'Please answer this question';
      continue;
    }
    if (q.kind === 'rating' || q.kind === 'nps') {
      const [min, max] = RANGE[q.kind];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
        errors[q.id] = zh ? `请选择 ${min} 到 ${max} 之间的整数` : `Choose a whole number from ${min} to ${max}`;
        continue;
      }
    } else if (q.kind === 'choice') {
      if (typeof v !== 'string' || !(q.choices ?? []).some((c) => c.value === v)) {
        errors[q.id] = zh ? '请选择列出的选项之一' : 'Choose one of the options';
        continue;
      }
    } else {
      const max = q.maxLength ?? DEFAULT_TEXT_LENGTH;
      if (typeof v !== 'string') {
        errors[q.id] = zh ? '请输入文字' : 'Enter text';
        continue;
      }
      if (v.length > max) {
        errors[q.id] = zh ? `最多 ${max} 个字符` : `At most ${max} characters`;
        continue;
      }
    }
    values[q.field] = v;
  }
  if (Object.keys(errors).length)
    throw validationFailed(zh ? '有些回答需要修改' : 'Some answers need a change', errors);
  return values;
}
