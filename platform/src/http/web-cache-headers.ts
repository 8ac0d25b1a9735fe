import path from 'node:path';

/** What @fastify/static's `setHeaders` hands over: the reply. */
interface HeaderTarget {
  header(name: string, value: string): unknown;
}

/**
 * Cache headers of the built web app's files. Vite names its bundles after their content
 * (`/assets/index-3f9a1c.js`), so they may be kept for a year. Everything else is fetched under a
 * fixed name and must be re-validated on each use: index.html (it names the current bundles), the
 * service worker (a browser that cached `sw.js` would keep an old app shell up to a day past a
 * release; `no-cache` makes every update check reach the server) and the manifest and icons.
 */
export function setWebCacheHeaders(res: HeaderTarget, filePath: string): void {
  const rel = filePath.split(path.sep).join('/');
  if (/\/assets\/[^/]+$/.test(rel)) res.header('cache-control', 'public, max-age=31536000, immutable');
  else res.header('cache-control', 'no-cache');
  // The worker controls the whole app from the root; it is served from there, so no
  // Service-Worker-Allowed header is needed, but its type must be JavaScript for registration.
  if (rel.endsWith('.webmanifest')) res.header('content-type', 'application/manifest+json; charset=utf-8');
}
