import { describe, expect, it } from 'vitest';
import { en } from './en';
import { zhCN } from './zh-cn';

function flatten(obj: Record<string, unknown>, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v === 'string') out[prefix + k] = v;
    else Object.assign(out, flatten(v as Record<string, unknown>, `${prefix}${k}.`));
  }
  return out;
}

const placeholders = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

describe('translations', () => {
  const base = flatten(en);
  const zh = flatten(zhCN);

  it('cover the same keys in every language, none blank', () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(base).sort());
    for (const [k, v] of Object.entries(zh)) expect(v.trim(), k).not.toBe('');
  });

  it('use the same interpolation placeholders as English', () => {
    for (const [k, v] of Object.entries(base)) expect(placeholders(zh[k] ?? ''), k).toEqual(placeholders(v));
  });
});
