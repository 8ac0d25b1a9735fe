import { META_SECTIONS } from '@forma/runtime';
import type { FastifyInstance } from 'fastify';
import { bearer, errors } from '../http/schemas';
import type { TypeProvider } from '../http/type-provider';
import { appActions } from './app-actions';

const anyObject = { type: 'object', additionalProperties: true } as const;

const step = {
  type: 'object',
  additionalProperties: true,
  properties: {
    kind: { type: 'string' },
    sql: { type: 'string' },
    destructive: { type: 'boolean' },
    rewrite: { type: 'boolean' },
    description: { type: 'string' },
    phase: { type: 'string', enum: ['transaction', 'after-commit'] },
    object: { type: 'string' },
    field: { type: 'string' },
  },
} as const;

const applyOut = {
  type: 'object',
  additionalProperties: true,
  properties: {
    version: { type: 'integer' },
    changed: { type: 'boolean' },
    plan: {
      type: 'object',
      properties: { steps: { type: 'array', items: step }, destructive: { type: 'boolean' } },
    },
    summary: anyObject,
    indexes: anyObject,
  },
} as const;

const planOut = {
  type: 'object',
  additionalProperties: true,
  properties: {
    version: { type: 'integer' },
    changed: { type: 'boolean' },
    steps: { type: 'array', items: step },
    destructive: { type: 'boolean' },
    conflicts: { type: 'array', items: anyObject },
    summary: anyObject,
    changes: {
      type: 'array',
      description: 'The change as business changes: section, name, label, a code and its params (names and labels)',
      items: {
        type: 'object',
        additionalProperties: true,
        properties: {
          section: { type: 'string' },
          name: { type: 'string' },
          label: { type: 'string' },
          code: { type: 'string' },
          params: anyObject,
          labels: anyObject,
        },
      },
    },
  },
} as const;

const destructiveQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    allowDestructive: { type: 'boolean', description: 'Allow steps that drop data or narrow types' },
  },
} as const;

const nameParams = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

const ifMatch = {
  type: 'object',
  properties: {
    'if-match': {
      type: 'string',
      pattern: '^(W/)?"?[0-9]{1,15}"?$',
      description: 'The metadata version the change was made against; another change since then answers 409',
    },
  },
} as const;

const versionParams = {
  type: 'object',
  required: ['version'],
  properties: { version: { type: 'integer', minimum: 1 } },
} as const;

/** `If-Match: 7` (or `"7"`, `W/"7"`), already shape-checked by the route schema. */
function expectedVersion(headers: { 'if-match'?: string }): { expectedVersion?: number } {
  const raw = headers['if-match'];
  return raw === undefined ? {} : { expectedVersion: Number(raw.replace(/\D/g, '')) };
}

const SINGULAR: Record<(typeof META_SECTIONS)[number], string> = {
  objects: 'object (its JSON Schema)',
  roles: 'role',
  workflows: 'workflow',
  scripts: 'script',
  forms: 'form (keyed by its object)',
  views: 'view',
  reports: 'report',
  dashboards: 'dashboard',
  automations: 'automation rule',
  surveys: 'survey',
  webForms: 'public web form',
  segments: 'segment (a saved filter with stored membership)',
};

/**
 * `/api/meta`: the tenant's metadata (tenant admins; `/api/meta/app` for every signed-in user).
 * Access is checked on request, before the body is parsed and validated: a caller without the right
 * learns nothing about what a valid request would look like (401/403, never a 400 first).
 */
