import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { installValidators } from '../http/validator-compiler';
import { bearer, errors } from '../http/schemas';
import type { PluginRoutes } from '../plugins/plugin-api';
import type { LoadedPlugin, PluginManager } from '../plugins/plugin-manager';

const statusOut = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    version: { type: 'string' },
    status: { type: 'string', enum: ['loaded', 'failed'] },
    description: { type: 'string' },
    error: { type: 'string' },
  },
  required: ['name', 'version', 'status'],
} as const;

/**
 * `GET /api/plugins` (the platform token or any signed-in user) and each loaded plugin's own
 * routes, mounted encapsulated under `/api/plugins/<name>`.
 */
export function pluginRoutes(manager: PluginManager | undefined) {
  return async function plugins(app: FastifyInstance): Promise<void> {
    app.get(
      '/api/plugins',
      {
        preHandler: async (request, reply) => {
          try {
            await app.requirePlatform(request, reply);
          } catch {
            await app.requireUser(request, reply);
          }
        },
        schema: {
          tags: ['plugins'],
          summary: 'Plugins with their version and load status (failed ones with their error)',
          security: bearer,
          response: {
            200: { type: 'object', properties: { items: { type: 'array', items: statusOut } } },
            ...errors(401),
          },
        },
      },
      async () => ({ items: manager?.statuses() ?? [] }),
    );

    for (const plugin of manager?.loaded() ?? []) {
      const { routes, name } = plugin.definition;
      if (!routes) continue;
      // Route registration errors poison the whole fastify boot, so each plugin's routes are tried
      // on a scratch instance first: a plugin whose routes fail is reported, not mounted.
      const trial = await tryRoutes(app, plugin);
      if (trial) {
        manager?.fail(name, trial);
        continue;
      }
      await app.register(mounted(app, routes, plugin), { prefix: `/api/plugins/${name}` });
    }
  };
}

function mounted(app: FastifyInstance, routes: PluginRoutes, plugin: LoadedPlugin) {
  return async (scope: FastifyInstance) => {
    // Signed-in users only, unless a route opts out with `config: { public: true }`.
    scope.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
      const config = request.routeOptions.config as { public?: boolean } | undefined;
      if (!config?.public) await app.requireUser(request, reply);
    });
    await routes(scope, plugin.context);
  };
}

async function tryRoutes(app: FastifyInstance, plugin: LoadedPlugin): Promise<unknown> {
  const scratch = Fastify({ logger: false });
  try {
    installValidators(scratch);
    scratch.decorate('runtime', app.runtime);
    scratch.decorate('requireUser', app.requireUser);
    scratch.decorate('requireAdmin', app.requireAdmin);
    scratch.decorate('requirePlatform', app.requirePlatform);
    scratch.decorateRequest('ctx', null as never);
    await scratch.register(mounted(app, plugin.definition.routes!, plugin), {
      prefix: `/api/plugins/${plugin.definition.name}`,
    });
    await scratch.ready();
    return undefined;
  } catch (e) {
    return e;
  } finally {
    await scratch.close().catch(() => undefined);
  }
}
