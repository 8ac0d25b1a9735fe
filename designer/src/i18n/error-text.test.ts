import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/api-error';
import { en } from './locales/en';
import { zhCN } from './locales/zh-cn';
import { readFileSync } from 'node:fs';
import { apiErrorText, codeOfKeyword, fieldErrorText, issueText, translatedFieldErrors } from './error-text';

async function tFor(lng: string) {
  const i = i18next.createInstance();
  await i.init({
    lng,
    fallbackLng: 'en',
    resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
    interpolation: { escapeValue: false },
  });
  return i.t;
}

describe('field error text', () => {
  it('says coded errors in plain words in both languages', async () => {
    const [tEn, tZh] = [await tFor('en'), await tFor('zh-CN')];
    expect(fieldErrorText(tEn, { code: 'min', params: { limit: 0 } })).toBe('Must be at least 0');
    expect(fieldErrorText(tZh, { code: 'min', params: { limit: 0 } })).toBe('不能小于 0');
    expect(fieldErrorText(tZh, { code: 'format', params: { format: 'date' } })).toBe('请输入日期（YYYY-MM-DD）');
    expect(fieldErrorText(tZh, { code: 'type', params: { type: 'number' } })).toBe('必须是数字');
    expect(
      fieldErrorText(tZh, { code: 'one_of', params: { values: ['new', 'won'] } }, { enumLabel: (v) => `<${v}>` }),
    ).toBe('必须是以下之一：<new>、<won>');
    expect(fieldErrorText(tZh, { code: 'never-heard-of-it' })).toBeUndefined();
  });

  it("maps the browser's ajv keywords to the same codes", async () => {
    const tZh = await tFor('zh-CN');
    const coded = codeOfKeyword('minimum', { comparison: '>=', limit: 0 });
    expect(coded).toEqual({ code: 'min', params: { comparison: '>=', limit: 0 } });
    expect(fieldErrorText(tZh, coded!)).toBe('不能小于 0');
    expect(codeOfKeyword('type', { type: ['number', 'null'] })).toEqual({ code: 'type', params: { type: 'number' } });
    expect(codeOfKeyword('if', {})).toBeUndefined();
  });

  it("translates the server's coded fields and keeps uncoded text as sent", async () => {
    const tZh = await tFor('zh-CN');
    const err = new ApiError('VALIDATION_FAILED', 'The record is not valid', {
      status: 400,
      fields: { amount: 'Must be at least 0', discount: 'Above 20% needs a manager', 'lines.0.qty': 'Required' },
      details: {
        fieldErrors: {
          amount: { code: 'min', params: { limit: 0 } },
          discount: { code: 'script', params: { message: 'Above 20% needs a manager' } },
          'lines.0.qty': { code: 'required' },
        },
      },
    });
    expect(translatedFieldErrors(tZh, err, { locale: 'zh-CN' })).toEqual({
      amount: '不能小于 0',
      discount: 'Above 20% needs a manager',
      'lines.0.qty': '必填',
    });
  });

  it('says script failures from their facts', async () => {
    const tZh = await tFor('zh-CN');
    const err = new ApiError('SCRIPT_FAILED', 'Script "x" timed out after 1000 ms', {
      status: 422,
      details: { reason: 'timeout', script: 'x', unitKind: 'script', timeoutMs: 1000 },
    });
    expect(apiErrorText(tZh, err)).toBe('脚本“x”运行超过 1000 毫秒，已停止');
    const other = new ApiError('CONFLICT', 'Someone else saved', { status: 409 });
    expect(apiErrorText(tZh, other)).toBe('Someone else saved');
  });
});

describe('metadata issue text', () => {
  const schema = JSON.parse(
    readFileSync(new URL('../../../metadata/schemas/api.schema.json', import.meta.url), 'utf8'),
  ) as { $defs: { metadataIssueCode: { enum: string[] } } };
  const codes = schema.$defs.metadataIssueCode.enum;

  it('has words in English and Chinese for every code the server sends', () => {
    const metaIssues = (lang: typeof en) => (lang as unknown as { metaIssues: Record<string, string> }).metaIssues;
    expect(Object.keys(metaIssues(en)).sort()).toEqual([...codes].sort());
    expect(Object.keys(metaIssues(zhCN as typeof en)).sort()).toEqual([...codes].sort());
  });

  it('says coded issues in the language with their facts, and the server English otherwise', async () => {
    const i = i18next.createInstance();
    await i.init({
      lng: 'zh-CN',
      resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
      interpolation: { escapeValue: false },
    });
    const exists = (k: string) => i.exists(k);
    expect(
      issueText(i.t, exists, {
        message: 'Do not group by the compared field close_on: its periods are the comparison',
        code: 'report_group_by_compared',
        params: { field: 'close_on' },
      }),
    ).toBe('不要按比较的字段"close_on"分组：它的周期就是比较的内容。');
    expect(issueText(i.t, exists, { message: 'Nothing leads here', code: 'unreachable' })).toBe(
      zhCN.workflowIssues.unreachable,
    );
    // What a removal would break names its user, in the user's own sentence where there is one.
    const stillUsed = {
      message:
        'Field "Score" (client.score) is still used by segment "Big in the North" (big_north): change or remove that first',
      code: 'still_used',
      params: {
        kind: 'field',
        what: 'client.score',
        whatLabel: 'Score',
        via: 'segment',
        name: 'big_north',
        user: '北区大客户',
      },
    };
    expect(issueText(i.t, exists, stillUsed)).toBe(
      '“Score”（client.score）仍被分群“北区大客户”的条件使用：请先修改该分群的条件或删除该分群。',
    );
    expect(
      issueText(i.t, exists, { ...stillUsed, params: { ...stillUsed.params, via: 'formula', user: 'client.total' } }),
    ).toBe('“Score”（client.score）仍被 client.total 使用：请先修改或删除它。');
    // An unknown code (a plugin's) or none: the server's words.
    expect(issueText(i.t, exists, { message: 'Plugin says no', code: 'plugin_no' })).toBe('Plugin says no');
    expect(issueText(i.t, exists, { message: 'is required' })).toBe('is required');
  });
});
