import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Resolver } from '@forma/runtime';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createRecord,
  type E2eApp,
  putMeta,
  screenshot,
  seedSalesModel,
  signIn,
  startE2eApp,
  VIEWPORTS,
} from './support';

/**
 * The Integrations screen end to end. Deliveries go only to the receiver this file starts on the
 * loopback address, allowed for this server alone; `intranet.test` resolves (without DNS) to a
 * private address the server must refuse at the URL field.
 */

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

let app: E2eApp;
let receiver: http.Server;
let base: string;
const received: Received[] = [];

const resolver: Resolver = async (host) => {
  if (host === 'receiver.test') return [{ address: '127.0.0.1', family: 4 }];
  if (host === 'intranet.test') return [{ address: '10.20.30.40', family: 4 }];
  throw new Error(`test resolver: unknown host ${host}`);
};

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  base = `http://receiver.test:${(receiver.address() as AddressInfo).port}`;
  app = await startE2eApp({
    prefix: 'e2eint',
    server: {
      runtimeConfig: {
        webhooks: {
          allowNetworks: ['127.0.0.1/32'],
          retryDelaySeconds: 1,
          pollingIntervalSeconds: 0.5,
          maxAttempts: 3,
        },
      },
      webhookResolver: resolver,
    },
  });
  await seedSalesModel(app.tenant);
  await putMeta(app.tenant, '/api/meta/roles/sales_rep', {
    label: 'Rep',
    objects: { deal: { create: true, read: 'all', update: 'own', delete: false } },
  });
  await app.server.runtime.webhooks.start({ sweepIntervalMs: 1000 });
}, 180_000);

afterEach(async () => {
  await app?.tenant.api.patch('/api/auth/me', { locale: null });
});
afterAll(async () => {
  await app?.close();
  await new Promise<void>((r) => receiver?.close(() => r()));
});

const WORDS = {
  en: {
    area: 'Integrations',
    webhooks: 'Webhooks',
    apiKeys: 'API keys',
    newWebhook: 'New webhook',
    name: 'Name',
    object: 'Object',
    deal: 'Deal',
    created: 'Created',
    updated: 'Updated',
    stage: 'Stage',
    url: 'URL',
    create: 'Create',
    refused: 'Refused: intranet.test resolves to 10.20.30.40, a private',
    secretTitle: 'The webhook’s signing secret',
    secret: 'Signing secret',
    shownOnce: 'it is shown only this once. The receiver uses it',
    copy: 'Copy',
    copied: 'Copied',
    done: 'Done',
    logTitle: 'Delivery log',
    refresh: 'Refresh',
    updatedEvent: 'Updated',
    succeeded: 'Succeeded',
    redeliver: 'Redeliver',
    disable: 'Disable',
    disabled: 'Disabled',
    delete: 'Delete',
    newAccount: 'New service account',
    rep: 'Rep',
    newKey: 'New API key',
    serviceAccount: 'Service account',
    readOnly: 'Read only',
    tokenTitle: 'Your new API key',
    tokenOnce: 'shown only this once. Anyone holding it can call the API',
    token: 'API key',
    revoke: 'Revoke',
    revoked: 'Revoked',
  },
  zh: {
    area: '集成',
    webhooks: 'Webhook',
    apiKeys: 'API 密钥',
    newWebhook: '新建 Webhook',
    name: '名称',
    object: '对象',
    deal: '商机',
    created: '创建',
    updated: '更新',
    stage: '阶段',
    url: 'URL',
    create: '创建',
    refused: '已拒绝：intranet.test 解析到 10.20.30.40，属于内网',
    secretTitle: 'Webhook 签名密钥',
    secret: '签名密钥',
    shownOnce: '它只显示这一次。接收方用它',
    copy: '复制',
    copied: '已复制',
    done: '完成',
    logTitle: '投递记录',
    refresh: '刷新',
    updatedEvent: '更新',
    succeeded: '成功',
    redeliver: '重新投递',
    disable: '停用',
    disabled: '已停用',
    delete: '删除',
    newAccount: '新建服务账号',
    rep: 'Rep',
    newKey: '新建 API 密钥',
    serviceAccount: '服务账号',
    readOnly: '只读',
    tokenTitle: '新的 API 密钥',
    tokenOnce: '它只显示这一次。持有它的人可以',
    token: 'API 密钥',
    revoke: '吊销',
    revoked: '已于',
  },
} as const;

function verify(secret: string, r: Received): boolean {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const mac = createHmac('sha256', key)
    .update(`${r.headers['webhook-id']}.${r.headers['webhook-timestamp']}.${r.body}`)
    .digest('base64');
  return String(r.headers['webhook-signature'])
    .split(' ')
    .some((s) => s === `v1,${mac}`);
}

const forRecord = (id: string) => received.filter((r) => JSON.parse(r.body).data?.id === id);

