// Compiles the server for `npm start`: each workspace package (metadata, runtime, platform and the
// `plugins/*` plugins) is bundled by esbuild into its own `dist/`, one file per entry its package.json
// exports under the `forma-compiled` condition. Packages stay separate (each bundle imports the
// others by name) so that a plugin and the platform share one copy of every module, as they do
// under tsx. Node picks the compiled files when started with `--conditions=forma-compiled`; tests
// and development keep running the TypeScript sources through tsx.
//
// Why: under tsx every start compiles the whole tree in the server process, which costs start-up
// time and memory for the life of the process (bench/README.md, "start-up").
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { acquireLock, newestMtime } from './build-support.mjs';

export const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const COMPILED_CONDITION = 'forma-compiled';
/** The compiled server's entry, and the Node flags it runs with. */
export const SERVER_ENTRY = path.join(ROOT, 'platform/dist/main.js');
export const SERVER_FLAGS = ['--no-node-snapshot', `--conditions=${COMPILED_CONDITION}`];

const STAMP = path.join(ROOT, 'platform/dist/.built');
const LOCK_DIR = path.join(ROOT, '.server-build-lock');

/**
 * Files loaded by path at run time rather than imported: entries of their own (a child process, a
 * worker thread, the server's main) and assets copied next to the bundles. They sit at the top of
 * `dist/` because the code that loads them finds them beside itself (`new URL('./x', import.meta.url)`).
 */
const EXTRA = {
  runtime: {
    entries: { 'sandbox-child': 'src/scripts/sandbox-child.ts', 'document-worker': 'src/documents/document-worker.ts' },
    assets: [
      'src/scripts/sandbox-boot.mjs',
      'src/scripts/sandbox-prelude.js',
      'src/documents/document-worker-boot.mjs',
    ],
  },
  platform: { entries: { main: 'src/main.ts' }, assets: [] },
};

/** The workspace packages to compile, each with its entries (output name → source) and assets. */
export function serverPackages() {
  const dirs = ['metadata', 'runtime', 'platform'];
  const pluginsDir = path.join(ROOT, 'plugins');
  for (const name of fs.existsSync(pluginsDir) ? fs.readdirSync(pluginsDir).sort() : []) {
    const pkgFile = path.join(pluginsDir, name, 'package.json');
    if (fs.existsSync(pkgFile) && JSON.parse(fs.readFileSync(pkgFile, 'utf8')).forma?.plugin === true)
      dirs.push(`plugins/${name}`);
  }
  return dirs.map((dir) => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, dir, 'package.json'), 'utf8'));
    const entries = { ...(EXTRA[dir]?.entries ?? {}) };
    for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
      const out = typeof target === 'object' ? target[COMPILED_CONDITION] : undefined;
      if (typeof out !== 'string' || typeof target.default !== 'string')
        throw new Error(`${dir}/package.json: export "${subpath}" has no "${COMPILED_CONDITION}" file`);
      const name = path.basename(out, '.js');
      if (out !== `./dist/${name}.js`) throw new Error(`${dir}/package.json: "${out}" must be ./dist/<name>.js`);
      entries[name] = target.default;
    }
    return { dir, entries, assets: EXTRA[dir]?.assets ?? [] };
  });
}

// Everything that changes the output: every package's sources and manifest, the schemas bundled
// into the code, and the installed versions.
function inputs() {
  return [
    ...serverPackages().flatMap((p) => [path.join(ROOT, p.dir, 'src'), path.join(ROOT, p.dir, 'package.json')]),
    path.join(ROOT, 'metadata/schemas'),
    path.join(ROOT, 'package-lock.json'),
    fileURLToPath(import.meta.url),
  ];
}

/** True when the compiled server is missing or any input changed after the last build started. */
export function isServerBuildStale() {
  let built;
  try {
    built = fs.statSync(STAMP).mtimeMs;
  } catch {
    return true;
  }
  return inputs().some((p) => newestMtime(p) > built);
}

