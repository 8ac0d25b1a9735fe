import fs from 'node:fs';
import path from 'node:path';
import type { Runtime } from '@forma/runtime';
import { PLATFORM_DIR } from '../package-root';
import { discoverPlugins, REPOSITORY_ROOT } from './discover-plugins';
import { PluginManager, type PluginSource } from './plugin-manager';

/** Forma's version, which plugins' `engines.forma` ranges are checked against. */
export const FORMA_VERSION: string = JSON.parse(
  fs.readFileSync(path.join(PLATFORM_DIR, 'package.json'), 'utf8'),
).version;

export interface LoadPluginsOptions {
  /** Explicit sources; by default the `plugins/*` workspace packages and FORMA_PLUGINS. */
  sources?: PluginSource[];
  /** `FORMA_PLUGINS` (comma-separated npm package names). */
  formaPlugins?: string | undefined;
  formaVersion?: string;
  /** Bring existing tenants' plugin tables up to date now (default); tests start before their tenants exist. */
  migrateExisting?: boolean;
}

/** Loads the installation's plugins (each in isolation) and brings existing tenants' plugin tables up to date. */
export async function loadPlugins(runtime: Runtime, opts: LoadPluginsOptions = {}): Promise<PluginManager> {
  const manager = new PluginManager(runtime, opts.formaVersion ?? FORMA_VERSION);
  await manager.load(opts.sources ?? discoverPlugins({ root: REPOSITORY_ROOT, formaPlugins: opts.formaPlugins }));
  if (opts.migrateExisting !== false) await manager.migrateTenants();
  return manager;
}
