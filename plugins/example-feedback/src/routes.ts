import type { PluginRoutes } from '@forma/platform/plugin-api';
import { addVote, computeNps, history } from './votes-store';

/** Mounted under `/api/plugins/example-feedback`; `request.ctx` is the signed-in user's context. */
export const routes: PluginRoutes = async (app) => {
  app.post(
    '/votes',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['score'],
          properties: {
            score: { type: 'integer', minimum: 0, maximum: 10 },
            comment: { type: 'string', maxLength: 2000 },
          },
        },
      },
    },
    async (request, reply) => {
      const body = request.body as { score: number; comment?: string };
      reply.status(201);
      return addVote(request.ctx, body);
    },
  );

  app.get('/nps', async (request) => computeNps(request.ctx));

  // Admins only: the daily snapshots the scheduled job stores.
  app.get('/history', { preHandler: app.requireAdmin }, async (request) => ({ items: await history(request.ctx) }));

  // No session needed (e.g. a status badge); everything else requires one.
  app.get('/about', { config: { public: true } }, async () => ({ plugin: 'example-feedback', scale: '0-10' }));
};
