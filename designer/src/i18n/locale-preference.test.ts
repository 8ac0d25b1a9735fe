import { describe, expect, it } from 'vitest';
import { type KeyValueStore, normalizeLocale, rememberLocale, resolveLocale } from './locale-preference';

function memoryStore(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

describe('normalizeLocale', () => {
  it('maps language tags onto the shipped languages', () => {
    expect(normalizeLocale('zh-CN')).toBe('zh-CN');
    expect(normalizeLocale('zh')).toBe('zh-CN');
    expect(normalizeLocale('zh-Hans-CN')).toBe('zh-CN');
    expect(normalizeLocale('en-GB')).toBe('en');
    expect(normalizeLocale('fr-FR')).toBeUndefined();
    expect(normalizeLocale('zh-TW')).toBeUndefined();
    expect(normalizeLocale(null)).toBeUndefined();
  });
});

describe('resolveLocale', () => {
  const alice = { tenant: 'acme', userId: 'u1' };
  const bob = { tenant: 'acme', userId: 'u2' };

  it('defaults to the browser language, then English', () => {
    expect(resolveLocale({ browserLanguages: ['fr', 'zh-CN'] })).toBe('zh-CN');
    expect(resolveLocale({ browserLanguages: ['fr'] })).toBe('en');
    expect(resolveLocale({})).toBe('en');
  });

  it('remembers each user separately and the last choice for the login page', () => {
    const store = memoryStore();
    rememberLocale(store, 'zh-CN', alice);
    expect(resolveLocale({ store, user: alice, browserLanguages: ['en'] })).toBe('zh-CN');
    // Signed out, the device's last choice is used.
    expect(resolveLocale({ store, browserLanguages: ['en'] })).toBe('zh-CN');
    rememberLocale(store, 'en', bob);
    expect(resolveLocale({ store, user: alice })).toBe('zh-CN');
    expect(resolveLocale({ store, user: bob })).toBe('en');
  });

  it('uses the profile locale before the device default when the user has not chosen here', () => {
    const store = memoryStore();
    rememberLocale(store, 'en');
    expect(resolveLocale({ store, user: alice, profileLocale: 'zh-CN' })).toBe('zh-CN');
    expect(resolveLocale({ store, user: alice, profileLocale: 'klingon' })).toBe('en');
  });

  it('survives storage that throws or holds garbage', () => {
    const broken: KeyValueStore = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('quota');
      },
    };
    expect(() => rememberLocale(broken, 'zh-CN', alice)).not.toThrow();
    expect(resolveLocale({ store: broken, user: alice, browserLanguages: ['zh'] })).toBe('zh-CN');
    const store = memoryStore();
    store.setItem('forma.locale', '<script>');
    expect(resolveLocale({ store })).toBe('en');
  });
});
