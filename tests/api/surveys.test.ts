/**
 * Satisfaction surveys end to end through a real server (docs/surveys.md): a case closed → the
 * survey e-mail waits its delay in the outbox and goes out over SMTP → the link opens the survey
 * without signing in → the answer is a survey_response record linked to the case and the contact →
 * the satisfaction reports agree with SQL over the same rows → a low score opens a task for the
 * agent's manager. And the unhappy paths of the public route.
 */
import { sendOutbox, signSurveyLink, smtpTransport } from '@forma/runtime';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  type ApiResponse,
  createTestTenant,
  startTestServer,
  type TestServer,
  type TestTenant,
} from '../support';

let server: TestServer;
let tenant: TestTenant;
let smtp: SMTPServer;
let smtpUrl: string;
const received: Array<{ to: string[]; raw: string }> = [];
let agent: { id: string; api: ApiClient };
let manager: { id: string };
let contactId: string;
let otherContactId: string;

const PUBLIC_URL = 'http://forma.test';
const LIMIT = 40;
const schema = () => `t_${tenant.id}`;
const db = () => server.runtime.db.withSchema(schema());
/** A client of its own address (the test server trusts X-Forwarded-For), so budgets never mix. */
let n = 0;
const visitor = () => new ApiClient(server.url, undefined, { 'x-forwarded-for': `198.51.100.${++n}` });

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const send = (now: Date) =>
  sendOutbox(server.runtime.db, smtpTransport(smtpUrl), { from: 'forma@example.test' }, now, server.runtime.logger, [
    tenant.id,
  ]);

