import type { FastifyInstance } from 'fastify';
import { errors } from '../http/schemas';

/** Load figures: event-loop delay, pool use and waits, admission queues (runtime/src/db/db-load.ts). */
const details = { type: 'object', additionalProperties: true } as const;

export async function healthRoutes(app: FastifyInstance) {
  app.get(
    '/api/health',
    {
      schema: {
        tags: ['platform'],
        summary: 'Liveness and readiness: ok once the database answers and migrations are done',
        description:
          'With ?details=true the answer adds details: eventLoopDelayMs {p50, p99, max}, pool {max, used, free, pendingAcquires, pendingCreates, ' +
          'acquireWaitMs {p50, p99, max, window}}, admission {limits, running, runningHeavy, queued, ' +
          'tenantsWaiting, longestQueue, rejected}, cancelled (docs/architecture.md)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { details: { type: 'boolean', description: 'Add the load figures' } },
        },
        response: {
          200: { type: 'object', properties: { status: { type: 'string' }, details } },
          ...errors(503),
        },
      },
    },
    async (request, reply) => {
      // The contract's answer is exactly {status}; the figures only when asked for.
      const withDetails = (request.query as { details?: boolean }).details === true;
      const load = withDetails ? { details: app.runtime.dbLoad.stats() } : {};
      if (await app.runtime.health()) return { status: 'ok', ...load };
      return reply.status(503).send({ error: { code: 'UNAVAILABLE', message: 'Database unreachable', ...load } });
    },
  );
}
