import Ajv2020 from 'ajv/dist/2020';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import apiSchema from '../../metadata/schemas/api.schema.json';
import type { AutomationActionType } from '../../platform/src/plugins/plugin-api';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';
import { noteNode } from '../support/note-node-plugin';

/**
 * Plugins extend the closed lists of the core through registries: a "send SMS" automation action and
 * a workflow node type, both in a plugin loaded in process, with no change to core code. Saving
 * checks them (the plugin's schema, unknown types refused), rules and workflows run them, and a
 * failed plugin leaves neither behind.
 */
let server: TestServer;
let tenant: TestTenant;
const sent: Array<{ to: string; text: string }> = [];

interface SmsAction {
  type: 'sms';
  to: string;
  text: string;
}
const smsAction: AutomationActionType<SmsAction> = {
  type: 'sms',
  schema: {
    required: ['to', 'text'],
    additionalProperties: false,
    properties: { to: { type: 'string', pattern: '^\\+[0-9]{6,15}$' }, text: { type: 'string', maxLength: 320 } },
  },
  check(action, c) {
    if (action.text.includes('{{record.nope}}')) c.add(`${c.path}/text`, 'names an unknown field');
  },
  async run(action, step) {
    sent.push({ to: action.to, text: step.render(action.text) });
    return { summary: { to: action.to } };
  },
};

beforeAll(async () => {
  server = await startTestServer({
    plugins: [
      {
        kind: 'inline',
        definition: { name: 'sms-demo', version: '1.0.0', automationActions: [smsAction], nodeTypes: [noteNode] },
      },
      // Takes a core type's name: fails to load, and its other action is not left registered.
      {
        kind: 'inline',
        definition: {
          name: 'greedy',
          version: '1.0.0',
          automationActions: [
            { type: 'fax', run: async () => ({ summary: {} }) },
            { ...smsAction, type: 'set' },
          ],
        },
      },
    ],
  });
  tenant = await createTestTenant(server, { prefix: 'plugext' });
  const put = await tenant.api.put('/api/meta/objects/ticket', {
    title: 'Ticket',
    type: 'object',
    'x-label-field': 'subject',
    properties: { subject: { type: 'string', maxLength: 200 }, amount: { type: 'number' } },
    required: ['subject'],
  });
  expect(put.status, put.text).toBe(200);
}, 300_000);
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

async function settle(): Promise<void> {
  for (let i = 0; i < 100; i += 1) if (!(await server.runtime.outbox.drain())) return;
}

const rule = (action: Record<string, unknown>) => ({
  label: 'Text the owner',
  object: 'ticket',
  trigger: { on: 'create' },
  actions: [action],
});

describe('a plugin automation action', () => {
  it('is refused when its shape does not fit the plugin schema, or its type is unknown', async () => {
    const bad = await tenant.api.put('/api/meta/automations/bad_sms', rule({ type: 'sms', to: 'nobody' }));
    expect(bad.status, bad.text).toBe(400);
    expect(JSON.stringify(bad.body.error)).toContain('/actions/0');
    const extra = await tenant.api.put(
      '/api/meta/automations/bad_sms',
      rule({ type: 'sms', to: '+4912345678', text: 'x', colour: 'red' }),
    );
    expect(extra.status, extra.text).toBe(400);
    expect(JSON.stringify(extra.body.error)).toContain('colour');
    const own = await tenant.api.put(
      '/api/meta/automations/bad_sms',
      rule({ type: 'sms', to: '+4912345678', text: 'see {{record.nope}}' }),
    );
    expect(own.status, own.text).toBe(400);
    expect(JSON.stringify(own.body.error)).toContain('names an unknown field');
    const unknown = await tenant.api.put('/api/meta/automations/bad_sms', rule({ type: 'fax', to: '1' }));
    expect(unknown.status, unknown.text).toBe(400);
    expect(JSON.stringify(unknown.body.error)).toContain('unknown action type \\"fax\\"');
  });

  it('runs in a rule like a core action', async () => {
    const ok = await tenant.api.put(
      '/api/meta/automations/text_owner',
      rule({ type: 'sms', to: '+4912345678', text: 'New ticket: {{record.subject}}' }),
    );
    expect(ok.status, ok.text).toBe(200);
    const created = await tenant.api.post('/api/records/ticket', { subject: 'Printer on fire' });
    expect(created.status, created.text).toBe(201);
    await settle();
    await expect.poll(() => sent).toContainEqual({ to: '+4912345678', text: 'New ticket: Printer on fire' });
    const runs = await tenant.api.get('/api/automations/runs', { query: { rule: 'text_owner' } });
    expect(runs.status, runs.text).toBe(200);
    expect(runs.body.items[0]).toMatchObject({ outcome: 'succeeded', actions: [{ type: 'sms', to: '+4912345678' }] });
  });

  it('is listed with its schema for the designer, and a test run only describes it (it may leave the database)', async () => {
    const types = await tenant.api.get('/api/automations/action-types');
    expect(types.status, types.text).toBe(200);
    const sms = types.body.items.find((i: { type: string }) => i.type === 'sms');
    expect(sms).toMatchObject({
      core: false,
      transactional: false,
      schema: { type: 'object', required: ['to', 'text'] },
    });
    expect(sms.schema.properties.text).toEqual({ type: 'string', maxLength: 320 });
    const created = await tenant.api.post('/api/records/ticket', { subject: 'Dry' });
    // The published "text the owner" rule texts about this ticket; the count is taken after it.
    await settle();
    const before = sent.length;
    const dry = await tenant.api.post('/api/automations/dry-run', {
      rule: rule({ type: 'sms', to: '+4912345678', text: 'x' }),
      record: created.body.id,
    });
    expect(dry.status, dry.text).toBe(200);
    expect(dry.body.actions).toEqual([{ type: 'sms', notRun: true }]);
    expect(sent.length).toBe(before);
  });

  it('a plugin that fails to load leaves none of its actions registered', async () => {
    const plugins = await tenant.api.get('/api/plugins');
    const greedy = plugins.body.items.find((p: { name: string }) => p.name === 'greedy');
    expect(greedy.status).toBe('failed');
    expect(greedy.error).toContain('"set" is already registered');
    const fax = await tenant.api.put('/api/meta/automations/fax', rule({ type: 'fax' }));
    expect(fax.status, fax.text).toBe(400);
    expect(JSON.stringify(fax.body.error)).toContain('unknown action type');
  });
});

