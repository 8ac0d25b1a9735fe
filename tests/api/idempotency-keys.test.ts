import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

/**
 * Idempotency keys on record writes (docs/records.md, Writes), what the phone's offline queue relies on:
 * a write sent twice applies once, the key reused for another write is refused, duplicates racing
 * each other still make one record, keys are per user and per tenant, a refused write leaves its key
 * free, and a keyed edit still meets the version check (conflicts) and the permission checks.
 */
let server: TestServer;
let tenant: TestTenant;
let other: TestTenant;
let rep: Awaited<ReturnType<TestTenant['addUser']>>;
let rep2: Awaited<ReturnType<TestTenant['addUser']>>;
let viewer: Awaited<ReturnType<TestTenant['addUser']>>;

const visit = {
  type: 'object',
  properties: {
    subject: { type: 'string', maxLength: 100 },
    notes: { type: 'string', maxLength: 2000 },
    minutes: { type: 'integer', minimum: 0 },
  },
  required: ['subject'],
};

const key = () => `k-${crypto.randomUUID()}`;

beforeAll(async () => {
  server = await startTestServer();
  tenant = await createTestTenant(server, { prefix: 'idemkey' });
  other = await createTestTenant(server, { prefix: 'idemkey2' });
  for (const t of [tenant, other]) expect((await t.api.put('/api/meta/objects/visit', visit)).status).toBe(200);
  const role = { label: 'Rep', objects: { visit: { create: true, read: 'own', update: 'own', delete: false } } };
  expect((await tenant.api.put('/api/meta/roles/rep', role)).status).toBe(200);
  const readOnly = {
    label: 'Viewer',
    objects: { visit: { create: false, read: 'all', update: false, delete: false } },
  };
  expect((await tenant.api.put('/api/meta/roles/viewer', readOnly)).status).toBe(200);
  rep = await tenant.addUser({ roles: ['rep'], name: 'Rep One' });
  rep2 = await tenant.addUser({ roles: ['rep'], name: 'Rep Two' });
  viewer = await tenant.addUser({ roles: ['viewer'], name: 'Viewer' });
}, 120_000);
afterAll(async () => {
  for (const t of [tenant, other])
    await server?.platform.delete(`/api/tenants/${t?.id}`, { query: { confirm: t?.id } });
  await server?.close();
});

async function visitsNamed(subject: string) {
  const r = await tenant.api.get('/api/records/visit', {
    query: { filter: JSON.stringify({ subject: { eq: subject } }), count: 'true' },
  });
  expect(r.status, r.text).toBe(200);
  return r.body.total as number;
}

describe('idempotency keys on creates', () => {
  it('applies a create sent twice with the same key once and answers the first answer again', async () => {
    const k = key();
    const body = { subject: 'Visit at Acme', minutes: 30 };
    const first = await rep.api.post('/api/records/visit', body, { headers: { 'idempotency-key': k } });
    expect(first.status, first.text).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await rep.api.post(
      '/api/records/visit',
      { minutes: 30, subject: 'Visit at Acme' },
      {
        headers: { 'idempotency-key': k },
      },
    );
    expect(again.status, again.text).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('etag')).toBe(`"${first.body.version}"`);
    expect(await visitsNamed('Visit at Acme')).toBe(1);
    // Without a key nothing changes: two posts, two records.
    await rep.api.post('/api/records/visit', { subject: 'Unkeyed' });
    await rep.api.post('/api/records/visit', { subject: 'Unkeyed' });
    expect(await visitsNamed('Unkeyed')).toBe(2);
  });

  it('refuses the same key with a different body, or for another object, with a clear 409', async () => {
    const k = key();
    expect(
      (await rep.api.post('/api/records/visit', { subject: 'Keyed A' }, { headers: { 'idempotency-key': k } })).status,
    ).toBe(201);
    const reused = await rep.api.post(
      '/api/records/visit',
      { subject: 'Keyed B' },
      { headers: { 'idempotency-key': k } },
    );
    expect(reused.status).toBe(409);
    expect(reused.body.error.code).toBe('CONFLICT');
    expect(reused.body.error.details).toEqual({ reason: 'IDEMPOTENCY_KEY_REUSED' });
    expect(reused.body.error.message).toMatch(/Idempotency-Key was already used for a different request/);
    expect(await visitsNamed('Keyed B')).toBe(0);
  });

  it('makes one record out of duplicates sent at the same time', async () => {
    const k = key();
    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        rep.api.post('/api/records/visit', { subject: 'Raced visit' }, { headers: { 'idempotency-key': k } }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201, 201]);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(answers.filter((a) => a.headers.get('idempotent-replayed') === 'true')).toHaveLength(5);
    expect(await visitsNamed('Raced visit')).toBe(1);
  });

  it('keeps keys apart per user and per tenant: nobody replays another one’s answer', async () => {
    const k = key();
    const mine = await rep.api.post('/api/records/visit', { subject: 'Mine' }, { headers: { 'idempotency-key': k } });
    const theirs = await rep2.api.post(
      '/api/records/visit',
      { subject: 'Theirs' },
      { headers: { 'idempotency-key': k } },
    );
    expect([mine.status, theirs.status]).toEqual([201, 201]);
    expect(theirs.body.id).not.toBe(mine.body.id);
    expect(theirs.body.subject).toBe('Theirs');
    // The same user-visible key in another tenant (its admin, the same body) writes there, once.
    const elsewhere = await other.api.post(
      '/api/records/visit',
      { subject: 'Mine' },
      { headers: { 'idempotency-key': k } },
    );
    expect(elsewhere.status).toBe(201);
    expect(elsewhere.body.id).not.toBe(mine.body.id);
    expect(elsewhere.headers.get('idempotent-replayed')).toBeNull();
    // The admin of the first tenant sending rep's key and body writes their own record too.
    const admin = await tenant.api.post(
      '/api/records/visit',
      { subject: 'Mine' },
      { headers: { 'idempotency-key': k } },
    );
    expect(admin.status).toBe(201);
    expect(admin.body.id).not.toBe(mine.body.id);
  });

  it('leaves the key of a refused write free, and checks permissions on every attempt', async () => {
    const k = key();
    const bad = await rep.api.post(
      '/api/records/visit',
      { subject: 'Refused', minutes: -5 },
      {
        headers: { 'idempotency-key': k },
      },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    const fixed = await rep.api.post(
      '/api/records/visit',
      { subject: 'Refused', minutes: 5 },
      {
        headers: { 'idempotency-key': k },
      },
    );
    expect(fixed.status, fixed.text).toBe(201);
    expect(fixed.headers.get('idempotent-replayed')).toBeNull();

    const k2 = key();
    const denied = await viewer.api.post(
      '/api/records/visit',
      { subject: 'Not allowed' },
      {
        headers: { 'idempotency-key': k2 },
      },
    );
    expect(denied.status).toBe(403);
    expect(
      (await viewer.api.post('/api/records/visit', { subject: 'Not allowed' }, { headers: { 'idempotency-key': k2 } }))
        .status,
    ).toBe(403);
    expect(await visitsNamed('Not allowed')).toBe(0);
  });

  it('refuses a malformed key with 400 before writing', async () => {
    for (const bad of ['short', 'é'.repeat(10), 'x'.repeat(201), 'has space in it']) {
      const r = await rep.api.post(
        '/api/records/visit',
        { subject: 'Bad key' },
        { headers: { 'idempotency-key': bad } },
      );
      expect(r.status, bad).toBe(400);
      expect(r.body.error.message).toMatch(/Idempotency-Key/);
    }
    expect(await visitsNamed('Bad key')).toBe(0);
  });
});