/** Opens a case owned by the agent and closes it; returns the case id and the survey link sent. */
async function closeCase(subject: string, contact: string, type: string): Promise<{ id: string; token: string }> {
  const created = await agent.api.post('/api/records/service_case', { subject, contact, type, status: 'in_progress' });
  expect(created.status, created.text).toBe(201);
  const id = created.body.id as string;
  const closed = await agent.api.patch(
    `/api/records/service_case/${id}`,
    { status: 'closed' },
    {
      headers: { 'if-match': String(created.body.version) },
    },
  );
  expect(closed.status, closed.text).toBe(200);
  const row = await until('the survey e-mail in the outbox', async () =>
    db().from('_email_outbox').where({ object: 'service_case', record_id: id }).first(),
  );
  // The rule's delay (PT1H): the e-mail waits in the outbox until then.
  const due = new Date(row.next_attempt_at).getTime() - new Date(row.created_at).getTime();
  expect(due).toBe(3_600_000);
  const before = received.length;
  expect((await send(new Date(Date.now() + 30 * 60_000))).sent).toBe(0);
  expect((await send(new Date(Date.now() + 2 * 3_600_000))).sent).toBeGreaterThanOrEqual(1);
  const mail = received.slice(before).find((m) => m.raw.includes(`${PUBLIC_URL}/s/`));
  expect(mail, 'the survey e-mail was sent').toBeDefined();
  const unfolded = mail!.raw.replace(/=\r?\n/g, '');
  const token = /http:\/\/forma\.test\/s\/([A-Za-z0-9_.-]+)/.exec(unfolded)?.[1];
  expect(token).toBeTruthy();
  return { id, token: token! };
}

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    lenientAddressParsing: true,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as { port: number }).port}`;
  server = await startTestServer({
    plugins: [{ kind: 'module', specifier: '@forma/plugin-core-crm', origin: 'workspace' }],
    trustProxy: true,
    runtimeConfig: { publicUrl: PUBLIC_URL, surveys: { publicPerMinute: LIMIT, maxBodyBytes: 4096 } },
  });
  tenant = await createTestTenant(server, { prefix: 'srv', template: 'core-crm' });
  manager = await tenant.addUser({ roles: ['service_agent'], name: 'Mia Manager' });
  agent = await tenant.addUser({ roles: ['service_agent'], name: 'Aldo Agent', manager: manager.id });
  const c1 = await tenant.api.post('/api/records/contact', {
    last_name: 'Chen',
    first_name: 'Wei',
    email: 'chen.wei@customer.test',
  });
  expect(c1.status, c1.text).toBe(201);
  contactId = c1.body.id;
  const c2 = await tenant.api.post('/api/records/contact', {
    last_name: 'Doe',
    first_name: 'Dana',
    email: 'dana@customer.test',
  });
  expect(c2.status, c2.text).toBe(201);
  otherContactId = c2.body.id;
}, 120_000);

afterAll(async () => {
  await server?.close();
  await new Promise<void>((resolve) => smtp?.close(() => resolve()));
});

describe('satisfaction surveys', () => {
  let low: { id: string; token: string };

  it('closing a case e-mails its contact a survey link that opens without signing in', async () => {
    low = await closeCase('Printer on fire', contactId, 'complaint');
    const mail = received.at(-1)!;
    expect(mail.to).toEqual(['chen.wei@customer.test']);
    const page = await visitor().get(`/api/public/surveys/${low.token}`);
    expect(page.status, page.text).toBe(200);
    expect(page.body.survey).toMatchObject({ title: 'How did we do?', locale: 'en' });
    expect(page.body.survey.questions.map((q: { id: string; kind: string }) => `${q.id}:${q.kind}`)).toEqual([
      'rating:rating',
      'nps:nps',
      'reason:choice',
      'comment:text',
    ]);
    // The page learns nothing of the tenant's model: no object or field names.
    expect(page.text).not.toContain('survey_response');
    expect(page.text).not.toContain('service_case');
  });

  it('refuses wrong answers with a message per question, and saves nothing', async () => {
    const v = visitor();
    const post = (answers: unknown) => v.post(`/api/public/surveys/${low.token}`, { answers });
    const seven = await post({ rating: 7, nps: 3 });
    expect(seven.status, seven.text).toBe(400);
    expect(seven.body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      fields: { rating: 'Choose a whole number from 1 to 5' },
    });
    const missing = await post({ rating: 2 });
    expect(missing.status).toBe(400);
    expect(missing.body.error.fields).toEqual({ nps: 'Please answer this question' });
    const wrong = await post({ rating: 'two', nps: 3.5, reason: 'price', extra: 1 });
    expect(wrong.status).toBe(400);
    expect(Object.keys(wrong.body.error.fields).sort()).toEqual(['extra', 'nps', 'rating', 'reason']);
    const notObject = await v.post(`/api/public/surveys/${low.token}`, { answers: [1, 2] });
    expect(notObject.status).toBe(400);
    const noAnswers = await v.post(`/api/public/surveys/${low.token}`, { rating: 2 });
    expect(noAnswers.status).toBe(400);
    const malformed = await v.request('POST', `/api/public/surveys/${low.token}`, { raw: '{"answers": {"rating": 2' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('BAD_REQUEST');
    const huge = await v.request('POST', `/api/public/surveys/${low.token}`, {
      raw: JSON.stringify({ answers: { rating: 2, nps: 3, comment: 'x'.repeat(10_000) } }),
    });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('TOO_LARGE');
    const saved = await db().from('survey_response').where('service_case', low.id);
    expect(saved).toEqual([]);
  });

  it('saves the answer as a response linked to the case and the contact, once', async () => {
    const v = visitor();
    const ok = await v.post(`/api/public/surveys/${low.token}`, {
      answers: { rating: 2, nps: 5, reason: 'speed', comment: 'It took a week' },
    });
    expect(ok.status, ok.text).toBe(201);
    expect(ok.body).toEqual({ thanks: 'Thank you! Your answer helps us serve you better.', locale: 'en' });

    const again = await visitor().post(`/api/public/surveys/${low.token}`, { answers: { rating: 5, nps: 10 } });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'CONFLICT', details: { reason: 'answered' } });
    const reopened = await visitor().get(`/api/public/surveys/${low.token}`);
    expect(reopened.status).toBe(409);

    const list = await tenant.api.get('/api/records/survey_response', {
      query: { filter: JSON.stringify({ service_case: { eq: low.id } }) },
    });
    expect(list.status, list.text).toBe(200);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({
      service_case: low.id,
      contact: contactId,
      agent: agent.id,
      owner: agent.id,
      case_type: 'complaint',
      survey: 'case_satisfaction',
      rating: 2,
      nps: 5,
      reason: 'speed',
      comment: 'It took a week',
      promoter: 0,
      detractor: 1,
    });
    // Written through the records engine: its history says what caused it.
    const history = await tenant.api.get(`/api/records/survey_response/${list.body.items[0].id}/history`);
    expect(history.body.items[0].cause).toMatchObject({ kind: 'system' });
  });

  it("a low score opens a high-priority task for the agent's manager", async () => {
    const task = await until('the follow-up task', async () =>
      db().from('activity').where({ service_case: low.id, type: 'task' }).first(),
    );
    expect(task).toMatchObject({ owner: manager.id, assigned_to: manager.id, priority: 'high', contact: contactId });
    expect(task.subject).toContain('rating 2, NPS 5');
  });

  it('the satisfaction and NPS reports agree with SQL over the same rows', async () => {
    const happy = await closeCase('Password reset', otherContactId, 'question');
    expect(
      (await visitor().post(`/api/public/surveys/${happy.token}`, { answers: { rating: 5, nps: 10 } })).status,
    ).toBe(201);
    const passive = await closeCase('New invoice address', contactId, 'question');
    expect(
      (await visitor().post(`/api/public/surveys/${passive.token}`, { answers: { rating: 4, nps: 8 } })).status,
    ).toBe(201);
    // A good score opens no task.
    await new Promise((r) => setTimeout(r, 300));
    expect(await db().from('activity').where({ service_case: happy.id })).toEqual([]);

    const sql = await server.runtime.db.raw(
      `select case_type,
              avg(rating)::float8 as rating,
              count(*)::int as responses,
              (100.0 * (count(*) filter (where nps >= 9) - count(*) filter (where nps <= 6)) / count(nps))::float8 as nps
         from ??.survey_response where deleted_at is null group by case_type order by case_type`,
      [schema()],
    );
    expect(sql.rows).toHaveLength(2);
    const run = await tenant.api.post('/api/reports/csat_by_case_type/run');
    expect(run.status, run.text).toBe(200);
    const byType = Object.fromEntries(run.body.rows.map((r: Record<string, unknown>) => [r.case_type, r]));
    for (const row of sql.rows) {
      const got = byType[row.case_type];
      expect(got, row.case_type).toBeDefined();
      expect(Number(got.responses)).toBe(row.responses);
      expect(Number(got.avg_rating)).toBeCloseTo(row.rating, 2);
      expect(Number(got.nps)).toBeCloseTo(row.nps, 1);
    }
    // Complaint: one detractor → −100; questions: a promoter and a passive → +50.
    expect(Number(byType.complaint.nps)).toBe(-100);
    expect(Number(byType.question.nps)).toBe(50);

    const byAgent = await tenant.api.post('/api/reports/csat_by_agent/run');
    expect(byAgent.status, byAgent.text).toBe(200);
    expect(byAgent.body.rows).toHaveLength(1);
    expect(byAgent.body.rows[0]).toMatchObject({ agent: agent.id, responses: 3 });
    expect(Number(byAgent.body.rows[0].avg_rating)).toBeCloseTo(11 / 3, 2);
    expect(Number(byAgent.body.rows[0].nps)).toBe(0);
    const byMonth = await tenant.api.post('/api/reports/csat_by_month/run');
    expect(byMonth.status, byMonth.text).toBe(200);
    expect(byMonth.body.rows.reduce((s: number, r: { responses: number }) => s + Number(r.responses), 0)).toBe(3);
  });

  it('refuses tampered, forged and expired links with 404, without saying more than why', async () => {
    const [tenantPart, body, mac] = low.token.split('.') as [string, string, string];
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    for (const token of [
      `${tenantPart}.${body}.${flip(mac, 3)}`,
      `${tenantPart}.${flip(body, 2)}.${mac}`,
      `t_other.${body}.${mac}`,
      'garbage',
      `${tenantPart}.${body}`,
    ]) {
      const r = await visitor().get(`/api/public/surveys/${encodeURIComponent(token)}`);
      expect(r.status, token).toBe(404);
      expect(r.body.error.details).toEqual({ reason: 'invalid' });
      const p = await visitor().post(`/api/public/surveys/${encodeURIComponent(token)}`, {
        answers: { rating: 5, nps: 9 },
      });
      expect(p.status, token).toBe(404);
    }
    // A genuine signature over an expiry that has passed.
    const invitation = await db().from('_survey_invitations').whereNull('answered_at').first('id');
    const unanswered =
      invitation ??
      (await db()
        .insert({
          id: '11111111-1111-4111-8111-111111111111',
          survey: 'case_satisfaction',
          object: 'service_case',
          record_id: low.id,
          email: 'x@customer.test',
          locale: 'en',
          created_at: new Date(),
          send_at: new Date(),
          expires_at: new Date(Date.now() - 1000),
        })
        .into('_survey_invitations')
        .returning('id')
        .then((rows: Array<{ id: string }>) => rows[0]!));
    const expired = await signSurveyLink(server.runtime.secrets, {
      tenant: tenant.id,
      invitation: unanswered.id,
      exp: Date.now() - 60_000,
    });
    const r = await visitor().get(`/api/public/surveys/${expired}`);
    expect(r.status).toBe(404);
    expect(r.body.error).toMatchObject({ message: 'This survey link has expired', details: { reason: 'expired' } });
    const p = await visitor().post(`/api/public/surveys/${expired}`, { answers: { rating: 5, nps: 9 } });
    expect(p.status).toBe(404);
  });

  it('rate-limits each client address on the public route, with Retry-After', async () => {
    const v = visitor();
    let limited: ApiResponse | undefined;
    // A fixed window may turn over once mid-loop: within two windows' budget plus one, a refusal comes.
    for (let i = 0; i <= 2 * LIMIT && !limited; i++) {
      const r = await v.get('/api/public/surveys/not.a.link');
      if (r.status === 429) limited = r;
      else expect(r.status).toBe(404);
    }
    expect(limited, 'a 429 within the budget of two windows').toBeDefined();
    expect(limited!.body.error.code).toBe('RATE_LIMITED');
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another address is not affected.
    expect((await visitor().get('/api/public/surveys/not.a.link')).status).toBe(404);
  });

  it('of two answers to one link sent at once, exactly one is saved', async () => {
    const race = await closeCase('Race', otherContactId, 'request');
    const answers = [
      { rating: 4, nps: 9 },
      { rating: 1, nps: 0 },
    ];
    const results = await Promise.all(
      answers.map((a) => visitor().post(`/api/public/surveys/${race.token}`, { answers: a })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    const saved = await db().from('survey_response').where('service_case', race.id);
    expect(saved).toHaveLength(1);
  });

  it('the send_survey action is in the action catalog, and a rule naming an unknown survey is refused', async () => {
    const types = await tenant.api.get('/api/automations/action-types');
    expect(types.status, types.text).toBe(200);
    const entry = (types.body.items ?? types.body).find((t: { type: string }) => t.type === 'send_survey');
    expect(entry).toMatchObject({ core: true, transactional: true });
    expect(Object.keys(entry.schema.properties)).toEqual(
      expect.arrayContaining(['survey', 'contact', 'delay', 'locale']),
    );
    const bad = await tenant.api.put('/api/meta/automations/zz_survey', {
      label: 'Bad',
      object: 'service_case',
      trigger: { on: 'create' },
      actions: [{ type: 'send_survey', survey: 'nope', contact: 'account', delay: 'P1D' }],
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('unknown survey');
  });

  it('a survey definition naming fields that cannot hold its answers is refused at save', async () => {
    const r = await tenant.api.put('/api/meta/surveys/zz_bad', {
      label: 'Bad',
      object: 'service_case',
      response: { object: 'survey_response', about: 'contact' },
      questions: [{ id: 'q', kind: 'rating', label: 'Q', field: 'comment' }],
    });
    expect(r.status).toBe(400);
    expect(r.text).toContain('must be a lookup of survey_response to service_case');
    expect(r.text).toContain('needs a number field');
  });
});
