import type { FastifyInstance } from 'fastify';
import { errors } from '../http/schemas';

export async function healthRoutes(app: FastifyInstance) {
  app.get(
    '/api/health',
    {
      schema: {
        tags: ['platform'],
        summary: 'Liveness and readiness: ok once the database answers and migrations are done',
        response: { 200: { type: 'object', properties: { status: { type: 'string' } } }, ...errors(503) },
      },
    },
    async (_request, reply) => {
      if (await app.runtime.health()) return { status: 'ok' };
      return reply.status(503).send({ error: { code: 'UNAVAILABLE', message: 'Database unreachable' } });
    },
  );
}