describe('a plugin workflow node type', () => {
  const workflow = (nodeData: Record<string, unknown>) => ({
    object: 'ticket',
    label: 'Big tickets',
    trigger: { on: 'submit' },
    nodes: [
      { id: 'start', type: 'start', position: { x: 0, y: 0 }, data: {} },
      { id: 'n1', type: 'note', position: { x: 0, y: 100 }, data: nodeData },
      { id: 'done', type: 'end', position: { x: 0, y: 200 }, data: { outcome: 'approved', set: { amount: 1 } } },
    ],
    edges: [
      { id: 'e1', source: 'start', target: 'n1' },
      { id: 'e2', source: 'n1', target: 'done' },
    ],
  });

  it('is checked by its own rules, and an unknown type is refused', async () => {
    const bad = await tenant.api.put('/api/meta/workflows/big', workflow({}));
    expect(bad.status, bad.text).toBe(400);
    expect(JSON.stringify(bad.body.error)).toContain('a note needs a text');
    const unknown = workflow({ text: 'x' });
    (unknown.nodes[1] as { type: string }).type = 'teleport';
    const r = await tenant.api.put('/api/meta/workflows/big', unknown);
    expect(r.status, r.text).toBe(400);
    expect(JSON.stringify(r.body.error)).toContain('unknown node type \\"teleport\\"');
  });

  it('is simulated and run by the engine', async () => {
    const ok = await tenant.api.put('/api/meta/workflows/big', workflow({ text: 'checked by the plugin' }));
    expect(ok.status, ok.text).toBe(200);
    const sim = await tenant.api.post('/api/meta/workflows/big/simulate', { record: { subject: 'S' } });
    expect(sim.status, sim.text).toBe(200);
    expect(sim.body).toMatchObject({ path: ['start', 'n1', 'done'], outcome: 'approved' });
    const created = await tenant.api.post('/api/records/ticket', { subject: 'Submit me' });
    expect(created.status, created.text).toBe(201);
    const submitted = await tenant.api.post(`/api/records/ticket/${created.body.id}/submit`);
    expect(submitted.status, submitted.text).toBe(201);
    const history = await tenant.api.get(`/api/records/ticket/${created.body.id}/approvals`);
    expect(history.status, history.text).toBe(200);
    expect(history.body.items[0].status).toBe('approved');
    expect(history.body.items[0].history).toContainEqual(
      expect.objectContaining({ action: 'note', step: 'n1', data: { text: 'checked by the plugin' } }),
    );
    expect((await tenant.api.get(`/api/records/ticket/${created.body.id}`)).body.amount).toBe(1);
  });
});

describe('GET /api/meta/workflow-node-types', () => {
  it("lists the core types in palette order and the plugin's type with its palette entry", async () => {
    const r = await tenant.api.get('/api/meta/workflow-node-types');
    expect(r.status, r.text).toBe(200);
    const items = r.body.items as Array<{ type: string; automatic: boolean; palette: Record<string, unknown> }>;
    expect(items.map((i) => i.type)).toEqual(['approval', 'condition', 'action', 'end', 'start', 'note']);
    const approval = items.find((i) => i.type === 'approval');
    expect(approval).toMatchObject({
      automatic: false,
      palette: {
        label: { en: 'Approval', 'zh-CN': '审批' },
        icon: 'user-check',
        initialData: { approvers: [], mode: 'any' },
        handles: [
          { id: 'approved', edgeData: { outcome: 'approved' } },
          { id: 'rejected', edgeData: { outcome: 'rejected' } },
        ],
      },
    });
    expect(items.find((i) => i.type === 'start')?.palette).toMatchObject({ entry: true, handles: [{ id: 'out' }] });
    expect(items.find((i) => i.type === 'end')?.palette.handles).toEqual([]);
    const note = items.find((i) => i.type === 'note');
    expect(note).toEqual({ type: 'note', automatic: true, palette: noteNode.palette });
  });

  it('is for tenant admins only: 401 without a session, 403 for a user', async () => {
    expect((await server.anon.get('/api/meta/workflow-node-types')).status).toBe(401);
    const user = await tenant.addUser({ roles: [] });
    const r = await user.api.get('/api/meta/workflow-node-types');
    expect(r.status, r.text).toBe(403);
    expect(r.body.error.code).toBe('FORBIDDEN');
  });

  it('every palette entry fits the API contract (metadata/schemas/api.schema.json)', async () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    ajv.addSchema(apiSchema);
    const check = ajv.compile({ $ref: `${apiSchema.$id}#/$defs/workflowNodeTypeInfo` });
    const r = await tenant.api.get('/api/meta/workflow-node-types');
    for (const item of r.body.items) expect(check(item), `${item.type}: ${ajv.errorsText(check.errors)}`).toBe(true);
  });
});
