import { describe, expect, it } from 'vitest';
import { type ApiClient, createApiClient } from '../../api/api-client';
import { applyPublish, historySteps, planPublish } from './meta-write-api';

function recording(): {
  client: ApiClient;
  calls: Array<{ url: string; method: string; headers: Headers; body: unknown }>;
} {
  const calls: Array<{ url: string; method: string; headers: Headers; body: unknown }> = [];
  const client = createApiClient({
    fetch: async (input, init) => {
      calls.push({
        url: String(input),
        method: init?.method ?? 'GET',
        headers: new Headers(init?.headers),
        body: init?.body ? JSON.parse(String(init.body)) : undefined,
      });
      return new Response(JSON.stringify({ version: 8, changed: true, steps: [] }), {
        headers: { 'content-type': 'application/json' },
      });
    },
  });
  return { client, calls };
}

describe('meta write API', () => {
  it('plans a document or a revert without changing anything', async () => {
    const { client, calls } = recording();
    await planPublish(client, { document: { forms: { deal: null } } });
    await planPublish(client, { revertTo: 3 });
    expect(calls.map((c) => [c.method, c.url, c.body])).toEqual([
      ['POST', '/api/meta/plan', { forms: { deal: null } }],
      ['POST', '/api/meta/history/3/revert/plan', undefined],
    ]);
  });

  it('applies against the planned version, destructive steps only when acknowledged', async () => {
    const { client, calls } = recording();
    await applyPublish(client, { document: { views: {} } }, { allowDestructive: false, expectedVersion: 7 });
    await applyPublish(client, { revertTo: 2 }, { allowDestructive: true, expectedVersion: 9 });
    expect(calls[0]?.url).toBe('/api/meta/apply');
    expect(calls[0]?.headers.get('if-match')).toBe('7');
    expect(calls[1]?.url).toBe('/api/meta/history/2/revert?allowDestructive=true');
    expect(calls[1]?.headers.get('if-match')).toBe('9');
  });

  it('reads history steps in either stored shape', () => {
    const step = { kind: 'addColumn', destructive: false };
    expect(historySteps({ plan: [step] })).toEqual([step]);
    expect(historySteps({ plan: { steps: [step] } })).toEqual([step]);
    expect(historySteps({ plan: null })).toEqual([]);
  });
});
