import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import createClient from 'openapi-fetch';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

/**
 * The typed client for integration authors (docs/api-keys.md): types generated with
 * openapi-typescript from the running server's OpenAPI document, calls made with openapi-fetch and
 * an API key. The generated types are type-checked here, so a document the generator cannot turn
 * into a usable client fails this test.
 */

let server: TestServer;
let tenant: TestTenant;
let token: string;
let dir: string;

beforeAll(async () => {
  server = await startTestServer();
  tenant = await createTestTenant(server, { prefix: 'cl' });
  const put = await tenant.api.put('/api/meta/objects/ticket', {
    title: 'Ticket',
    type: 'object',
    properties: { subject: { type: 'string', maxLength: 200 } },
    required: ['subject'],
  });
  expect(put.status, put.text).toBe(200);
  const account = await tenant.api.post('/api/admin/service-accounts', { name: 'Helpdesk sync', roles: ['admin'] });
  const key = await tenant.api.post('/api/admin/api-keys', { serviceAccount: account.body.id, name: 'sync' });
  expect(key.status, key.text).toBe(201);
  token = key.body.token;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'forma-client-'));
}, 120_000);

afterAll(async () => {
  await server?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('typed client from the OpenAPI document', () => {
  it('generates types that type-check a correct call and reject a wrong one', async () => {
    const doc = (await server.anon.get('/api/openapi.json')).body;
    const types = astToString(await openapiTS(doc));
    expect(types).toContain('"/api/admin/api-keys"');
    expect(types).toContain('"/api/records/{object}"');
    fs.writeFileSync(path.join(dir, 'forma-api.d.ts'), types);
    const fetchTypes = path.resolve('node_modules/openapi-fetch/dist/index.d.mts');
    const program = (body: string) => {
      const file = path.join(dir, `use-${Math.random().toString(36).slice(2)}.ts`);
      fs.writeFileSync(
        file,
        `import createClient from ${JSON.stringify(fetchTypes.replace(/\.d\.mts$/, '.mjs'))};\n` +
          `import type { paths } from './forma-api';\n` +
          `const client = createClient<paths>({ baseUrl: 'http://x' });\n${body}\n`,
      );
      const p = ts.createProgram([file], {
        strict: true,
        noEmit: true,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        target: ts.ScriptTarget.ES2022,
        skipLibCheck: true,
        types: [],
        lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      });
      return ts.getPreEmitDiagnostics(p).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    };
    expect(
      program(
        `export const ok = client.GET('/api/records/{object}', { params: { path: { object: 'ticket' } } });\n` +
          `export const keys = client.GET('/api/admin/api-keys').then((r) => r.data?.items?.[0]?.last_used_at);`,
      ),
    ).toEqual([]);
    expect(program(`export const bad = client.GET('/api/no-such-route');`).length).toBeGreaterThan(0);
    expect(
      program(`export const bad = client.GET('/api/records/{object}', { params: { path: { nope: 1 } } });`).length,
    ).toBeGreaterThan(0);
  }, 120_000);

  it('calls the API with an API key through openapi-fetch', async () => {
    // Untyped here (the types are generated at run time above); integration authors use `paths`.
    const client = createClient<any>({ baseUrl: server.url, headers: { Authorization: `Bearer ${token}` } });
    const created = await client.POST('/api/records/{object}', {
      params: { path: { object: 'ticket' } },
      body: { subject: 'From the client' },
    });
    expect(created.response.status).toBe(201);
    const list = await client.GET('/api/records/{object}', { params: { path: { object: 'ticket' } } });
    expect(list.response.status).toBe(200);
    expect((list.data as any).items.map((t: any) => t.subject)).toEqual(['From the client']);
    const anon = createClient<any>({ baseUrl: server.url });
    expect((await anon.GET('/api/records/{object}', { params: { path: { object: 'ticket' } } })).response.status).toBe(
      401,
    );
  });
});