async function webhookFlow(page: Page, lang: 'en' | 'zh', hook: { name: string; deal: string }) {
  const w = WORDS[lang];
  await page.goto('/designer');
  await page.getByRole('link', { name: w.area }).click();
  await page.getByRole('heading', { name: w.area, level: 1 }).waitFor();
  await page.getByRole('button', { name: w.newWebhook }).click();
  const dialog = page.getByRole('dialog', { name: w.newWebhook });
  await dialog.getByRole('textbox', { name: w.name }).fill(hook.name);
  // The object by its label, the events as checkboxes, the field filter by the field's label.
  await dialog.getByRole('combobox', { name: w.object }).selectOption({ label: w.deal });
  await dialog.getByRole('checkbox', { name: w.created, exact: true }).uncheck();
  await dialog.getByRole('checkbox', { name: w.updated, exact: true }).check();
  await dialog.getByRole('checkbox', { name: w.stage, exact: true }).check();

  // A private destination: the server's refusal, in words, at the URL field.
  const url = dialog.getByRole('textbox', { name: w.url });
  await url.fill('http://intranet.test/hook');
  await dialog.getByRole('button', { name: w.create }).click();
  // `has` is matched inside the field, so it names the input from the page, not from the dialog.
  const urlField = dialog.locator('.f-field--invalid').filter({ has: page.getByRole('textbox', { name: w.url }) });
  await urlField.getByText(w.refused).waitFor();
  expect(await url.getAttribute('aria-invalid')).toBe('true');
  await screenshot(page, `designer-integrations-refused-${lang}`, { fullPage: false });

  // The loopback receiver this test started: created, and the secret shown once.
  await url.fill(`${base}/hook`);
  await dialog.getByRole('button', { name: w.create }).click();
  const once = page.getByRole('dialog', { name: w.secretTitle });
  await once.getByText(w.shownOnce).waitFor();
  const secret = await once.getByRole('textbox', { name: w.secret }).inputValue();
  expect(secret).toMatch(/^whsec_/);
  await once.getByRole('button', { name: w.copy }).click();
  await once.getByRole('button', { name: w.copied }).waitFor();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
  await screenshot(page, `designer-integrations-secret-${lang}`, { fullPage: false });
  await once.getByRole('button', { name: w.done }).click();
  await once.waitFor({ state: 'hidden' });
  // Gone for good: neither the page nor the list answer carries it again.
  expect(await page.content()).not.toContain(secret);
  const list = await app.tenant.api.get('/api/admin/webhooks');
  expect(JSON.stringify(list.body)).not.toContain(secret);

  // A record edit of the watched field sends a delivery; the log shows it.
  const deal = await createRecord(app.tenant, 'deal', { name: hook.deal, amount: 100, stage: 'new' });
  const edit = await app.tenant.api.patch(`/api/records/deal/${deal.id}`, { stage: 'won', version: deal.version });
  expect(edit.status, edit.text).toBe(200);
  const row = page.locator('.f-int-log tbody tr', { hasText: w.updatedEvent });
  // Sent after commit by the queue; a busy machine may take a while, so wait on the row itself.
  const deadline = Date.now() + 90_000;
  while (!(await row.filter({ hasText: w.succeeded }).count()) && Date.now() < deadline) {
    await page.getByRole('button', { name: w.refresh }).click();
    await page.waitForTimeout(500);
  }
  await row.getByText(w.succeeded).waitFor();
  await row.getByRole('cell', { name: '200', exact: true }).waitFor();
  const got = forRecord(deal.id);
  expect(got).toHaveLength(1);
  expect(JSON.parse(got[0]!.body).type).toBe('record.updated');
  expect(verify(secret, got[0]!)).toBe(true);
  await page.getByRole('heading', { name: new RegExp(w.logTitle) }).waitFor();
  await screenshot(page, `designer-integrations-webhooks-${lang}`);

  // Redeliver: the same delivery (same webhook-id) arrives again, signed.
  await row.getByRole('button', { name: w.redeliver }).click();
  const again = Date.now() + 90_000;
  while (forRecord(deal.id).length < 2 && Date.now() < again) await page.waitForTimeout(250);
  const both = forRecord(deal.id);
  expect(both).toHaveLength(2);
  expect(both[1]!.headers['webhook-id']).toBe(both[0]!.headers['webhook-id']);
  expect(verify(secret, both[1]!)).toBe(true);

  // Disable, then delete with confirmation.
  const hookRow = page.locator('.f-int-section tbody tr', { hasText: hook.name }).first();
  await hookRow.getByRole('button', { name: w.disable }).click();
  await hookRow.getByText(w.disabled, { exact: true }).waitFor();
  await hookRow.getByRole('button', { name: w.delete }).click();
  const confirm = page.getByRole('dialog');
  await confirm.getByRole('button', { name: w.delete }).click();
  await page.locator('.f-int-section tbody tr', { hasText: hook.name }).waitFor({ state: 'detached' });
  const after = await app.tenant.api.get('/api/admin/webhooks');
  expect(after.body.items.map((h: { name: string }) => h.name)).not.toContain(hook.name);
}