/**
 * Node resolves a deep import into a package without an `exports` map only with the file's extension
 * (`ajv/dist/2020.js`, where bundlers and tsx accept `ajv/dist/2020`): such imports are rewritten to
 * the file they resolve to, and stay external.
 */
const deepImports = {
  name: 'deep-imports',
  setup(build) {
    build.onResolve({ filter: /^(@[^/]+\/)?[^./@][^/]*\/./ }, (args) => {
      const parts = args.path.split('/');
      const pkgName = args.path.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
      const require = createRequire(path.join(args.resolveDir, 'noop.js'));
      let pkgJson;
      try {
        pkgJson = require.resolve(`${pkgName}/package.json`);
      } catch {
        return { path: args.path, external: true };
      }
      if (JSON.parse(fs.readFileSync(pkgJson, 'utf8')).exports) return { path: args.path, external: true };
      const file = require.resolve(args.path);
      const sub = path.relative(path.dirname(pkgJson), file).split(path.sep).join('/');
      return { path: `${pkgName}/${sub}`, external: true };
    });
  },
};

async function compile(pkg) {
  const esbuild = await import('esbuild');
  const pkgDir = path.join(ROOT, pkg.dir);
  const tmpDir = path.join(pkgDir, `.dist-tmp-${process.pid}`);
  fs.rmSync(tmpDir, { recursive: true, force: true });
  await esbuild.build({
    absWorkingDir: pkgDir,
    entryPoints: Object.fromEntries(Object.entries(pkg.entries).map(([out, src]) => [out, path.join(pkgDir, src)])),
    outdir: tmpDir,
    bundle: true,
    // Other packages are imported by name at run time: the workspace ones resolve to their own
    // compiled bundles through the condition, npm ones stay where npm put them.
    packages: 'external',
    splitting: true,
    chunkNames: 'chunk-[hash]',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'silent',
    plugins: [deepImports],
  });
  for (const asset of pkg.assets) fs.copyFileSync(path.join(pkgDir, asset), path.join(tmpDir, path.basename(asset)));
  return { pkgDir, tmpDir };
}

/**
 * Compiles when stale; returns true when it compiled. Safe from parallel processes: one compiles,
 * the others wait for it. Throws with esbuild's messages when the code does not compile.
 * @param {{ log?: (line: string) => void }} [opts]
 */
export async function ensureServerBuild(opts = {}) {
  const log = opts.log ?? ((line) => console.log(line));
  if (!isServerBuildStale()) return false;
  const release = acquireLock(LOCK_DIR, 'server');
  try {
    if (!isServerBuildStale()) return false;
    log(fs.existsSync(STAMP) ? 'Recompiling the server (sources changed)…' : 'Compiling the server…');
    const started = Date.now();
    fs.rmSync(STAMP, { force: true });
    const built = [];
    try {
      for (const pkg of serverPackages()) built.push(await compile(pkg));
    } catch (e) {
      for (const b of built) fs.rmSync(b.tmpDir, { recursive: true, force: true });
      const errors = e?.errors?.map((m) => `${m.location?.file ?? ''}:${m.location?.line ?? ''} ${m.text}`) ?? [];
      throw new Error(`Server build failed:\n${errors.join('\n') || (e instanceof Error ? e.message : e)}`);
    }
    for (const { pkgDir, tmpDir } of built) {
      const dist = path.join(pkgDir, 'dist');
      fs.rmSync(dist, { recursive: true, force: true });
      fs.renameSync(tmpDir, dist);
    }
    // Written last and stamped with the start time: a build cut short, or a source saved during
    // it, leaves the build stale.
    fs.writeFileSync(STAMP, '');
    const at = new Date(started);
    fs.utimesSync(STAMP, at, at);
    return true;
  } finally {
    release();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    await ensureServerBuild();
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  }
}
