import { NAME_PATTERN, registerFieldKind, type TemplateDocument } from '@forma/metadata';
import {
  checkPluginMigrations,
  registerAutomationAction,
  registerWorkflowNodeType,
  type Ctx,
  type Logger,
  runPluginMigrations,
  type Runtime,
  systemCtx,
  type TenantCreatedHook,
} from '@forma/runtime';
import semver from 'semver';
import { type ObjectHook, PLUGIN_NAME, type PluginContext, type PluginDefinition, type PluginJob } from './plugin-api';
import { validateCron } from './validate-cron';

/** Where a plugin comes from: a module to import, or a definition given in process (tests, embedding). */
export type PluginSource =
  | { kind: 'module'; specifier: string; origin: 'workspace' | 'npm' }
  | { kind: 'inline'; definition: unknown }
  | { kind: 'invalid'; name: string; error: string };

export interface PluginStatus {
  name: string;
  version: string;
  status: 'loaded' | 'failed';
  description?: string;
  error?: string;
}

export interface LoadedPlugin {
  definition: PluginDefinition;
  context: PluginContext;
}

type Teardown = () => void;

/**
 * Loads plugins and registers what they contribute with the runtime. Each plugin is loaded on its
 * own: one that fails (import error, wrong shape, incompatible engine, invalid template, a throwing
 * setup or route registration) is reported with its error, everything it had registered is undone,
 * and the others load normally.
 */
export class PluginManager {
  private readonly statusList: PluginStatus[] = [];
  private readonly plugins = new Map<string, LoadedPlugin & { teardown: Teardown[] }>();

  constructor(
    private readonly runtime: Runtime,
    private readonly formaVersion: string,
  ) {}

  async load(sources: readonly PluginSource[]): Promise<void> {
    for (const source of sources) await this.loadOne(source);
  }

  statuses(): PluginStatus[] {
    return this.statusList.map((s) => ({ ...s }));
  }

  loaded(): LoadedPlugin[] {
    return [...this.plugins.values()].map(({ definition, context }) => ({ definition, context }));
  }

  /** Marks a loaded plugin failed after the fact (its routes would not mount) and undoes its registrations. */
  fail(name: string, error: unknown): void {
    const plugin = this.plugins.get(name);
    if (plugin) for (const undo of plugin.teardown.reverse()) safely(undo);
    this.plugins.delete(name);
    const status = this.statusList.find((s) => s.name === name && s.status === 'loaded');
    if (status) {
      status.status = 'failed';
      status.error = messageOf(error);
    }
    this.runtime.logger.error({ err: error, plugin: name }, 'plugin failed');
  }

  /** Brings every active tenant's plugin tables up to date (at start-up). */
  async migrateTenants(opts: { tenants?: readonly string[] } = {}): Promise<void> {
    const tenants = (await this.runtime.tenants.list()).filter(
      (t) => t.status === 'active' && (!opts.tenants || opts.tenants.includes(t.id)),
    );
    for (const { definition } of this.loaded()) {
      if (!definition.migrations?.length) continue;
      try {
        for (const t of tenants) {
          await runPluginMigrations(this.runtime.db, t.schema_name, definition.name, definition.migrations);
        }
      } catch (e) {
        // A plugin whose tables cannot be brought up to date must not serve requests against them.
        this.fail(definition.name, e);
      }
    }
  }

  /** Every scheduled job of the loaded plugins, named `<plugin>.<job>`. */
  jobs(): Array<{ id: string; job: PluginJob; plugin: LoadedPlugin }> {
    return this.loaded().flatMap((plugin) =>
      (plugin.definition.jobs ?? []).map((job) => ({ id: `${plugin.definition.name}.${job.name}`, job, plugin })),
    );
  }

  /**
   * Runs one tick of a job: once per active tenant, as the tenant's system identity. A tenant whose
   * run fails is logged and does not stop the others. Returns how many tenants ran it successfully.
   */
  async runJob(
    id: string,
    now: Date = this.runtime.clock.now(),
    opts: { tenants?: readonly string[] } = {},
  ): Promise<{ ok: number; failed: string[] }> {
    const entry = this.jobs().find((j) => j.id === id);
    if (!entry) throw new Error(`Unknown plugin job: ${id}`);
    const result = { ok: 0, failed: [] as string[] };
    for (const t of await this.runtime.tenants.list()) {
      if (t.status !== 'active' || (opts.tenants && !opts.tenants.includes(t.id))) continue;
      try {
        const ctx = await systemCtx(this.runtime.db, t.id);
        await entry.job.run(ctx, { ...entry.plugin.context, now });
        result.ok += 1;
      } catch (e) {
        result.failed.push(t.id);
        entry.plugin.context.logger.error({ err: e, job: id, tenant: t.id }, 'plugin job failed');
      }
    }
    return result;
  }

