import { PDFParse } from 'pdf-parse';
import { expect } from 'vitest';
import type { TestServer } from './test-server';
import type { TestTenant } from './tenants';

/**
 * The mail-merge test files' shared data set: 1,000 imported contacts (every tenth without an
 * e-mail address), a hidden `secret` field, and a rep who may read only their own contacts.
 */
export const MERGE_COUNT = 1000;
export const contactName = (n: number) => `Contact ${String(n).padStart(4, '0')}`;
const CITIES = ['Paris', 'Berlin', '上海', 'Lima'];
export const cityOf = (n: number) => CITIES[(n - 1) % CITIES.length] as string;

export const MERGE_OBJECTS = {
  contact: {
    type: 'object',
    'x-label-field': 'name',
    properties: {
      name: { type: 'string', maxLength: 100 },
      email: { type: 'string', format: 'email', maxLength: 200 },
      city: { type: 'string', maxLength: 100 },
      secret: { type: 'string', maxLength: 100 },
    },
    required: ['name'],
  },
  note: { type: 'object', properties: { title: { type: 'string', maxLength: 100 } } },
};

/** Publishes the objects, adds the `rep` role and user, imports the contacts; answers the rep. */
export async function seedMergeTenant(tenant: TestTenant): Promise<Awaited<ReturnType<TestTenant['addUser']>>> {
  const applied = await tenant.api.post('/api/meta/apply', { objects: MERGE_OBJECTS });
  expect(applied.status, applied.text).toBe(200);
  const role = await tenant.api.put('/api/meta/roles/rep', {
    label: 'Rep',
    // Reps here send merge e-mails, which is a permission of its own (docs/permissions.md).
    sendEmail: true,
    objects: {
      contact: { create: 'all', read: 'own', update: 'own', delete: false, fields: { secret: 'none' } },
    },
  });
  expect(role.status, role.text).toBe(200);
  const rep = await tenant.addUser({ roles: ['rep'] });
  const rows = Array.from({ length: MERGE_COUNT }, (_, i) => ({
    name: contactName(i + 1),
    ...((i + 1) % 10 === 0 ? {} : { email: `c${i + 1}@example.test` }),
    city: cityOf(i + 1),
    secret: `S-${i + 1}`,
  }));
  const imported = await tenant.api.post('/api/records/contact/import', undefined, { raw: JSON.stringify(rows) });
  expect(imported.status, imported.text).toBe(200);
  expect(imported.body.inserted).toBe(MERGE_COUNT);
  return rep;
}

/** `POST /api/records/:object/merge` with a JSON body (or raw text), the answer's bytes read whole. */
export async function merge(api: TestTenant['api'], object: string, body: unknown) {
  const res = await fetch(new URL(`/api/records/${object}/merge`, api.baseUrl), {
    method: 'POST',
    headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { res, buf: Buffer.from(await res.arrayBuffer()) };
}

export async function pdfText(buf: Buffer): Promise<{ text: string; pages: number }> {
  const parser = new PDFParse({ data: buf });
  const result = await parser.getText();
  await parser.destroy();
  return { text: result.text, pages: result.total };
}

/**
 * Records the page size of every list of contacts the runtime reads until `restore()`: a merge must
 * read keyset pages, never all records at once.
 */
export function watchContactPages(server: TestServer): { limits: number[]; restore: () => void } {
  const records = server.runtime.records;
  const original = records.list.bind(records);
  const limits: number[] = [];
  records.list = async (ctx, object, opts = {}) => {
    if (object === 'contact') limits.push(Number(opts.limit));
    return original(ctx, object, opts);
  };
  return {
    limits,
    restore: () => {
      records.list = original;
    },
  };
}
