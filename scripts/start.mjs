// `npm start`: builds the web app when missing or stale, then starts the server with the flags it needs
// (--no-node-snapshot because isolated-vm is loaded in-process on Node 20).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const designer = path.join(root, 'designer');
if (fs.existsSync(path.join(designer, 'vite.config.ts'))) {
  // Builds on the first start and again whenever the web app's sources are newer than the build.
  const { ensureDesignerBuild } = await import('../designer/scripts/ensure-build.mjs');
  try {
    ensureDesignerBuild();
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  }
}
const child = spawn(
  process.execPath,
  ['--no-node-snapshot', '--import', 'tsx', path.join(root, 'platform/src/main.ts')],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
// The server handles SIGINT/SIGTERM itself; forward them and exit with its code.
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
