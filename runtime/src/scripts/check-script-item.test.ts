import { describe, expect, it } from 'vitest';
import type { Ctx } from '../ctx';
import type { SectionCheckInput } from '../meta/section-checks';
import { checkScriptItem } from './check-script-item';

const check = async (item: { code?: unknown; language?: unknown }) =>
  await checkScriptItem({} as Ctx, { name: 'rule', item } as SectionCheckInput<typeof item>);

describe('checkScriptItem', () => {
  it('accepts a script that compiles', async () => {
    expect(await check({ code: "if (record.amount < 0) error('amount', 'Must be positive');" })).toEqual([]);
    expect(
      await check({ code: "const n: number = record.amount;\nif (n < 0) error('amount', 'no');", language: 'ts' }),
    ).toEqual([]);
  });

  it('reports every diagnostic at /code with its line and column', async () => {
    expect(await check({ code: "const n: number = 'x';\nreocrd.a;", language: 'ts' })).toEqual([
      { path: '/code', message: "line 1, column 7: Type 'string' is not assignable to type 'number'." },
      { path: '/code', message: "line 2, column 1: Cannot find name 'reocrd'. Did you mean 'record'?" },
    ]);
    expect((await check({ code: 'if (' }))[0]).toMatchObject({
      path: '/code',
      message: expect.stringMatching(/^line 1, column 5: /),
    });
  });

  it('leaves a missing code to the meta-schema', async () => {
    expect(await check({})).toEqual([]);
    expect(await check({ code: 42 })).toEqual([]);
  });
});
