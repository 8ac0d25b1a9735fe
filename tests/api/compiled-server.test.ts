import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@forma/platform';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { ensureDesignerBuild } from '../../designer/scripts/ensure-build.mjs';
import { ensureServerBuild, SERVER_ENTRY, SERVER_FLAGS } from '../../scripts/build-server.mjs';
import { ApiClient } from '../support';

/**
 * `npm start` runs the server compiled (scripts/build-server.mjs), not through tsx: the compiled
 * server must do what the sources do, including what it loads by path at run time — the plugins,
 * the sandbox child (scripts), the document workers (PDFs) and the web app.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const token = randomBytes(16).toString('hex');
/** Where tests/support/loaded-modules-probe.mjs writes the server's loaded modules when asked. */
const modulesFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'forma-compiled-')), 'modules.json');
let child: ChildProcess | undefined;
let output = '';
let base: string;

beforeAll(async () => {
  // What `npm start` builds first: the web app and the server.
  ensureDesignerBuild({ log: () => undefined });
  await ensureServerBuild({ log: () => {} });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const probe = path.join(root, 'tests/support/loaded-modules-probe.mjs');
  child = spawn(process.execPath, [...SERVER_FLAGS, '--import', probe, SERVER_ENTRY], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: inject('databaseUrl'),
      PORT: String(port),
      HOST: '127.0.0.1',
      DEMO: '0',
      PLATFORM_TOKEN: token,
      LOG_LEVEL: 'warn',
      // The database is shared with the other test files: their tenants' clocks are not this server's.
      SCHEDULES: '0',
      FORMA_LOADED_MODULES_FILE: modulesFile,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (b: Buffer) => {
    output = (output + b.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const anon = new ApiClient(base);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the compiled server exited:\n${output}`);
    if (
      await anon.get('/api/health').then(
        (r) => r.status === 200,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 200));
  }
}, 300_000);

afterAll(async () => {
  const c = child;
  if (!c || c.exitCode !== null) return;
  await new Promise((resolve) => {
    c.once('exit', resolve);
    c.kill('SIGTERM');
  });
});

/**
 * Packages the server has loaded so far (their names, from the files it loaded), read through the
 * probe preloaded into it.
 */
async function loadedPackages(): Promise<Set<string>> {
  fs.rmSync(modulesFile, { force: true });
  child?.kill('SIGUSR2');
  for (;;) {
    if (child?.exitCode !== null) throw new Error(`the compiled server exited:\n${output}`);
    if (fs.existsSync(modulesFile)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const files = JSON.parse(fs.readFileSync(modulesFile, 'utf8')) as string[];
  const names = files.map((f) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1]).filter((n) => n !== undefined);
  return new Set(names);
}

/**
 * Large dependencies only some requests need: loaded on first use (runtime/src/lazy-module.ts), so
 * an idle server does not hold them (issue 27: typescript alone was ~90 MB of a ~300 MB idle server).
 */
const LAZY_PACKAGES = [
  'typescript',
  'exceljs',
  'pdfkit',
  'docxtemplater',
  'pizzip',
  'archiver',
  'handlebars',
  'nodemailer',
  'smtp-server',
  'mailparser',
  'json-schema-to-typescript',
];

describe('the compiled server (npm start)', () => {
  it('starts without loading typescript or the document and mail libraries', async () => {
    const loaded = await loadedPackages();
    // The probe sees the server's packages (so an empty answer is not a pass).
    expect(loaded).toContain('fastify');
    expect(LAZY_PACKAGES.filter((p) => loaded.has(p))).toEqual([]);
  });

  it('was built from the sources, one bundle per package', () => {
    for (const f of ['platform/dist/main.js', 'runtime/dist/sandbox-child.js', 'runtime/dist/sandbox-prelude.js'])
      expect(fs.existsSync(path.join(root, f)), f).toBe(true);
    expect(SERVER_FLAGS).toContain('--conditions=forma-compiled');
  });

  it('runs a template tenant end to end: plugins, scripts in the sandbox, PDFs, the web app', {
    timeout: 300_000,
  }, async () => {
    const anon = new ApiClient(base);
    const tenant = `cmp_${randomBytes(4).toString('hex')}`;
    const password = 'compiled server password';
    const created = await anon.withToken(token).post('/api/tenants', {
      id: tenant,
      name: tenant,
      template: 'core-crm',
      sampleData: false,
      admin: { email: `a@${tenant}.test`, password, name: 'Admin' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const login = await anon.post('/api/auth/login', { tenant, email: `a@${tenant}.test`, password });
    expect(login.status).toBe(200);
    const api = anon.withToken((login.body as { token: string }).token);

    // The plugin's objects and scripts arrived, loaded from its own compiled bundle.
    const meta = (await api.get('/api/meta')).body as {
      objects: Record<string, unknown>;
      scripts: Record<string, unknown>;
    };
    expect(Object.keys(meta.objects)).toContain('contract');
    expect(Object.keys(meta.scripts)).toContain('contract_dates');
    // Applying the template checked its scripts: typescript was loaded for that, on first use.
    expect(await loadedPackages()).toContain('typescript');

    // A script runs in the compiled sandbox child: a contract ending before it starts is refused.
    const account = await api.post('/api/records/account', { name: 'Compiled Ltd' });
    expect(account.status, JSON.stringify(account.body)).toBe(201);
    const accountId = (account.body as { id: string }).id;
    const bad = await api.post('/api/records/contract', {
      name: 'Backwards',
      account: accountId,
      value: 1000,
      start_on: '2026-06-01',
      end_on: '2026-01-01',
    });
    expect(bad.status, JSON.stringify(bad.body)).toBe(400);
    expect((bad.body as { error: { fields: Record<string, string> } }).error.fields.end_on).toBe(
      'The end date is before the start date',
    );
    const good = await api.post('/api/records/contract', {
      name: 'Forwards',
      account: accountId,
      value: 1000,
      start_on: '2026-01-01',
      end_on: '2026-06-01',
    });
    expect(good.status, JSON.stringify(good.body)).toBe(201);

    // A PDF is drawn by a compiled document worker.
    const pdf = await fetch(`${base}/api/records/contract/${(good.body as { id: string }).id}/print/contract`, {
      headers: { authorization: `Bearer ${(login.body as { token: string }).token}` },
    });
    expect(pdf.status).toBe(200);
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
    // Handlebars rendered the print template in the server process (pdfkit draws in a worker thread).
    expect(await loadedPackages()).toContain('handlebars');

    // An Excel export: exceljs loads on first use, from the compiled bundle's own location.
    const xlsx = await fetch(`${base}/api/records/contract/export?format=xlsx`, {
      headers: { authorization: `Bearer ${(login.body as { token: string }).token}` },
    });
    expect(xlsx.status).toBe(200);
    // An .xlsx file is a zip archive.
    expect(
      Buffer.from(await xlsx.arrayBuffer())
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');

    // The web app is served from the repository's designer build.
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root"');
  });
});
