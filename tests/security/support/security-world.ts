import { expect } from 'vitest';
import { type ApiClient, createTestTenant, type TestServer, type TestTenant } from '../../support';

/**
 * One tenant shaped like a sales team, for the security probes:
 *
 *   director (manager) → mgr (manager) → lead (manager) → rep3 (rep)
 *                                  mgr → rep1 (rep), rep2 (rep)
 *   viewer (viewer: reads every deal, edits nothing), outsider (no roles)
 *
 * `deal` has a hidden field (`margin`, none for reps and viewers, read for managers), a read-only one
 * for reps (`discount`) and a hidden text field (`secret_note`) to probe `q` search. Won deals are
 * shared with reps by a sharing rule. Every user owns one deal, created through the records API.
 */
export interface World {
  tenant: TestTenant;
  users: Record<UserKey, { id: string; email: string; password: string; api: ApiClient }>;
  /** Deal id per owner, plus `won` (owned by rep2, stage won). */
  deals: Record<UserKey | 'won' | 'admin', string>;
  account: string;
}

export type UserKey = 'director' | 'mgr' | 'lead' | 'rep1' | 'rep2' | 'rep3' | 'viewer' | 'outsider';

export const SECRET = 'zebra-confidential';

export async function buildWorld(server: TestServer, prefix: string): Promise<World> {
  const tenant = await createTestTenant(server, { prefix });
  const put = async (path: string, body: unknown) => {
    const r = await tenant.api.put(path, body);
    expect(r.status, r.text).toBe(200);
  };
  await put('/api/meta/objects/account', {
    title: 'Account',
    type: 'object',
    'x-label-field': 'name',
    properties: { name: { type: 'string', maxLength: 200 }, rating: { type: 'integer' } },
    required: ['name'],
  });
  await put('/api/meta/objects/deal', {
    title: 'Deal',
    type: 'object',
    'x-label-field': 'name',
    properties: {
      name: { type: 'string', maxLength: 200 },
      amount: { type: 'number', minimum: 0, 'x-kind': 'currency' },
      stage: { type: 'string', enum: ['new', 'won', 'lost'], default: 'new' },
      discount: { type: 'number', minimum: 0, maximum: 100, 'x-kind': 'percent' },
      margin: { type: 'number' },
      secret_note: { type: 'string', maxLength: 200 },
      account: { type: 'string', format: 'uuid', 'x-ref': 'account' },
    },
    required: ['name'],
  });
  const hidden = { margin: 'none', secret_note: 'none' };
  await put('/api/meta/roles/rep', {
    objects: {
      deal: { create: true, read: 'own', update: 'own', delete: false, fields: { ...hidden, discount: 'read' } },
      account: { read: 'all', fields: { rating: 'none' } },
    },
    sharing: [{ object: 'deal', filter: { stage: { eq: 'won' } }, access: 'read' }],
  });
  await put('/api/meta/roles/manager', {
    objects: {
      deal: {
        create: true,
        read: 'subordinates',
        update: 'subordinates',
        delete: 'own',
        fields: { margin: 'read', secret_note: 'none' },
      },
      account: { read: 'all' },
    },
  });
  await put('/api/meta/roles/viewer', { objects: { deal: { read: 'all', fields: hidden } } });

  const users = {} as World['users'];
  users.director = await tenant.addUser({ roles: ['manager'], name: 'Director' });
  users.mgr = await tenant.addUser({ roles: ['manager'], manager: users.director.id, name: 'Manager' });
  users.lead = await tenant.addUser({ roles: ['manager'], manager: users.mgr.id, name: 'Lead' });
  users.rep1 = await tenant.addUser({ roles: ['rep'], manager: users.mgr.id, name: 'Rep 1' });
  users.rep2 = await tenant.addUser({ roles: ['rep'], manager: users.mgr.id, name: 'Rep 2' });
  users.rep3 = await tenant.addUser({ roles: ['rep'], manager: users.lead.id, name: 'Rep 3' });
  users.viewer = await tenant.addUser({ roles: ['viewer'], name: 'Viewer' });
  users.outsider = await tenant.addUser({ roles: [], name: 'Outsider' });

  const acc = await tenant.api.post('/api/records/account', { name: 'Acme', rating: 5 });
  expect(acc.status, acc.text).toBe(201);
  const deals = {} as World['deals'];
  const create = async (api: ApiClient, body: Record<string, unknown>) => {
    const r = await api.post('/api/records/deal', body);
    expect(r.status, r.text).toBe(201);
    return r.body.id as string;
  };
  for (const key of ['director', 'mgr', 'lead', 'rep1', 'rep2', 'rep3'] as const) {
    deals[key] = await create(users[key].api, { name: `Deal of ${key}`, amount: 100, account: acc.body.id });
  }
  deals.won = await create(users.rep2.api, { name: 'Won deal of rep2', amount: 500, stage: 'won' });
  deals.admin = await create(tenant.api, {
    name: 'Admin deal',
    amount: 1,
    margin: 42,
    secret_note: SECRET,
    discount: 5,
  });
  // Hidden values on every deal, set by the admin (who bypasses field security).
  for (const key of ['rep1', 'rep2', 'rep3', 'mgr'] as const) {
    const r = await tenant.api.patch(
      `/api/records/deal/${deals[key]}`,
      { margin: 42, secret_note: SECRET, discount: 5 },
      {
        headers: { 'if-match': '1' },
      },
    );
    expect(r.status, r.text).toBe(200);
  }
  return { tenant, users, deals, account: acc.body.id };
}

/** No answer may carry a hidden field or value, whatever the channel. */
export function expectNoLeak(body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  expect(text).not.toContain(SECRET);
  expect(text).not.toMatch(/"margin"|"secret_note"|\bmargin\b,|,margin\b/);
}
