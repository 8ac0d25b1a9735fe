// `npm start`: builds the web app and compiles the server when missing or stale, then starts the
// compiled server (`npm run dev` runs the TypeScript sources through tsx instead). --no-node-snapshot
// because isolated-vm is loaded in-process on Node 20.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dev = process.argv.includes('--dev');
const designer = path.join(root, 'designer');
let args;
try {
  if (fs.existsSync(path.join(designer, 'vite.config.ts'))) {
    const { ensureDesignerBuild } = await import('../designer/scripts/ensure-build.mjs');
    ensureDesignerBuild();
  }
  if (dev) args = ['--no-node-snapshot', '--import', 'tsx', path.join(root, 'platform/src/main.ts')];
  else {
    const { ensureServerBuild, SERVER_ENTRY, SERVER_FLAGS } = await import('./build-server.mjs');
    await ensureServerBuild();
    args = [...SERVER_FLAGS, SERVER_ENTRY];
  }
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
}
const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
// The server handles SIGINT/SIGTERM itself; forward them and exit with its code.
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
