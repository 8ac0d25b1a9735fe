import { randomInt } from 'node:crypto';
import { type Challenge, solveChallenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiClient, createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

/**
 * Public web forms through a real server (docs/public-forms.md): definition, submission as the
 * form's owner with its defaults, hidden values and cause, and every abuse limit — rate limits,
 * honeypot, ALTCHA proof of work (missing, forged, replayed, another form's), mass assignment,
 * unknown tenants and forms, malformed and oversized bodies, a misconfigured owner.
 */

vi.setConfig({ testTimeout: 60_000 });

let server: TestServer;
let tenant: TestTenant;
let rep: { id: string; email: string; password: string; api: ApiClient };

/** A visitor of its own (X-Forwarded-For behind the trusted test proxy): per-IP budgets stay apart. */
function visitor(ip = `198.51.100.${randomInt(1, 255)}`): ApiClient {
  return new ApiClient(server.url, undefined, { 'x-forwarded-for': ip });
}

const path = (form: string, t = tenant.id) => `/api/public/forms/${t}/${form}`;

/** Does what the browser widget does: fetch a challenge, solve it, encode the payload. */
async function solve(form: string, client = visitor()): Promise<string> {
  const res = await client.get(`${path(form)}/challenge`);
  expect(res.status, res.text).toBe(200);
  // A widget on the customer's own site may fetch it.
  expect(res.headers.get('access-control-allow-origin')).toBe('*');
  const challenge = res.body as Challenge;
  const solution = await solveChallenge({ challenge, deriveKey });
  expect(solution).toBeTruthy();
  return Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
}

async function leadsOf(company: string): Promise<Array<Record<string, unknown>>> {
  const res = await tenant.api.get('/api/records/lead', {
    query: { filter: JSON.stringify({ company: { eq: company } }) },
  });
  expect(res.status, res.text).toBe(200);
  return res.body.items;
}

async function putForm(name: string, form: Record<string, unknown>) {
  return tenant.api.put(`/api/meta/webForms/${name}`, form);
}

const LEAD_FORM = (owner: string, extra: Record<string, unknown> = {}) => ({
  label: 'Website leads',
  object: 'lead',
  fields: [
    { field: 'contact_name', required: true },
    { field: 'company' },
    { field: 'email' },
    { field: 'industry' },
    { field: 'estimated_amount' },
  ],
  hidden: { source: 'web' },
  defaults: { industry: 'technology' },
  owner,
  thankYou: 'Thanks, we will call you.',
  'x-i18n': { 'zh-CN': { label: '网站线索', thankYou: '谢谢，我们会联系您。' } },
  ...extra,
});

beforeAll(async () => {
  server = await startTestServer({
    trustProxy: true,
    plugins: [{ kind: 'module', specifier: '@forma/plugin-core-crm', origin: 'workspace' }],
    // A light challenge: the test solves many; the check is the same as in production.
    runtimeConfig: { webForms: { powCost: 20, powCounterMin: 50, powCounterMax: 150 } },
  });
  tenant = await createTestTenant(server, { prefix: 'pf', template: 'core-crm' });
  rep = await tenant.addUser({ roles: ['sales_rep'], name: 'Rita Rep' });
  const res = await putForm('leads', LEAD_FORM(rep.id));
  expect(res.status, res.text).toBe(200);
}, 180_000);

afterAll(async () => {
  await server?.close();
});

describe('definition', () => {
  it('exposes only the chosen fields, with labels in the asked language', async () => {
    const res = await visitor().get(path('leads'), { query: { lang: 'zh-CN' } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.label).toBe('网站线索');
    expect(Object.keys(res.body.schema.properties)).toEqual([
      'contact_name',
      'company',
      'email',
      'industry',
      'estimated_amount',
    ]);
    expect(res.body.schema.required).toEqual(expect.arrayContaining(['contact_name', 'company']));
    expect(res.body.formData).toEqual({ industry: 'technology' });
    expect(res.body.proofOfWork).toBe(true);
    expect(res.body.tenant.name).toMatch(/^Test /);
    // Nothing about the hidden value, the owner, other fields or lookups leaves the server.
    expect(res.text).not.toContain('source');
    expect(res.text).not.toContain(rep.id);
    expect(res.text).not.toContain('converted_account');
    expect(res.body.schema.properties.company['x-i18n']['zh-CN'].title).toBe('公司名称');
  });

  it('core-crm ships a "Contact us" lead form and a "Report a problem" case form', async () => {
    const contact = await visitor().get(path('contact_us'));
    expect(contact.status, contact.text).toBe(200);
    expect(contact.body.label).toBe('Contact us');
    const problem = await visitor().get(path('report_a_problem'), { query: { lang: 'zh' } });
    expect(problem.status, problem.text).toBe(200);
    expect(problem.body.label).toBe('报告问题');
  });

  it('unknown tenants, unknown and inactive forms are one 404', async () => {
    expect((await visitor().get(path('leads', 'no_such_tenant'))).status).toBe(404);
    expect((await visitor().get(path('leads', 'Bad-Tenant!'))).status).toBe(404);
    expect((await visitor().get(path('nope'))).status).toBe(404);
    expect((await visitor().post(path('nope'), { contact_name: 'x' })).status).toBe(404);
    expect((await visitor().get(`${path('nope')}/challenge`)).status).toBe(404);
    expect((await putForm('paused', { ...LEAD_FORM(rep.id), active: false })).status).toBe(200);
    const paused = await visitor().get(path('paused'));
    expect(paused.status).toBe(404);
    expect(paused.body.error.message).toBe('No such form');
  });
});

describe('submission', () => {
  it('creates a lead owned by the form owner, with defaults, hidden values and the form as cause', async () => {
    const client = visitor();
    const altcha = await solve('leads', client);
    const res = await client.post(path('leads'), {
      contact_name: 'Ada Visitor',
      company: 'Analytical Engines Ltd',
      email: 'ada@example.test',
      estimated_amount: '1200',
      altcha,
      website_url: '',
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ ok: true, thankYou: 'Thanks, we will call you.' });

    const [lead] = await leadsOf('Analytical Engines Ltd');
    expect(lead).toBeTruthy();
    expect(lead!.owner).toBe(rep.id);
    expect(lead!.created_by).toBe(rep.id);
    expect(lead!.source).toBe('web');
    expect(lead!.industry).toBe('technology');
    expect(Number(lead!.estimated_amount)).toBe(1200);
    expect(lead!.status).toBe('new');
    const history = await tenant.api.get(`/api/records/lead/${lead!.id}/history`);
    expect(history.status, history.text).toBe(200);
    const created = history.body.items.find((e: { action: string }) => e.action === 'create');
    expect(created.cause).toMatchObject({ kind: 'webForm', text: 'web form "Website leads"', ref: { form: 'leads' } });
  });

  it('answers in Chinese when asked', async () => {
    const client = visitor();
    const res = await client.post(
      path('leads'),
      { contact_name: '张三', company: '示例公司', altcha: await solve('leads', client) },
      { query: { lang: 'zh-CN' } },
    );
    expect(res.status, res.text).toBe(200);
    expect(res.body.thankYou).toBe('谢谢，我们会联系您。');
  });

  it('runs the normal save rules: a wrong value is refused on its field', async () => {
    const client = visitor();
    const res = await client.post(path('leads'), {
      contact_name: 'Bad Mail',
      company: 'Bad Mail Co',
      email: 'not an e-mail',
      altcha: await solve('leads', client),
    });
    expect(res.status, res.text).toBe(400);
    expect(Object.keys(res.body.error.fields)).toEqual(['email']);
    expect(await leadsOf('Bad Mail Co')).toHaveLength(0);
  });

  it('refuses a form-required field left empty', async () => {
    const client = visitor();
    const res = await client.post(path('leads'), { company: 'No Name Co', altcha: await solve('leads', client) });
    expect(res.status, res.text).toBe(400);
    expect(res.body.error.fields).toHaveProperty('contact_name');
  });
});

describe('proof of work', () => {
  it('refuses a submission without a solution', async () => {
    const res = await visitor().post(path('leads'), { contact_name: 'Bot', company: 'No PoW Co' });
    expect(res.status, res.text).toBe(400);
    expect(res.body.error.fields).toHaveProperty('altcha');
    expect(res.body.error.details.reason).toBe('missing');
    expect(await leadsOf('No PoW Co')).toHaveLength(0);
  });

  it('refuses garbage and a forged solution', async () => {
    const garbage = await visitor().post(path('leads'), { contact_name: 'Bot', company: 'Forged Co', altcha: 'xyz' });
    expect(garbage.status).toBe(400);
    expect(garbage.body.error.details.reason).toBe('invalid');
    const client = visitor();
    const real = JSON.parse(Buffer.from(await solve('leads', client), 'base64').toString());
    // A "solution" that never did the work: any counter with a made-up key.
    real.solution = { counter: 1, derivedKey: 'ab'.repeat(32) };
    const forged = await client.post(path('leads'), {
      contact_name: 'Bot',
      company: 'Forged Co',
      altcha: Buffer.from(JSON.stringify(real)).toString('base64'),
    });
    expect(forged.status, forged.text).toBe(400);
    expect(forged.body.error.details.reason).toBe('invalid');
    // A challenge the server did not sign (its signature changed).
    const other = JSON.parse(Buffer.from(await solve('leads', client), 'base64').toString());
    other.challenge.parameters.cost = 1;
    const unsigned = await client.post(path('leads'), {
      contact_name: 'Bot',
      company: 'Forged Co',
      altcha: Buffer.from(JSON.stringify(other)).toString('base64'),
    });
    expect(unsigned.status).toBe(400);
    expect(await leadsOf('Forged Co')).toHaveLength(0);
  });

  it('refuses a replayed solution', async () => {
    const client = visitor();
    const altcha = await solve('leads', client);
    const first = await client.post(path('leads'), { contact_name: 'Once', company: 'Replay Co', altcha });
    expect(first.status, first.text).toBe(200);
    const again = await visitor().post(path('leads'), { contact_name: 'Twice', company: 'Replay Co', altcha });
    expect(again.status, again.text).toBe(400);
    expect(again.body.error.details.reason).toBe('replayed');
    expect(await leadsOf('Replay Co')).toHaveLength(1);
  });

  it("refuses another form's solution", async () => {
    const client = visitor();
    const altcha = await solve('contact_us', client);
    const res = await client.post(path('leads'), { contact_name: 'Mix', company: 'Mixed Co', altcha });
    expect(res.status, res.text).toBe(400);
    expect(res.body.error.details.reason).toBe('other-form');
  });
});

describe('honeypot', () => {
  it('a filled honeypot is answered like a success and saves nothing', async () => {
    const client = visitor();
    const res = await client.post(path('leads'), {
      contact_name: 'Spam Bot',
      company: 'Honey Co',
      website_url: 'http://spam.test',
      altcha: await solve('leads', client),
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.ok).toBe(true);
    expect(await leadsOf('Honey Co')).toHaveLength(0);
  });
});

describe('mass assignment', () => {
  const probes: Array<[string, Record<string, unknown>]> = [
    ['a field of the object the form does not expose', { notes: 'sneaky' }],
    ['the hidden field', { source: 'partner' }],
    ['the owner', { owner: '00000000-0000-4000-8000-000000000001' }],
    ['the id', { id: '00000000-0000-4000-8000-000000000002' }],
    ['system fields', { created_by: '00000000-0000-4000-8000-000000000003', approval_status: 'approved' }],
    ['a lookup to another object', { converted_account: '00000000-0000-4000-8000-000000000004' }],
    ["another object's field", { subject: 'a case' }],
  ];
  for (const [what, extra] of probes)
    it(`refuses ${what} with 400 naming it`, async () => {
      const res = await visitor().post(path('leads'), { contact_name: 'Probe', company: 'Probe Co', ...extra });
      expect(res.status, res.text).toBe(400);
      expect(Object.keys(res.body.error.fields).sort()).toEqual(Object.keys(extra).sort());
      for (const k of Object.keys(extra)) expect(res.body.error.message).toContain(k);
    });

  it('refuses a prototype-poisoning body and a non-object body', async () => {
    const proto = await visitor().post(path('leads'), undefined, {
      raw: '{"contact_name":"P","__proto__":{"isAdmin":true}}',
    });
    expect(proto.status, proto.text).toBe(400);
    const list = await visitor().post(path('leads'), [{ contact_name: 'x' }]);
    expect(list.status, list.text).toBe(400);
  });

  it('a value of the wrong shape is refused by the save rules, never stored', async () => {
    const client = visitor();
    const res = await client.post(path('leads'), {
      contact_name: { $ne: null },
      company: 'Shape Co',
      altcha: await solve('leads', client),
    });
    expect(res.status, res.text).toBe(400);
    expect(await leadsOf('Shape Co')).toHaveLength(0);
  });

  it('nothing was created by the probes', async () => {
    expect(await leadsOf('Probe Co')).toHaveLength(0);
  });
});

describe('bodies', () => {
  it('malformed JSON → 400', async () => {
    const res = await visitor().post(path('leads'), undefined, { raw: '{"contact_name": ' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('BAD_REQUEST');
  });

  it('an oversized body → 413 (JSON and urlencoded)', async () => {
    const big = 'x'.repeat(40 * 1024);
    const json = await visitor().post(path('leads'), { contact_name: 'Big', notes: big });
    expect(json.status).toBe(413);
    expect(json.body.error.code).toBe('TOO_LARGE');
    const form = await visitor().request('POST', path('leads'), {
      raw: `contact_name=Big&company=${big}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(413);
  });
});

describe('plain HTML form (no JavaScript)', () => {
  beforeAll(async () => {
    const res = await putForm(
      'nojs',
      LEAD_FORM(rep.id, {
        label: 'No JS',
        proofOfWork: false,
        fields: [{ field: 'contact_name' }, { field: 'company' }, { field: 'estimated_amount' }],
        defaults: {},
      }),
    );
    expect(res.status, res.text).toBe(200);
    const redirect = await putForm(
      'nojs_redirect',
      LEAD_FORM(rep.id, {
        label: 'No JS redirect',
        proofOfWork: false,
        redirectUrl: 'https://www.example.test/thanks',
        fields: [{ field: 'contact_name' }, { field: 'company' }],
        defaults: {},
      }),
    );
    expect(redirect.status, redirect.text).toBe(200);
  });

  const post = (form: string, body: string, headers: Record<string, string> = {}) =>
    visitor().request('POST', path(form), {
      raw: body,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    });

  it('a urlencoded post from another site gets the thank-you page', async () => {
    const res = await post('nojs', 'contact_name=Plain+Post&company=Plain+%26+Co&estimated_amount=99&website_url=', {
      'sec-fetch-site': 'cross-site',
      origin: 'https://www.example.test',
    });
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.text).toContain('Thanks, we will call you.');
    const [lead] = await leadsOf('Plain & Co');
    expect(lead).toMatchObject({ contact_name: 'Plain Post', source: 'web', owner: rep.id });
    expect(Number(lead!.estimated_amount)).toBe(99);
  });

  it('…or a 303 to the redirect URL', async () => {
    const res = await fetch(new URL(path('nojs_redirect'), server.url), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '198.51.100.77' },
      body: 'contact_name=R&company=Redirect+Co',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('https://www.example.test/thanks');
  });

  it('refusals are a page too, naming the field, with text escaped', async () => {
    const res = await post('nojs', 'contact_name=%3Cscript%3E&company=X&owner=me', { 'accept-language': 'zh-CN' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.text).toContain('owner');
    expect(res.text).toContain('您的信息未能提交');
    expect(res.text).not.toContain('<script>');
  });
});

describe('rate limits', () => {
  it('per address: past the limit 429 with Retry-After, other addresses unaffected', async () => {
    expect((await putForm('limited_ip', LEAD_FORM(rep.id, { limits: { perIpPerHour: 3 } }))).status).toBe(200);
    const client = visitor('198.51.100.200');
    for (let i = 0; i < 3; i++) {
      const res = await client.post(path('limited_ip'), {
        contact_name: `L${i}`,
        company: 'Limit Co',
        altcha: await solve('limited_ip', client),
      });
      expect(res.status, res.text).toBe(200);
    }
    const over = await client.post(path('limited_ip'), {
      contact_name: 'L4',
      company: 'Limit Co',
      altcha: await solve('limited_ip', client),
    });
    expect(over.status, over.text).toBe(429);
    expect(over.body.error.code).toBe('RATE_LIMITED');
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    const other = visitor('198.51.100.201');
    const ok = await other.post(path('limited_ip'), {
      contact_name: 'L5',
      company: 'Limit Co',
      altcha: await solve('limited_ip', other),
    });
    expect(ok.status, ok.text).toBe(200);
    expect(await leadsOf('Limit Co')).toHaveLength(4);
  });

  it('challenges per address: five per submission the address may make, then 429', async () => {
    expect((await putForm('limited_pow', LEAD_FORM(rep.id, { limits: { perIpPerHour: 1 } }))).status).toBe(200);
    const client = visitor('198.51.100.220');
    for (let i = 0; i < 5; i++) expect((await client.get(`${path('limited_pow')}/challenge`)).status).toBe(200);
    const over = await client.get(`${path('limited_pow')}/challenge`);
    expect(over.status, over.text).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('per form: past the limit 429 for every address', async () => {
    expect((await putForm('limited_form', LEAD_FORM(rep.id, { limits: { perFormPerHour: 2 } }))).status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const client = visitor(`198.51.100.${210 + i}`);
      const res = await client.post(path('limited_form'), {
        contact_name: `F${i}`,
        company: 'Form Limit Co',
        altcha: await solve('limited_form', client),
      });
      statuses.push(res.status);
      if (res.status === 429) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(statuses).toEqual([200, 200, 429]);
  });
});

describe('configuration', () => {
  it('refuses a form over fields a stranger may not write, and a bad redirect URL', async () => {
    const res = await putForm(
      'bad',
      LEAD_FORM(rep.id, {
        fields: [{ field: 'contact_name' }, { field: 'converted_account' }, { field: 'owner' }, { field: 'nope' }],
        hidden: { status: 'bogus', company: 'x' },
        redirectUrl: 'javascript:alert(1)',
      }),
    );
    expect(res.status, res.text).toBe(400);
    expect(res.text).toContain('redirectUrl');
    const noUrl = await putForm(
      'bad',
      LEAD_FORM(rep.id, {
        fields: [{ field: 'contact_name' }, { field: 'converted_account' }, { field: 'owner' }, { field: 'nope' }],
        hidden: { status: 'bogus' },
      }),
    );
    expect(noUrl.status, noUrl.text).toBe(400);
    // People read labels: the lookup is named as the object names it.
    expect(noUrl.text).toContain('Converted account');
    expect(noUrl.text).toContain('a lookup');
    expect(noUrl.text).toContain('a system field');
    expect(noUrl.text).toContain('no field \\"nope\\"');
    expect(noUrl.text).toContain('bogus');
    // company is required by the lead and neither shown nor hidden.
    expect(noUrl.text).toContain('is required');
  });

  it('refuses an owner who may not create the object, naming them', async () => {
    const clerk = await tenant.addUser({ roles: [], name: 'Carl Clerk' });
    const res = await putForm('clerk', LEAD_FORM(clerk.id));
    expect(res.status, res.text).toBe(400);
    expect(res.text).toContain('/owner');
    expect(res.text).toContain('Carl Clerk may not create Lead');
  });

  it('an owner who lost the right later: submissions answer a clear configuration error, nothing saved', async () => {
    const later = await tenant.addUser({ roles: ['sales_rep'], name: 'Lena Later' });
    expect((await putForm('later', LEAD_FORM(later.id))).status).toBe(200);
    const patch = await tenant.api.patch(`/api/users/${later.id}`, { roles: [] });
    expect(patch.status, patch.text).toBe(200);
    const client = visitor();
    const res = await client.post(path('later'), {
      contact_name: 'Late',
      company: 'Late Co',
      altcha: await solve('later', client),
    });
    expect(res.status, res.text).toBe(409);
    expect(res.body.error.details.reason).toBe('form_misconfigured');
    expect(res.body.error.message).toContain('not set up correctly');
    expect(await leadsOf('Late Co')).toHaveLength(0);
  });
});
