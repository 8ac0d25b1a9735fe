// Builds designer/dist when it is missing or older than its sources, so neither `npm start` nor the
// browser tests ever serve a stale app. Safe to call from parallel processes: one builds, the others
// wait for it, and the new build replaces the old one in a single rename.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const designerDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const distDir = path.join(designerDir, 'dist');
const builtIndex = path.join(distDir, 'index.html');
const lockDir = path.join(designerDir, '.build-lock');
// Everything that changes the output: sources, static files, build config and installed versions.
const INPUTS = ['src', 'public', 'build', 'index.html', 'vite.config.ts', 'package.json', '../package-lock.json'];
const LOCK_WAIT_MS = 5 * 60_000;

function newestMtime(p) {
  let stat;
  try {
    stat = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

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

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

function lockIsAbandoned() {
  try {
    const owner = Number(fs.readFileSync(path.join(lockDir, 'pid'), 'utf8'));
    return owner > 0 && !alive(owner);
  } catch {
    // No pid yet: the owner is between mkdir and writing it, unless that was long ago.
    try {
      return Date.now() - fs.statSync(lockDir).mtimeMs > 60_000;
    } catch {
      return false;
    }
  }
}

function acquireLock() {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
      return () => fs.rmSync(lockDir, { recursive: true, force: true });
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
    // A lock left by a process that died mid-build would otherwise block every later build.
    if (lockIsAbandoned()) fs.rmSync(lockDir, { recursive: true, force: true });
    else if (Date.now() > deadline) throw new Error(`Timed out waiting for another web app build (${lockDir})`);
    else sleep(200);
  }
}

/**
 * Rebuilds when stale; returns true when it built. Throws with Vite's output when the build fails.
 * @param {{ log?: (line: string) => void }} [opts]
 */
export function ensureDesignerBuild(opts = {}) {
  const log = opts.log ?? ((line) => console.log(line));
  if (!isDesignerBuildStale()) return false;
  const release = acquireLock();
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
