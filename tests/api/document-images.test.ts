import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';
import { pngOf } from '../support/png';

/**
 * Document images (issue 22, "logo upload"): the company logo uploaded once, drawn by print
 * templates with `<img src="image:logo">` in printed PDFs, previews and mail merges; refused
 * when it is not an image, too large, or claims more pixels than a document needs.
 */
let server: TestServer;
let tenant: TestTenant;
let other: TestTenant;
let rep: Awaited<ReturnType<TestTenant['addUser']>>;
let dealId: string;

const objects = {
  deal: {
    type: 'object',
    'x-label-field': 'name',
    properties: { name: { type: 'string', maxLength: 100 }, amount: { type: 'number' } },
    required: ['name'],
  },
};
const LOGO = pngOf(40, 20);
const octet = { 'content-type': 'application/octet-stream' };

const upload = (t: TestTenant, name: string, bytes: Buffer | string, api = t.api) =>
  api.request('PUT', `/api/document-images/${name}`, { raw: bytes, headers: octet });

async function pdfOf(path: string, token: string): Promise<{ status: number; pdf: string }> {
  const res = await fetch(new URL(path, tenant.api.baseUrl), { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, pdf: Buffer.from(await res.arrayBuffer()).toString('latin1') };
}
const images = (pdf: string) => pdf.match(/\/Subtype \/Image/g)?.length ?? 0;

beforeAll(async () => {
  server = await startTestServer();
  tenant = await createTestTenant(server, { prefix: 'docimg' });
  other = await createTestTenant(server, { prefix: 'docimg2' });
  for (const t of [tenant, other]) expect((await t.api.post('/api/meta/apply', { objects })).status).toBe(200);
  const role = await tenant.api.put('/api/meta/roles/rep', {
    label: 'Rep',
    objects: { deal: { create: true, read: 'all', update: 'own', delete: false } },
  });
  expect(role.status, role.text).toBe(200);
  rep = await tenant.addUser({ roles: ['rep'], name: 'Rep' });
  const deal = await tenant.api.post('/api/records/deal', { name: 'Big deal', amount: 1200 });
  expect(deal.status, deal.text).toBe(201);
  dealId = deal.body.id;
});
afterAll(async () => {
  await server?.close();
});

describe('document images', () => {
  it('an admin uploads the logo; every user lists and reads it; another tenant does not see it', async () => {
    const put = await upload(tenant, 'logo', LOGO);
    expect(put.status, put.text).toBe(200);
    expect(put.body).toMatchObject({
      name: 'logo',
      contentType: 'image/png',
      width: 40,
      height: 20,
      size: LOGO.length,
    });
    const repApi = await tenant.login(rep.email, rep.password);
    const list = await repApi.get('/api/document-images');
    expect(list.status).toBe(200);
    expect(list.body.items.map((i: { name: string }) => i.name)).toEqual(['logo']);
    const res = await fetch(new URL('/api/document-images/logo', tenant.api.baseUrl), {
      headers: { authorization: `Bearer ${repApi.token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await res.arrayBuffer()).equals(LOGO)).toBe(true);
    expect((await other.api.get('/api/document-images/logo')).status).toBe(404);
    expect((await other.api.get('/api/document-images')).body.items).toEqual([]);
  });

  it('refuses non-admins, bad names, other types, empty and oversized files, and pixel bombs', async () => {
    const repApi = await tenant.login(rep.email, rep.password);
    expect((await upload(tenant, 'stamp', LOGO, repApi)).status).toBe(403);
    expect((await repApi.delete('/api/document-images/logo')).status).toBe(403);
    expect((await upload(tenant, 'Bad-Name', LOGO)).status).toBe(400);
    expect((await upload(tenant, '..%2Fetc', LOGO)).status).toBe(400);
    const gif = await upload(tenant, 'stamp', Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'));
    expect(gif.status).toBe(400);
    expect(gif.body.error.fields.file).toMatch(/PNG or JPEG/);
    const svg = await upload(
      tenant,
      'stamp',
      '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    );
    expect(svg.status).toBe(400);
    expect((await upload(tenant, 'stamp', Buffer.alloc(0))).status).toBe(400);
    const big = Buffer.concat([LOGO, Buffer.alloc(1024 * 1024)]);
    expect((await upload(tenant, 'stamp', big)).status).toBe(413);
    const bomb = await upload(tenant, 'stamp', pngOf(2, 2, [0, 0, 0], { width: 50_000, height: 50_000 }));
    expect(bomb.status).toBe(400);
    expect(bomb.body.error.message).toMatch(/50000 × 50000/);
    // Nothing of the refused uploads was stored.
    expect((await tenant.api.get('/api/document-images')).body.items.map((i: { name: string }) => i.name)).toEqual([
      'logo',
    ]);
  });

  it('a template draws the logo: saved, previewed (inlined) and printed into the PDF', async () => {
    const html = '<img src="image:logo" width="120" align="right"><h1>{{name}}</h1><p>{{amount}}</p>';
    const saved = await tenant.api.put('/api/print-templates/deal/letter', { html });
    expect(saved.status, saved.text).toBe(200);
    const preview = await tenant.api.post('/api/print-templates/deal/preview', { record: dealId, html });
    expect(preview.status, preview.text).toBe(200);
    expect(preview.body.html).toContain(`src="data:image/png;base64,${LOGO.toString('base64')}"`);
    const repApi = await tenant.login(rep.email, rep.password);
    const printed = await pdfOf(`/api/records/deal/${dealId}/print/letter`, repApi.token as string);
    expect(printed.status).toBe(200);
    expect(images(printed.pdf)).toBe(1);
    expect(printed.pdf).toMatch(/\/Width 40\s*\/Height 20|\/Height 20[\s\S]{0,80}\/Width 40/);
    // Without the image tag, nothing is drawn: the count above is the logo's.
    await tenant.api.put('/api/print-templates/deal/plain', { html: '<h1>{{name}}</h1>' });
    expect(images((await pdfOf(`/api/records/deal/${dealId}/print/plain`, repApi.token as string)).pdf)).toBe(0);
  });

  it('refuses a template whose image is not uploaded or is a URL, and lists what is wrong', async () => {
    const missing = await tenant.api.put('/api/print-templates/deal/bad', {
      html: '<img src="image:stamp"><p>{{name}}</p>',
    });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details.unknown).toEqual(['image:stamp']);
    const url = await tenant.api.put('/api/print-templates/deal/bad', {
      html: '<img src="https://tracker.example/pixel.png"><p>{{name}}</p>',
    });
    expect(url.status).toBe(400);
    expect(url.body.error.fields['html.img']).toMatch(/image:logo/);
    expect((await tenant.api.get('/api/print-templates/deal/bad')).status).toBe(404);
  });

  it('a mail merge draws the logo on every record', async () => {
    await tenant.api.post('/api/records/deal', { name: 'Second deal', amount: 5 });
    const res = await fetch(new URL('/api/records/deal/merge', tenant.api.baseUrl), {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.api.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ template: 'letter', format: 'pdf' }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const pdf = Buffer.from(await res.arrayBuffer()).toString('latin1');
    // PDFKit embeds one image object per drawing of the same bytes? At least one, on two pages.
    expect(images(pdf)).toBeGreaterThanOrEqual(1);
    expect(pdf.match(/\/Type \/Page\b/g)?.length).toBe(2);
    const dry = await tenant.api.post('/api/records/deal/merge', { template: 'letter', dryRun: true });
    expect(dry.status, dry.text).toBe(200);
    expect(dry.body.documents[0].html).toContain('src="data:image/png;base64,');
  });

  it('a replaced logo prints the new one; a deleted logo prints nothing and the template still prints', async () => {
    const wide = pngOf(80, 10, [0, 0, 200]);
    expect((await upload(tenant, 'logo', wide)).body).toMatchObject({ width: 80, height: 10 });
    const printed = await pdfOf(`/api/records/deal/${dealId}/print/letter`, tenant.api.token as string);
    expect(printed.pdf).toMatch(/\/Width 80/);
    expect((await tenant.api.delete('/api/document-images/logo')).status).toBe(204);
    expect((await tenant.api.delete('/api/document-images/logo')).status).toBe(404);
    const after = await pdfOf(`/api/records/deal/${dealId}/print/letter`, tenant.api.token as string);
    expect(after.status).toBe(200);
    expect(images(after.pdf)).toBe(0);
  });
});
