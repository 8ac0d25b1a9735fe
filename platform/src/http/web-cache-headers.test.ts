import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { setWebCacheHeaders } from './web-cache-headers';

function headersFor(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  setWebCacheHeaders({ header: (k, v) => (out[k] = v) }, path.join('/srv', 'web', ...file.split('/')));
  return out;
}

describe('setWebCacheHeaders', () => {
  it('keeps content-hashed bundles for a year and re-validates everything named for good', () => {
    expect(headersFor('assets/index-3f9a1c.js')).toEqual({ 'cache-control': 'public, max-age=31536000, immutable' });
    for (const file of ['index.html', 'sw.js', 'favicon.svg', 'icons/icon-192.png'])
      expect(headersFor(file)['cache-control'], file).toBe('no-cache');
  });

  it('serves the manifest as a web app manifest', () => {
    expect(headersFor('manifest.webmanifest')).toEqual({
      'cache-control': 'no-cache',
      'content-type': 'application/manifest+json; charset=utf-8',
    });
  });
});
