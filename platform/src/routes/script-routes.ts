import { type RecordData, SCRIPT_EVENTS, SCRIPT_LIMIT_RANGES, type ScriptDefinition } from '@forma/runtime';
import type { FastifyInstance } from 'fastify';
import { bearer, errors, uuidParam } from '../http/schemas';
import type { TypeProvider } from '../http/type-provider';

const name = { type: 'string', pattern: '^[a-z][a-z0-9_]{0,62}$', maxLength: 63 } as const;
const data = { type: 'object', additionalProperties: true } as const;

const inlineScript = {
  type: 'object',
  description: 'An unsaved definition to run instead of the saved script of this name',
  additionalProperties: false,
  required: ['object', 'event', 'code'],
  properties: {
    object: name,
    event: { type: 'string', enum: [...SCRIPT_EVENTS] },
    code: { type: 'string', maxLength: 100_000 },
    language: { type: 'string', enum: ['js', 'ts'] },
    label: { type: 'string', maxLength: 200 },
    description: { type: 'string', maxLength: 2000 },
    active: { type: 'boolean' },
    order: { type: 'integer' },
  },
} as const;

const testResult = {
  type: 'object',
  additionalProperties: false,
  properties: {
    errors: { type: 'object', additionalProperties: { type: 'string' } },
    changes: data,
    logs: { type: 'array', items: { type: 'string' } },
    ms: { type: 'number' },
    result: { description: 'What an action script returned' },
  },
  required: ['errors', 'changes', 'logs', 'ms'],
} as const;

const actionResult = {
  type: 'object',
  additionalProperties: false,
  properties: {
    result: { description: 'What the action script returned (JSON data)' },
    changes: { ...data, description: 'Fields the script set, saved through the normal update' },
    errors: { type: 'object', additionalProperties: { type: 'string' } },
    logs: { type: 'array', items: { type: 'string' } },
    ms: { type: 'number' },
    record: { ...data, description: 'The record after the action' },
  },
  required: ['changes', 'errors', 'logs', 'ms', 'record'],
} as const;

const limitsBody = {
  type: 'object',
  additionalProperties: false,
  description: 'Overrides of the configured limits; keys left out use the configuration',
  properties: Object.fromEntries(
    Object.entries(SCRIPT_LIMIT_RANGES).map(([key, [minimum, maximum]]) => [
      key,
      { type: 'integer', minimum, maximum },
    ]),
  ),
} as const;

const limitsAnswer = {
  type: 'object',
  additionalProperties: false,
  required: ['overrides', 'effective'],
  properties: {
    overrides: { type: 'object', additionalProperties: { type: 'integer' } },
    effective: { type: 'object', additionalProperties: { type: 'integer' } },
  },
} as const;

const tenantParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[a-z][a-z0-9_]{1,30}$', maxLength: 31 } },
} as const;

const limitsOut = (r: { overrides: object; effective: object }) => ({
  overrides: r.overrides as Record<string, number>,
  effective: r.effective as Record<string, number>,
});

export async function scriptRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeProvider>();
  const platformSecurity = [{ platformToken: [] }];

  app.get(
    '/api/tenants/:id/script-limits',
    {
      preHandler: app.requirePlatform,
      schema: {
        tags: ['tenants', 'scripts'],
        summary: 'A tenant’s script limit overrides and the limits its scripts run under (platform admin)',
        security: platformSecurity,
        params: tenantParams,
        response: { 200: limitsAnswer, ...errors(400, 401, 404) },
      },
    },
    async (request) => limitsOut(await app.runtime.scriptLimits.tenantLimits(request.params.id)),
  );

  app.put(
    '/api/tenants/:id/script-limits',
    {
      preHandler: app.requirePlatform,
      schema: {
        tags: ['tenants', 'scripts'],
        summary: 'Replace a tenant’s script limit overrides (platform admin); {} removes them',
        description:
          'Kept in the tenant’s settings, so every server process applies them within the configured ' +
          '`settingsTtlMs` (this one at once).',
        security: platformSecurity,
        params: tenantParams,
        body: limitsBody,
        response: { 200: limitsAnswer, ...errors(400, 401, 404) },
      },
    },
    async (request) => limitsOut(await app.runtime.scriptLimits.putTenantLimits(request.params.id, request.body)),
  );

  app.post(
    '/api/records/:object/:id/actions/:script',
    {
      // A button usually sends no body at all: that is an action without params.
      preValidation: async (request) => {
        if (request.body === undefined || request.body === null) request.body = {};
      },
      preHandler: app.requireUser,
      schema: {
        tags: ['scripts', 'records'],
        summary: 'Run an action script (a button) on one record',
        description:
          'Runs the `action` script `script` of `object` on the record, as the signed-in user: the body is ' +
          'its `params`. Fields it `set()` are saved through the normal update (permissions, validation, ' +
          'save scripts; 409 when the record changed meanwhile). `error()` in the script answers 400 ' +
          'VALIDATION_FAILED with its fields; a failing script 422 SCRIPT_FAILED; an unknown action, or a ' +
          'record the user may not read, 404.',
        security: bearer,
        params: {
          type: 'object',
          required: ['object', 'id', 'script'],
          properties: { object: name, id: uuidParam, script: name },
        },
        body: { ...data, description: 'The action’s params' },
        response: { 200: actionResult, ...errors(400, 401, 403, 404, 409, 413, 422) },
      },
    },
    async (request) => {
      const { object, id, script } = request.params;
      return app.runtime.scriptActions.runAction(request.ctx, object, id, script, (request.body ?? {}) as RecordData);
    },
  );

  app.post(
    '/api/meta/scripts/:name/test',
    {
      preHandler: app.requireAdmin,
      schema: {
        tags: ['scripts'],
        summary: 'Run a script on a sample record without saving anything (tenant admin)',
        description:
          'Runs the saved script `name`, or the definition given as `script`, as its event would: validate ' +
          'and beforeSave scripts report `errors` and `changes`, action scripts also their `result`. A script ' +
          'that throws, times out or runs out of memory answers 422 SCRIPT_FAILED naming the script, the ' +
          'reason and the line; an unsaved definition that does not compile answers 400 with line and column.',
        security: bearer,
        params: { type: 'object', required: ['name'], properties: { name } },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['record'],
          properties: {
            record: data,
            old: { type: ['object', 'null'], additionalProperties: true },
            params: data,
            script: inlineScript,
          },
        },
        response: { 200: testResult, ...errors(400, 401, 403, 404, 413, 422) },
      },
    },
    async (request) => {
      const { record, old, params, script } = request.body;
      return app.runtime.scriptActions.test(request.ctx, {
        name: request.params.name,
        record: record as RecordData,
        old: (old ?? null) as RecordData | null,
        ...(params ? { params: params as RecordData } : {}),
        ...(script ? { script: script as ScriptDefinition } : {}),
      });
    },
  );
}
