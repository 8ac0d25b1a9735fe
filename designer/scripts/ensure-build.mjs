// Builds designer/dist when it is missing or older than its sources, so neither `npm start` nor the
// browser tests ever serve a stale app. Safe to call from parallel processes: one builds, the others
// wait for it, and the new build replaces the old one in a single rename.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { acquireLock, newestMtime } from '../../scripts/build-support.mjs';

const designerDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const distDir = path.join(designerDir, 'dist');
const builtIndex = path.join(distDir, 'index.html');
const lockDir = path.join(designerDir, '.build-lock');
// Everything that changes the output: sources, static files, build config and installed versions.
const INPUTS = ['src', 'public', 'build', 'index.html', 'vite.config.ts', 'package.json', '../package-lock.json'];

/** True when dist/index.html is missing or any input changed after the last build started. */
export function isDesignerBuildStale() {
  let built;
  try {
    built = fs.statSync(builtIndex).mtimeMs;
  } catch {
    return true;
  }
  return INPUTS.some((p) => newestMtime(path.join(designerDir, p)) > built);
}

/**
 * Rebuilds when stale; returns true when it built. Throws with Vite's output when the build fails.
 * @param {{ log?: (line: string) => void }} [opts]
 */
export function ensureDesignerBuild(opts = {}) {
  const log = opts.log ?? ((line) => console.log(line));
  if (!isDesignerBuildStale()) return false;
  const release = acquireLock(lockDir, 'web app');
  try {
    if (!isDesignerBuildStale()) return false;
    log(fs.existsSync(builtIndex) ? 'Rebuilding the web app (sources changed)…' : 'Building the web app…');
    const started = Date.now();
    const tmpDir = path.join(designerDir, `.dist-tmp-${process.pid}`);
    const vite = path.join(path.dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin/vite.js');
    const r = spawnSync(process.execPath, [vite, 'build', '--outDir', tmpDir, '--emptyOutDir', '--logLevel', 'warn'], {
      cwd: designerDir,
      encoding: 'utf8',
      env: { ...process.env, NODE_ENV: 'production' },
    });
    if (r.status !== 0) {
      fs.rmSync(tmpDir, { recursive: true, force: true });
      throw new Error(`Web app build failed:\n${r.stdout}\n${r.stderr}`);
    }
    const oldDir = path.join(designerDir, `.dist-old-${process.pid}`);
    if (fs.existsSync(distDir)) fs.renameSync(distDir, oldDir);
    fs.renameSync(tmpDir, distDir);
    fs.rmSync(oldDir, { recursive: true, force: true });
    // Stamped with the start time: a source saved during the build still counts as newer.
    const at = new Date(started);
    fs.utimesSync(builtIndex, at, at);
    return true;
  } finally {
    release();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    ensureDesignerBuild();
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  }
}
