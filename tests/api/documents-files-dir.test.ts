import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

/**
 * Record files with FILES_DIR: bodies on disk, rows in the database, the size limit kept; files
 * stored in the database before the setting keep downloading. Two servers share one database:
 * one stores bodies in the database, the other in a directory.
 */
let inDb: TestServer;
let onDisk: TestServer;
let tenant: TestTenant;
let recordId: string;
let dir: string;
const MAX = 64 * 1024;

const upload = (server: TestServer, token: string, name: string, body: Buffer) =>
  fetch(new URL(`/api/records/doc/${recordId}/files?name=${encodeURIComponent(name)}`, server.url), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
    body: new Uint8Array(body),
  });
const download = async (server: TestServer, token: string, id: string) => {
  const res = await fetch(new URL(`/api/records/doc/${recordId}/files/${id}`, server.url), {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
};
/** Regular files under the directory (no temporary ones left behind either). */
const bodies = () =>
  fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name);
const stored = (id: string) =>
  inDb.runtime.db.withSchema(`t_${tenant.id}`).from('_files').where({ id }).first('size', 'content');

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'forma-files-'));
  inDb = await startTestServer();
  onDisk = await startTestServer({ runtimeConfig: { files: { dir, maxBytes: MAX } } });
  tenant = await createTestTenant(inDb, { prefix: 'filesdir' });
  const put = await tenant.api.put('/api/meta/objects/doc', {
    type: 'object',
    properties: { title: { type: 'string', maxLength: 100 } },
  });
  expect(put.status, put.text).toBe(200);
  recordId = (await tenant.api.post('/api/records/doc', { title: 'A' })).body.id;
}, 120_000);
afterAll(async () => {
  await inDb?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await onDisk?.close();
  await inDb?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('FILES_DIR', () => {
  it('stores bodies on disk, reads them back byte for byte, deletes them with the row', async () => {
    const body = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));
    const r = await upload(onDisk, tenant.api.token!, 'scan.bin', body);
    expect(r.status).toBe(201);
    const meta = await r.json();
    const file = path.join(dir, tenant.id, meta.id.slice(0, 2), meta.id);
    expect(fs.readFileSync(file).equals(body)).toBe(true);
    // The database row keeps the metadata only.
    const row = await stored(meta.id);
    expect(row.size).toBe(body.length);
    expect(row.content.length).toBe(0);
    const dl = await download(onDisk, tenant.api.token!, meta.id);
    expect(dl.status).toBe(200);
    expect(dl.body.equals(body)).toBe(true);
    const del = await fetch(new URL(`/api/records/doc/${recordId}/files/${meta.id}`, onDisk.url), {
      method: 'DELETE',
      headers: { authorization: `Bearer ${tenant.api.token}` },
    });
    expect(del.status).toBe(204);
    expect(fs.existsSync(file)).toBe(false);
    expect(await stored(meta.id)).toBeUndefined();
  });

  it('keeps serving files stored in the database before the setting', async () => {
    const body = Buffer.from('stored in the database');
    const r = await upload(inDb, tenant.api.token!, 'old.txt', body);
    expect(r.status).toBe(201);
    const meta = await r.json();
    expect((await stored(meta.id)).content.equals(body)).toBe(true);
    const dl = await download(onDisk, tenant.api.token!, meta.id);
    expect(dl.status).toBe(200);
    expect(dl.body.equals(body)).toBe(true);
  });

  it('keeps the size limit and writes nothing for refused uploads', async () => {
    const before = bodies().length;
    const big = await upload(onDisk, tenant.api.token!, 'big.bin', Buffer.alloc(MAX + 1, 7));
    expect(big.status).toBe(413);
    const empty = await upload(onDisk, tenant.api.token!, 'empty.bin', Buffer.alloc(0));
    expect(empty.status).toBe(400);
    const traversal = await upload(onDisk, tenant.api.token!, '../../etc/passwd', Buffer.from('x'));
    expect(traversal.status).toBe(201);
    const meta = await traversal.json();
    expect(meta.name).toBe('passwd');
    expect(fs.existsSync(path.join(dir, tenant.id, meta.id.slice(0, 2), meta.id))).toBe(true);
    expect(bodies()).toHaveLength(before + 1);
    expect(bodies().some((n) => n.endsWith('.tmp'))).toBe(false);
  });

  it('answers 404, not 500, when a body is missing from the directory', async () => {
    const r = await upload(onDisk, tenant.api.token!, 'gone.bin', Buffer.from('soon gone'));
    const meta = await r.json();
    fs.rmSync(path.join(dir, tenant.id, meta.id.slice(0, 2), meta.id));
    const dl = await download(onDisk, tenant.api.token!, meta.id);
    expect(dl.status).toBe(404);
    expect(JSON.parse(dl.body.toString()).error.code).toBe('NOT_FOUND');
  });
});