  private async loadOne(source: PluginSource): Promise<void> {
    let definition: unknown;
    let fallbackName = source.kind === 'module' ? source.specifier : source.kind === 'invalid' ? source.name : 'inline';
    try {
      if (source.kind === 'invalid') throw new Error(source.error);
      definition = source.kind === 'inline' ? source.definition : await importPlugin(source.specifier);
      const plugin = this.checkDefinition(definition);
      fallbackName = plugin.name;
      const teardown: Teardown[] = [];
      const context: PluginContext = {
        plugin: { name: plugin.name, version: plugin.version },
        runtime: this.runtime,
        logger: pluginLogger(this.runtime.logger, plugin.name),
      };
      try {
        await this.install(plugin, context, teardown);
      } catch (e) {
        for (const undo of teardown.reverse()) safely(undo);
        throw e;
      }
      this.plugins.set(plugin.name, { definition: plugin, context, teardown });
      this.statusList.push({
        name: plugin.name,
        version: plugin.version,
        status: 'loaded',
        ...(plugin.description ? { description: plugin.description } : {}),
      });
    } catch (e) {
      const d = (definition ?? {}) as Partial<PluginDefinition>;
      const name = typeof d.name === 'string' && d.name ? d.name.slice(0, 100) : fallbackName;
      this.statusList.push({
        name,
        version: typeof d.version === 'string' ? d.version.slice(0, 40) : 'unknown',
        status: 'failed',
        error: messageOf(e),
      });
      this.runtime.logger.error({ err: e, plugin: name }, 'plugin failed to load');
    }
  }

  private checkDefinition(value: unknown): PluginDefinition {
    if (!value || typeof value !== 'object') throw new Error('The module does not export a plugin (definePlugin)');
    const p = value as PluginDefinition;
    if (typeof p.name !== 'string' || !PLUGIN_NAME.test(p.name))
      throw new Error(`Plugin name must match ${PLUGIN_NAME.source}`);
    if (typeof p.version !== 'string' || !semver.valid(p.version))
      throw new Error(`Plugin ${p.name}: version must be a semantic version`);
    if (this.plugins.has(p.name) || this.statusList.some((s) => s.name === p.name && s.status === 'loaded'))
      throw new Error(`Plugin ${p.name} is already loaded`);
    const range = p.engines?.forma;
    if (range !== undefined) {
      if (typeof range !== 'string' || !semver.validRange(range))
        throw new Error(`Plugin ${p.name}: engines.forma is not a semver range`);
      if (!semver.satisfies(this.formaVersion, range, { includePrerelease: true }))
        throw new Error(`Plugin ${p.name} requires Forma ${range}; this is Forma ${this.formaVersion}`);
    }
    for (const job of p.jobs ?? []) {
      if (!job || typeof job.name !== 'string' || !/^[a-z][a-z0-9_-]{0,39}$/.test(job.name))
        throw new Error(`Plugin ${p.name}: job names must match ^[a-z][a-z0-9_-]{0,39}$`);
      const cronError = validateCron(job.cron);
      if (cronError) throw new Error(`Plugin ${p.name}, job ${job.name}: ${cronError}`);
      if (typeof job.run !== 'function') throw new Error(`Plugin ${p.name}, job ${job.name}: run() is missing`);
    }
    if (p.migrations !== undefined) checkPluginMigrations(p.name, p.migrations);
    if (p.routes !== undefined && typeof p.routes !== 'function')
      throw new Error(`Plugin ${p.name}: routes must be an async fastify plugin function`);
    return p;
  }