export async function metaRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeProvider>();
  const tags = ['metadata'];

  app.get(
    '/api/meta',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags,
        summary: 'The whole metadata document with its version (objects carry their stable x-id)',
        security: bearer,
        response: { 200: anyObject, ...errors(401, 403) },
      },
    },
    async (request) => ({ ...(await app.runtime.meta.get(request.ctx)) }),
  );

  app.get(
    '/api/meta/app',
    {
      onRequest: app.requireUser,
      schema: {
        tags,
        summary: 'Objects, forms and views for rendering lists and forms (any signed-in user)',
        description:
          '`actions` lists, per object the user may read, the buttons of its record page: its active `action` ' +
          'scripts (`kind: "script"`) and the plugin endpoints its form declares in `uiSchema["ui:actions"]` ' +
          '(`kind: "endpoint"`, `path` with `{id}`).',
        security: bearer,
        response: { 200: anyObject, ...errors(401) },
      },
    },
    async (request) => {
      const view = await app.runtime.permissions.appView(request.ctx, await app.runtime.meta.app(request.ctx));
      const { document } = await app.runtime.meta.model(request.ctx);
      return { ...view, actions: appActions(document.scripts, view.forms, new Set(Object.keys(view.objects ?? {}))) };
    },
  );

  for (const section of META_SECTIONS) {
    app.put(
      `/api/meta/${section}/:name`,
      {
        onRequest: app.requireAdmin,
        schema: {
          tags,
          summary: `Create or replace a ${SINGULAR[section]}; answers the version and the plan that ran`,
          security: bearer,
          params: nameParams,
          querystring: destructiveQuery,
          headers: ifMatch,
          body: anyObject,
          response: { 200: applyOut, ...errors(400, 401, 403, 409, 413, 503) },
        },
      },
      async (request) =>
        app.runtime.meta.put(request.ctx, section, request.params.name, request.body, {
          allowDestructive: request.query.allowDestructive === true,
          ...expectedVersion(request.headers),
        }),
    );

    app.delete(
      `/api/meta/${section}/:name`,
      {
        onRequest: app.requireAdmin,
        schema: {
          tags,
          summary: `Remove a ${SINGULAR[section]}${section === 'objects' ? ' (drops its table: needs allowDestructive=true)' : ''}`,
          security: bearer,
          params: nameParams,
          querystring: destructiveQuery,
          headers: ifMatch,
          response: { 200: applyOut, ...errors(400, 401, 403, 404, 409, 503) },
        },
      },
      async (request) =>
        app.runtime.meta.remove(request.ctx, section, request.params.name, {
          allowDestructive: request.query.allowDestructive === true,
          ...expectedVersion(request.headers),
        }),
    );
  }

  app.post(
    '/api/meta/plan',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags,
        summary: 'Plan a (partial) metadata document without changing anything',
        description:
          'Sections absent are unchanged; each item given replaces the item of that name; null removes it. ' +
          'Answers the ordered steps with their SQL, whether any is destructive, and the data checks that ' +
          'would refuse the change now (conflicts).',
        security: bearer,
        body: anyObject,
        response: { 200: planOut, ...errors(400, 401, 403, 409, 413) },
      },
    },
    async (request) => app.runtime.meta.plan(request.ctx, request.body),
  );

  app.post(
    '/api/meta/apply',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags,
        summary: 'Apply a (partial) metadata document in one transaction',
        description:
          'A destructive step without allowDestructive=true, data that does not fit, or removing something ' +
          'still in use answers 409 CONFLICT and changes nothing. Applying the same document twice is a no-op. ' +
          'With "version" in the body (or If-Match), a change made against an older version answers 409.',
        security: bearer,
        querystring: destructiveQuery,
        headers: ifMatch,
        body: anyObject,
        response: { 200: applyOut, ...errors(400, 401, 403, 409, 413, 503) },
      },
    },
    async (request) =>
      app.runtime.meta.apply(request.ctx, request.body, {
        allowDestructive: request.query.allowDestructive === true,
        ...expectedVersion(request.headers),
      }),
  );

  app.get(
    '/api/meta/history',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags,
        summary: 'Metadata versions, newest first, with author, time, plan and a summary of the change',
        security: bearer,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 500 },
            before: { type: 'integer', minimum: 1 },
          },
        },
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: anyObject } } },
          ...errors(400, 401, 403),
        },
      },
    },
    async (request) => ({
      items: await app.runtime.meta.history(request.ctx, {
        ...(request.query.limit !== undefined ? { limit: request.query.limit } : {}),
        ...(request.query.before !== undefined ? { before: request.query.before } : {}),
      }),
    }),
  );

  app.get(
    '/api/meta/history/:version',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags,
        summary: 'One metadata version with its whole document, plan and change summary',
        security: bearer,
        params: versionParams,
        response: { 200: anyObject, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => ({ ...(await app.runtime.meta.version(request.ctx, request.params.version)) }),
  );

  app.post(
    '/api/meta/history/:version/revert/plan',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags,
        summary: 'The plan that reverting to this version would run now; nothing changes',
        security: bearer,
        params: versionParams,
        response: { 200: planOut, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => app.runtime.meta.planRevert(request.ctx, request.params.version),
  );

  app.post(
    '/api/meta/history/:version/revert',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags,
        summary: 'Make the document of an earlier version current again, as a new version with its own plan',
        description:
          'History is never rewritten. Fields and objects added since that version are dropped (destructive: ' +
          'needs allowDestructive=true); renames since then are renamed back; data checks apply as for any change.',
        security: bearer,
        params: versionParams,
        querystring: destructiveQuery,
        headers: ifMatch,
        response: { 200: applyOut, ...errors(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request) =>
      app.runtime.meta.revert(request.ctx, request.params.version, {
        allowDestructive: request.query.allowDestructive === true,
        ...expectedVersion(request.headers),
      }),
  );

  app.get(
    '/api/meta/export',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags,
        summary: "The tenant's metadata as a template document (apply it to another tenant to reproduce it)",
        description:
          "layer=own leaves out what applied templates provide unchanged: only the tenant's own additions and " +
          'changes, to be applied on top of the same templates.',
        security: bearer,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { layer: { type: 'string', enum: ['all', 'own'], default: 'all' } },
        },
        response: { 200: anyObject, ...errors(400, 401, 403) },
      },
    },
    async (request) => ({
      ...(await app.runtime.meta.exportTemplate(request.ctx, { layer: request.query.layer ?? 'all' })),
    }),
  );

  app.get(
    '/api/meta/types',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags,
        summary: "TypeScript types of the tenant's records, for plugin authors (npm run types)",
        security: bearer,
        response: {
          200: { type: 'object', properties: { source: { type: 'string' } }, required: ['source'] },
          ...errors(401, 403),
        },
      },
    },
    async (request) => ({ source: await app.runtime.meta.recordTypes(request.ctx) }),
  );

  app.post(
    '/api/meta/indexes/repair',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags,
        summary: 'Build missing indexes and rebuild INVALID ones (concurrently); idempotent',
        security: bearer,
        response: { 200: anyObject, ...errors(401, 403) },
      },
    },
    async (request) => app.runtime.meta.repairIndexes(request.ctx),
  );
}
