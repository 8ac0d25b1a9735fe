// Preloaded into a server process by a test (`node --import`): on SIGUSR2 it writes the files the
// process has loaded through Node's CommonJS loader (which also holds the CommonJS packages ES
// modules import) to $FORMA_LOADED_MODULES_FILE, so a test can tell which large dependencies a
// server loaded, and when (runtime/src/lazy-module.ts loads them on first use).
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const out = process.env.FORMA_LOADED_MODULES_FILE;
if (out)
  process.on('SIGUSR2', () => {
    // Written whole, then renamed, so the reader never sees half a list.
    fs.writeFileSync(`${out}.tmp`, JSON.stringify(Object.keys(require.cache)));
    fs.renameSync(`${out}.tmp`, out);
  });
