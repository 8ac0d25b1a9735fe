import { describe, expect, it } from 'vitest';
import { loadSavedViews, type SavedView, storeSavedViews } from './saved-views';

function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return {
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    data,
  };
}

const view: SavedView = { id: 'v1', label: 'Won', columns: ['name'], filters: [], sort: ['-amount'], q: '' };

describe('saved views', () => {
  it('are kept per tenant, user and object', () => {
    const s = memoryStorage();
    storeSavedViews('acme', 'u1', 'deal', [view], s);
    expect(loadSavedViews('acme', 'u1', 'deal', s)).toEqual([view]);
    expect(loadSavedViews('acme', 'u2', 'deal', s)).toEqual([]);
    expect(loadSavedViews('other', 'u1', 'deal', s)).toEqual([]);
  });

  it('survive corrupt or foreign storage content', () => {
    const s = memoryStorage({
      'forma.views.acme.u1.deal': '{not json',
      'forma.views.acme.u1.lead': JSON.stringify([{ id: 1 }, view, 'x']),
    });
    expect(loadSavedViews('acme', 'u1', 'deal', s)).toEqual([]);
    expect(loadSavedViews('acme', 'u1', 'lead', s)).toEqual([view]);
  });

  it('do not throw when storage refuses to write', () => {
    const full = {
      getItem: () => null,
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    expect(() => storeSavedViews('acme', 'u1', 'deal', [view], full)).not.toThrow();
    expect(loadSavedViews('acme', 'u1', 'deal', undefined)).toEqual([]);
  });
});
