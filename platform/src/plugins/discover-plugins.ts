import fs from 'node:fs';
import path from 'node:path';
import type { PluginSource } from './plugin-manager';

/** npm package names (optionally scoped); anything else (paths, URLs) is refused in FORMA_PLUGINS. */
const PACKAGE_NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

export interface DiscoverOptions {
  /** The repository root holding `plugins/*` (workspace packages). */
  root: string;
  /** `FORMA_PLUGINS`: comma-separated npm package names, loaded after the workspace plugins. */
  formaPlugins?: string | undefined;
}

/**
 * The plugins to load: every `plugins/*` workspace package whose package.json says
 * `"forma": {"plugin": true}` (in directory order), then the packages named in FORMA_PLUGINS. A
 * malformed name becomes a failed source, so it is reported like any plugin that fails to load.
 */
export function discoverPlugins(opts: DiscoverOptions): PluginSource[] {
  const sources: PluginSource[] = [];
  const dir = path.join(opts.root, 'plugins');
  const entries = fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }) : [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory()) continue;
    const pkgFile = path.join(dir, entry.name, 'package.json');
    if (!fs.existsSync(pkgFile)) continue;
    let pkg: { name?: unknown; forma?: { plugin?: unknown } };
    try {
      pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
    } catch {
      sources.push({
        kind: 'invalid',
        name: entry.name,
        error: `plugins/${entry.name}/package.json is not valid JSON`,
      });
      continue;
    }
    if (pkg.forma?.plugin !== true || typeof pkg.name !== 'string') continue;
    sources.push({ kind: 'module', specifier: pkg.name, origin: 'workspace' });
  }
  const seen = new Set(sources.map((s) => (s.kind === 'module' ? s.specifier : '')));
  for (const raw of (opts.formaPlugins ?? '').split(',')) {
    const name = raw.trim();
    if (!name || seen.has(name)) continue;
    seen.add(name);
    sources.push(
      PACKAGE_NAME.test(name)
        ? { kind: 'module', specifier: name, origin: 'npm' }
        : { kind: 'invalid', name: name.slice(0, 100), error: 'FORMA_PLUGINS entries must be npm package names' },
    );
  }
  return sources;
}

export { REPOSITORY_ROOT } from '../package-root';
