import type { ApiClient } from './api-client';
import { isApiError } from './api-error';
import type { AppMeta } from '../meta/meta-types';

/**
 * The metadata the current user may see. `GET /api/meta/app` is for every user; until it exists
 * (404), admins fall back to `GET /api/meta`, and everyone else gets `null` (no objects yet).
 */
export async function fetchAppMeta(
  client: ApiClient,
  opts: { isAdmin: boolean; signal?: AbortSignal },
): Promise<AppMeta | null> {
  const ro = opts.signal ? { signal: opts.signal } : {};
  try {
    return normalizeMeta(await client.get<unknown>('/api/meta/app', ro));
  } catch (e) {
    if (!isApiError(e, 'NOT_FOUND')) throw e;
  }
  if (!opts.isAdmin) return null;
  try {
    return normalizeMeta(await client.get<unknown>('/api/meta', ro));
  } catch (e) {
    if (isApiError(e, 'NOT_FOUND')) return null;
    throw e;
  }
}

/** Tolerates partial documents so a half-built server never blanks the shell. */
export function normalizeMeta(doc: unknown): AppMeta | null {
  if (!doc || typeof doc !== 'object') return null;
  const d = doc as Partial<AppMeta>;
  const objects = d.objects && typeof d.objects === 'object' && !Array.isArray(d.objects) ? d.objects : {};
  return { ...d, version: typeof d.version === 'number' ? d.version : 0, objects };
}
