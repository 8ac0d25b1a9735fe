import type { SurveyDefinition } from '@forma/metadata';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../errors';
import { answerValues, publicSurvey } from './survey-answers';

const survey: SurveyDefinition = {
  label: 'How did we do?',
  'x-i18n': { 'zh-CN': { title: '我们做得怎么样？' } },
  object: 'service_case',
  response: { object: 'survey_response', about: 'service_case' },
  questions: [
    { id: 'rating', kind: 'rating', label: 'Rating', field: 'rating', required: true },
    { id: 'nps', kind: 'nps', label: 'Recommend?', field: 'nps' },
    {
      id: 'reason',
      kind: 'choice',
      label: 'Main reason',
      field: 'reason',
      choices: [
        { value: 'speed', label: 'Speed', 'x-i18n': { 'zh-CN': { title: '速度' } } },
        { value: 'quality', label: 'Quality' },
      ],
    },
    { id: 'comment', kind: 'text', label: 'Comment', field: 'comment', maxLength: 10 },
  ],
};

function errorsOf(answers: Record<string, unknown>, locale: 'en' | 'zh-CN' = 'en'): Record<string, string> {
  try {
    answerValues(survey, answers, locale);
  } catch (e) {
    if (isAppError(e) && e.code === 'VALIDATION_FAILED') return e.fields ?? {};
    throw e;
  }
  throw new Error('accepted');
}

describe('survey answers', () => {
  it('maps answers to the response fields', () => {
    expect(answerValues(survey, { rating: 4, nps: 0, reason: 'speed', comment: ' ok ' }, 'en')).toEqual({
      rating: 4,
      nps: 0,
      reason: 'speed',
      comment: 'ok',
    });
    expect(answerValues(survey, { rating: 1, comment: '' }, 'en')).toEqual({ rating: 1 });
  });

  it('refuses out-of-range, wrong types, unknown questions and missing required ones, all at once', () => {
    expect(errorsOf({ rating: 7, nps: 11, reason: 'price', comment: 'far too long text', extra: 1 })).toEqual({
      rating: 'Choose a whole number from 1 to 5',
      nps: 'Choose a whole number from 0 to 10',
      reason: 'Choose one of the options',
      comment: 'At most 10 characters',
      extra: 'Not a question of this survey',
    });
    expect(errorsOf({ rating: '5' }).rating).toBe('Choose a whole number from 1 to 5');
    expect(errorsOf({ rating: 4.5 }).rating).toBe('Choose a whole number from 1 to 5');
    expect(errorsOf({ nps: 3 })).toEqual({ rating: 'Please answer this question' });
    expect(errorsOf({ nps: 3, comment: 5 })).toEqual({ rating: 'Please answer this question', comment: 'Enter text' });
    expect(errorsOf({}, 'zh-CN')).toEqual({ rating: '请回答这个问题' });
  });

  it('shows the survey in the page language, falling back to English', () => {
    const zh = publicSurvey(survey, 'zh-CN');
    expect(zh.title).toBe('我们做得怎么样？');
    expect(zh.questions[2]?.choices).toEqual([
      { value: 'speed', label: '速度' },
      { value: 'quality', label: 'Quality' },
    ]);
    expect(zh.questions[0]).toMatchObject({ kind: 'rating', min: 1, max: 5, required: true });
    expect(publicSurvey(survey, 'en').title).toBe('How did we do?');
  });
});
