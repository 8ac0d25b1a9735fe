import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type MetaTestTenant, metaTestTenant } from '../../../runtime/src/testing/meta-test-tenant';
import { recordTypesForTenant } from './record-types-for-tenant';

let t: MetaTestTenant;
beforeAll(async () => {
  t = await metaTestTenant('types');
  await t.runtime.meta.apply(t.ctx, {
    objects: {
      account: { type: 'object', properties: { name: { type: 'string', maxLength: 100 } }, required: ['name'] },
      quote_line: {
        type: 'object',
        properties: {
          quote: { type: 'string', format: 'uuid', 'x-ref': 'account' },
          amount: { type: 'number', 'x-kind': 'currency' },
          tags: { type: 'array', items: { type: 'string', enum: ['a', 'b'] } },
        },
      },
    },
  });
});
afterAll(async () => {
  await t?.close();
});

describe('record types of a tenant', () => {
  it('declares one interface per object and a Records map', async () => {
    const source = await recordTypesForTenant(t.runtime, t.tenant);
    expect(source).toContain(`Record types of tenant ${t.tenant}, metadata version 1`);
    expect(source).toMatch(/export interface Account \{[^}]*name: string;/s);
    expect(source).toMatch(/export interface QuoteLine \{[^}]*amount\?: number \| null;/s);
    expect(source).toMatch(/tags\?: \('a' \| 'b'\)\[\] \| null;/);
    expect(source).toMatch(/export interface Records \{\s*account: Account;\s*quote_line: QuoteLine;/s);
  });

  it('refuses an unknown tenant', async () => {
    await expect(recordTypesForTenant(t.runtime, 'no_such_tenant')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(recordTypesForTenant(t.runtime, 'x"; drop schema public; --')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('is what `npm run types` writes, against the database DATABASE_URL names', async () => {
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
    const script = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).scripts.types as string;
    const entry = script.split(' ').at(-1) as string;
    expect(fs.existsSync(path.join(root, entry))).toBe(true);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'forma-types-'));
    try {
      const out = path.join(dir, 'nested', 'records.d.ts');
      await promisify(execFile)(process.execPath, ['--import', 'tsx', entry, '--tenant', t.tenant, '--out', out], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: inject('databaseUrl') },
      });
      expect(fs.readFileSync(out, 'utf8')).toBe(await recordTypesForTenant(t.runtime, t.tenant));
      const bad = await promisify(execFile)(process.execPath, ['--import', 'tsx', entry, '--tenant', 'nobody'], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: inject('databaseUrl') },
      }).catch((e: { code: number; stderr: string }) => e);
      expect(bad).toMatchObject({ code: 1, stderr: expect.stringContaining('Tenant not found') });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000); // two child processes loading the whole runtime, on shared CI cores
});
