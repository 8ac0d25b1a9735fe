import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installErrorHandling } from './error-handler';
import { installValidators, lazySerializers } from './validator-compiler';

/**
 * Test servers compile route schemas at first use (`lazySchemas`), production servers at start-up:
 * both must validate, coerce, fill defaults, refuse and serialize exactly alike.
 */
async function appWith(lazy: boolean): Promise<FastifyInstance> {
  const app = Fastify({ ...(lazy ? { schemaController: lazySerializers() } : {}) });
  installValidators(app, { lazy });
  installErrorHandling(app);
  app.post(
    '/things/:n',
    {
      schema: {
        params: { type: 'object', properties: { n: { type: 'integer', minimum: 1 } }, required: ['n'] },
        querystring: {
          type: 'object',
          properties: { tags: { type: 'array', items: { type: 'string' } }, limit: { type: 'integer', default: 10 } },
          additionalProperties: false,
        },
        body: {
          type: 'object',
          properties: {
            name: { type: 'string', minLength: 1 },
            email: { type: 'string', format: 'email' },
            stage: { type: 'string', default: 'new' },
          },
          required: ['name'],
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              n: { type: 'integer' },
              tags: { type: 'array', items: { type: 'string' } },
              limit: {},
              body: {},
            },
          },
        },
      },
    },
    async (request) => ({
      ...(request.params as object),
      ...(request.query as object),
      body: request.body,
      secret: 'x',
    }),
  );
  // A string root: ajv can only coerce it in place through the parent fastify hands over.
  app.get(
    '/count',
    { schema: { querystring: { type: 'object', properties: { c: { type: 'number' } } } } },
    async (r) => ({
      c: (r.query as { c: unknown }).c,
      type: typeof (r.query as { c: unknown }).c,
    }),
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app;
}

/** Status and JSON body of a request to a listening app. */
async function call(app: FastifyInstance, req: { method: string; url: string; payload?: unknown }) {
  const { port } = app.server.address() as { port: number };
  const res = await fetch(`http://127.0.0.1:${port}${req.url}`, {
    method: req.method,
    ...(req.payload === undefined
      ? {}
      : {
          headers: { 'content-type': 'application/json' },
          body: typeof req.payload === 'string' ? req.payload : JSON.stringify(req.payload),
        }),
  });
  return { status: res.status, body: await res.json() };
}

const REQUESTS = [
  { method: 'POST', url: '/things/3?tags=a&limit=5', payload: { name: 'Ada' } },
  { method: 'POST', url: '/things/3?tags=a&tags=b', payload: { name: 'Ada', email: 'ada@example.com', stage: 'won' } },
  { method: 'POST', url: '/things/0', payload: { name: '' } },
  { method: 'POST', url: '/things/x?limit=many', payload: { name: 'Ada', email: 'not-mail', extra: 1 } },
  { method: 'POST', url: '/things/3?unknown=1', payload: { name: 'Ada' } },
  { method: 'POST', url: '/things/3', payload: '"text"' },
  { method: 'GET', url: '/count?c=2.5' },
  { method: 'GET', url: '/count?c=two' },
] as const;

describe('route schemas compiled at first use', () => {
  let eager: FastifyInstance;
  let lazy: FastifyInstance;
  beforeAll(async () => {
    eager = await appWith(false);
    lazy = await appWith(true);
  });
  afterAll(async () => {
    await eager.close();
    await lazy.close();
  });

  it('answers every request exactly like schemas compiled at start-up', async () => {
    for (const req of REQUESTS) {
      // Twice: the first call compiles, the second uses what it compiled.
      for (let i = 0; i < 2; i++) {
        const [a, b] = [await call(eager, req), await call(lazy, req)];
        expect({ url: req.url, ...b }).toEqual({ url: req.url, ...a });
      }
    }
    // What the comparison covers: coercion, defaults, refusals with details, and the response schema.
    const ok = await call(lazy, { method: 'POST', url: '/things/3?tags=a', payload: { name: 'Ada' } });
    expect(ok.body).toEqual({ n: 3, tags: ['a'], limit: 10, body: { name: 'Ada', stage: 'new' } });
    const refused = await call(lazy, { method: 'POST', url: '/things/0', payload: { name: '' } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.fields).toBeDefined();
    expect((await call(lazy, { method: 'GET', url: '/count?c=2.5' })).body).toEqual({ c: 2.5, type: 'number' });
  });

  it('still refuses a broken schema, at start-up when eager and at first use when lazy', async () => {
    const broken = { type: 'object', properties: { a: { $ref: '#/definitions/missing' } } };
    const eagerApp = Fastify();
    installValidators(eagerApp);
    eagerApp.post('/b', { schema: { body: broken } }, async () => ({}));
    await expect(eagerApp.ready()).rejects.toThrow(/missing/);
    await eagerApp.close();

    const lazyApp = Fastify();
    installValidators(lazyApp, { lazy: true });
    lazyApp.post('/b', { schema: { body: broken } }, async () => ({}));
    await lazyApp.listen({ port: 0, host: '127.0.0.1' });
    expect((await call(lazyApp, { method: 'POST', url: '/b', payload: {} })).status).toBe(500);
    await lazyApp.close();
  });
});