describe('idempotency keys on edits, and conflicts', () => {
  it('applies a keyed edit once: the replay answers 200 with the same version instead of a conflict', async () => {
    const created = await rep.api.post('/api/records/visit', { subject: 'Edit me', minutes: 10 });
    const { id, version } = created.body as { id: string; version: number };
    const k = key();
    const headers = { 'idempotency-key': k, 'if-match': String(version) };
    const first = await rep.api.patch(`/api/records/visit/${id}`, { minutes: 20 }, { headers });
    expect(first.status, first.text).toBe(200);
    expect(first.body.version).toBe(version + 1);
    const again = await rep.api.patch(`/api/records/visit/${id}`, { minutes: 20 }, { headers });
    expect(again.status, again.text).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.version).toBe(version + 1);
    const history = await rep.api.get(`/api/records/visit/${id}/history`);
    expect(history.body.items.filter((e: { action: string }) => e.action === 'update')).toHaveLength(1);
    // The same key for another record, or with another version, is another write: refused.
    const other = await rep.api.patch(
      `/api/records/visit/${id}`,
      { minutes: 20 },
      {
        headers: { 'idempotency-key': k, 'if-match': String(version + 1) },
      },
    );
    expect(other.status).toBe(409);
    expect(other.body.error.details).toEqual({ reason: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('detects a stale edit (the server moved on) with 409 CONFLICT, keyed or not, and keeps the key free', async () => {
    const created = await rep.api.post('/api/records/visit', { subject: 'Both sides', notes: 'a', minutes: 1 });
    const { id, version } = created.body as { id: string; version: number };
    expect(
      (
        await rep.api.patch(
          `/api/records/visit/${id}`,
          { notes: 'server side' },
          { headers: { 'if-match': String(version) } },
        )
      ).status,
    ).toBe(200);
    const k = key();
    const stale = await rep.api.patch(
      `/api/records/visit/${id}`,
      { minutes: 2 },
      {
        headers: { 'idempotency-key': k, 'if-match': String(version) },
      },
    );
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('CONFLICT');
    const current = (await rep.api.get(`/api/records/visit/${id}`)).body;
    expect(current).toMatchObject({ notes: 'server side', minutes: 1, version: version + 1 });
    // Merged against the current version, a new key goes through.
    const merged = await rep.api.patch(
      `/api/records/visit/${id}`,
      { minutes: 2 },
      {
        headers: { 'idempotency-key': key(), 'if-match': String(current.version) },
      },
    );
    expect(merged.status, merged.text).toBe(200);
    expect(merged.body).toMatchObject({ notes: 'server side', minutes: 2 });
  });

  it('re-checks record scope on a keyed edit: another rep’s record stays out of reach', async () => {
    const created = await rep.api.post('/api/records/visit', { subject: 'Private' });
    const r = await rep2.api.patch(
      `/api/records/visit/${created.body.id}`,
      { subject: 'Taken' },
      {
        headers: { 'idempotency-key': key() },
      },
    );
    expect(r.status).toBe(404);
  });
});