  private async install(p: PluginDefinition, context: PluginContext, teardown: Teardown[]): Promise<void> {
    const { runtime } = this;
    for (const kind of p.fieldKinds ?? []) teardown.push(registerFieldKind(kind));
    for (const type of p.nodeTypes ?? []) teardown.push(registerWorkflowNodeType(type));
    for (const action of p.automationActions ?? []) teardown.push(registerAutomationAction(action));

    if (p.metadata || p.scripts) {
      const document = structuredClone(p.metadata ?? {}) as TemplateDocument['document'];
      if (p.scripts) document.scripts = { ...(document.scripts ?? {}), ...structuredClone(p.scripts) };
      teardown.push(
        runtime.templates.register({
          name: p.name,
          label: p.template?.label ?? p.name,
          version: p.version,
          ...(p.template?.description || p.description
            ? { description: p.template?.description ?? p.description }
            : {}),
          document,
          ...(p.template?.sampleData ? { sampleData: p.template.sampleData } : {}),
        }),
      );
    }
    for (const t of p.templates ?? []) {
      if (runtime.templates.names().includes(t.name)) throw new Error(`Template ${t.name} is already registered`);
      teardown.push(runtime.templates.register(t));
    }

    const source = `plugin:${p.name}`;
    const hooks = typeof p.hooks === 'function' ? p.hooks(context) : p.hooks;
    for (const [event, entry] of Object.entries(hooks?.filters ?? {})) {
      const { handler, objects } = hookEntry(p.name, event, entry);
      teardown.push(runtime.hooks.filter(event, handler, source, objects));
    }
    for (const [event, entry] of Object.entries(hooks?.actions ?? {})) {
      const { handler, objects } = hookEntry(p.name, event, entry);
      teardown.push(runtime.hooks.action(event, handler, source, objects));
    }

    if (p.migrations?.length || p.onTenantCreated) {
      const migrations = p.migrations ?? [];
      const onCreated: TenantCreatedHook = async (ctx: Ctx, input) => {
        try {
          await runPluginMigrations(runtime.db, ctx.schema, p.name, migrations);
        } catch (e) {
          // The tenant is fine without a broken plugin's tables; the plugin is not (it stops here).
          this.fail(p.name, e);
          return;
        }
        await p.onTenantCreated?.(ctx, input, context);
      };
      runtime.tenants.createdHooks.push(onCreated);
      teardown.push(() => {
        const i = runtime.tenants.createdHooks.indexOf(onCreated);
        if (i >= 0) runtime.tenants.createdHooks.splice(i, 1);
      });
    }

    if (p.setup) {
      const undo = await p.setup(context);
      if (typeof undo === 'function') teardown.push(undo);
    }
  }
}

/** A hook of `PluginHooks`: a function (every object) or `{objects, handler}`; anything else fails the plugin. */
function hookEntry<H>(plugin: string, event: string, entry: H | ObjectHook<H>): { handler: H; objects?: string[] } {
  if (typeof entry === 'function') return { handler: entry };
  const scoped = entry as Partial<ObjectHook<H>> | null;
  if (!scoped || typeof scoped !== 'object' || typeof scoped.handler !== 'function')
    throw new Error(`Plugin ${plugin}: hook ${event} must be a function or {objects, handler}`);
  const objects = scoped.objects;
  if (
    !Array.isArray(objects) ||
    !objects.length ||
    !objects.every((o) => typeof o === 'string' && NAME_PATTERN.test(o))
  )
    throw new Error(`Plugin ${plugin}: hook ${event} must name its objects as a non-empty list of object names`);
  return { handler: scoped.handler, objects: [...objects] };
}

async function importPlugin(specifier: string): Promise<unknown> {
  const mod = (await import(specifier)) as { default?: unknown; plugin?: unknown };
  return mod.default ?? mod.plugin;
}

function pluginLogger(logger: Logger, plugin: string): Logger {
  const wrap = (obj: unknown) => (obj && typeof obj === 'object' ? { plugin, ...obj } : { plugin, msg: obj });
  return {
    error: (obj, msg) => logger.error(wrap(obj), msg),
    warn: (obj, msg) => logger.warn(wrap(obj), msg),
    info: (obj, msg) => logger.info(wrap(obj), msg),
    debug: (obj, msg) => logger.debug(wrap(obj), msg),
  };
}

function messageOf(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.length > 1000 ? `${text.slice(0, 1000)}…` : text;
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // Undoing a registration must not hide the error that caused it.
  }
}