async function keysFlow(page: Page, lang: 'en' | 'zh', names: { account: string; key: string }) {
  const w = WORDS[lang];
  await page.getByRole('tab', { name: w.apiKeys }).click();
  await page.getByRole('button', { name: w.newAccount }).click();
  const accountDialog = page.getByRole('dialog', { name: w.newAccount });
  await accountDialog.getByRole('textbox', { name: w.name }).fill(names.account);
  await accountDialog.getByRole('checkbox', { name: w.rep }).check();
  await accountDialog.getByRole('button', { name: w.create }).click();
  await accountDialog.waitFor({ state: 'hidden' });
  // Roles by their label, never their API name.
  const accountRow = page.locator('tbody tr', { hasText: names.account }).first();
  await accountRow.getByText(w.rep, { exact: true }).waitFor();
  expect(await accountRow.textContent()).not.toContain('sales_rep');

  await page.getByRole('button', { name: w.newKey }).click();
  const keyDialog = page.getByRole('dialog', { name: w.newKey });
  await keyDialog.getByRole('textbox', { name: w.name }).fill(names.key);
  await keyDialog.getByRole('combobox', { name: w.serviceAccount }).selectOption({ label: names.account });
  expect(await keyDialog.getByRole('checkbox', { name: w.readOnly }).isChecked()).toBe(true);
  await keyDialog.getByRole('button', { name: w.create }).click();
  const once = page.getByRole('dialog', { name: w.tokenTitle });
  await once.getByText(w.tokenOnce).waitFor();
  const token = await once.getByRole('textbox', { name: w.token }).inputValue();
  expect(token).toMatch(/^fk_/);
  await screenshot(page, `designer-integrations-token-${lang}`, { fullPage: false });
  await once.getByRole('button', { name: WORDS[lang].done }).click();
  await once.waitFor({ state: 'hidden' });
  expect(await page.content()).not.toContain(token);

  // The key works (read-only: reads pass) until it is revoked.
  const call = () =>
    fetch(`${app.server.url}/api/records/deal?limit=1`, { headers: { authorization: `Bearer ${token}` } });
  expect((await call()).status).toBe(200);
  const keyRow = page.locator('tbody tr', { hasText: names.key }).first();
  await keyRow.getByText(names.account).waitFor();
  await keyRow.getByText(w.readOnly).waitFor();
  await screenshot(page, `designer-integrations-keys-${lang}`);
  await keyRow.getByRole('button', { name: w.revoke }).click();
  await page.getByRole('dialog').getByRole('button', { name: w.revoke }).click();
  await keyRow.getByText(w.revoked).waitFor();
  expect((await call()).status).toBe(401);
}

describe('integrations designer', { timeout: 300_000 }, () => {
  it('in English: refuses a private URL at the field, shows the secret once, logs and redelivers; keys shown once and revoked', async () => {
    const { page, context, errors } = await app.newPage({ viewport: { width: 1440, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.server.url });
    await signIn(page, app.admin);
    await webhookFlow(page, 'en', { name: 'ERP sync', deal: 'Harbour deal' });
    await keysFlow(page, 'en', { account: 'ERP', key: 'Nightly sync' });
    expect(errors).toEqual([]);
  });

  it('in Chinese: the same path, with labels and messages in Chinese', async () => {
    const { page, context, errors } = await app.newPage({ viewport: { width: 1440, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.server.url });
    await signIn(page, app.admin);
    await page.getByTestId('language-switch').click();
    await page.getByRole('menuitemradio', { name: '中文（简体）' }).click();
    await webhookFlow(page, 'zh', { name: '商机同步', deal: '港口大单' });
    await keysFlow(page, 'zh', { account: '商城', key: '夜间同步' });
    expect(errors).toEqual([]);
  });

  it('on a phone both tabs fit the width', async () => {
    const { page } = await app.newPage({ viewport: VIEWPORTS.phone });
    await signIn(page, app.admin);
    const hook = await app.tenant.api.post('/api/admin/webhooks', {
      name: 'Shop orders',
      object: 'deal',
      events: ['created', 'deleted'],
      url: `${base}/phone`,
    });
    expect(hook.status, hook.text).toBe(201);
    await page.goto('/designer/integrations');
    await page.getByRole('heading', { name: 'Integrations', level: 1 }).waitFor();
    await page.getByText('Shop orders', { exact: true }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(page, 'designer-integrations-phone');
    await page.getByRole('tab', { name: 'API keys' }).click();
    await page.getByText('Nightly sync', { exact: true }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(page, 'designer-integrations-keys-phone');
    // The new-webhook form fits the phone too.
    await page.getByRole('tab', { name: 'Webhooks' }).click();
    await page.getByRole('button', { name: 'New webhook' }).click();
    const form = page.getByRole('dialog', { name: 'New webhook' });
    await form.getByRole('textbox', { name: 'URL' }).waitFor();
    const box = await form.boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= 390).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(page, 'designer-integrations-new-phone', { fullPage: false });
  });
});
