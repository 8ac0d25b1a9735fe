import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The platform package's folder, found by walking up from this module: the same answer whether it
 * runs from `src/` under tsx or bundled into `dist/` (where its depth differs).
 */
function findPlatformDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === '@forma/platform') return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('The @forma/platform package folder was not found above the running code');
    dir = up;
  }
}

export const PLATFORM_DIR = findPlatformDir();
/** The repository root, holding the `plugins/*` workspace packages and the web app. */
export const REPOSITORY_ROOT = path.dirname(PLATFORM_DIR);
