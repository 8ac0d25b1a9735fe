// `npm start`: builds the web app on first run, then starts the server with the flags it needs
// (--no-node-snapshot because isolated-vm is loaded in-process on Node 20).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const designer = path.join(root, 'designer');
if (fs.existsSync(path.join(designer, 'vite.config.ts')) && !fs.existsSync(path.join(designer, 'dist', 'index.html'))) {
  console.log('Building the web app (first start only)…');
  const r = spawnSync('npm', ['run', 'build', '-w', '@forma/designer'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
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
