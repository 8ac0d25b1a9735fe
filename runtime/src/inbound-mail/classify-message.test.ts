import { describe, expect, it } from 'vitest';
import { automaticReason, normaliseId, referencedIds, subjectTokens } from './classify-message';

const headers = (h: Record<string, unknown>) => {
  const m = new Map(Object.entries(h));
  return { get: (name: string) => m.get(name) };
};

describe('automaticReason', () => {
  it('lets a person’s message through', () => {
    expect(automaticReason(headers({ 'auto-submitted': 'no', precedence: 'normal' }), 'ann@x.test')).toBeUndefined();
  });

  it.each([
    [{ 'auto-submitted': 'auto-replied' }, 'ann@x.test', /Auto-Submitted/],
    [{ 'auto-submitted': 'auto-generated' }, 'ann@x.test', /Auto-Submitted/],
    [{ precedence: 'bulk' }, 'ann@x.test', /Precedence/],
    [{ precedence: 'Junk' }, 'ann@x.test', /Precedence/],
    [{ precedence: 'list' }, 'ann@x.test', /Precedence/],
    [{ 'x-autoreply': 'yes' }, 'ann@x.test', /x-autoreply/],
    [{ 'x-auto-response-suppress': 'OOF, AutoReply' }, 'ann@x.test', /Suppress/],
    [{ 'list-id': { value: 'news.x.test' } }, 'ann@x.test', /list/],
    [{}, '', /bounce/],
    [{}, 'MAILER-DAEMON@x.test', /daemon/],
  ])('flags %j from %s', (h, from, reason) => {
    expect(automaticReason(headers(h), from)).toMatch(reason);
  });
});

describe('subjectTokens', () => {
  it('reads bracketed tokens in order, without repeats, at most three', () => {
    expect(subjectTokens('Re: Printer [CS-2026-00012] [CS-2026-00012] [a] [b] [c]')).toEqual([
      'CS-2026-00012',
      'a',
      'b',
    ]);
    expect(subjectTokens('no tokens [with space] []')).toEqual([]);
  });
});

describe('referencedIds', () => {
  it('puts In-Reply-To first, then References newest first, normalised and unique', () => {
    expect(referencedIds('<B@x.test>', ['<a@x.test>', '<b@x.test>', '<c@x.test>'])).toEqual([
      'b@x.test',
      'c@x.test',
      'a@x.test',
    ]);
    expect(referencedIds(undefined, '<a@x> <b@x>')).toEqual(['b@x', 'a@x']);
    expect(referencedIds(42, null)).toEqual([]);
  });

  it('normalises one id', () => {
    expect(normaliseId(' <Abc@Host> ')).toBe('abc@host');
  });
});
