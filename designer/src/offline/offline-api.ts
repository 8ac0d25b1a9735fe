import type { ApiClient, RequestOptions } from '../api/api-client';
import { isApiError } from '../api/api-error';
import type { Session } from '../api/auth-api';
import { readState, wipeBriefcase, writeState } from './briefcase-db';
import { reportNetwork } from './network-state';

/**
 * The API client, plus what the app needs to open offline: who is signed in and the metadata they
 * may see, remembered from the last answers and given back when the network is gone. Records
 * offline come from the briefcase screens, never from here.
 */
const REMEMBERED: Record<string, 'session' | 'meta'> = { '/api/auth/me': 'session', '/api/meta/app': 'meta' };

/** Every answer (even an error) proves the server reachable; no answer at all says offline. */
async function watched<T>(call: Promise<T>): Promise<T> {
  try {
    const answer = await call;
    reportNetwork(true);
    return answer;
  } catch (e) {
    if (isApiError(e)) reportNetwork(e.code !== 'NETWORK');
    throw e;
  }
}

export function withOfflineSession(base: ApiClient, hasIndexedDb = typeof indexedDB !== 'undefined'): ApiClient {
  const api: ApiClient = {
    ...base,
    request: (method, path, ro) => watched(base.request(method, path, ro)),
    raw: (method, path, ro) => watched(base.raw(method, path, ro)),
    get: (path, ro) => watched(base.get(path, ro)),
    post: (path, body, ro) => watched(base.post(path, body, ro)),
    put: (path, body, ro) => watched(base.put(path, body, ro)),
    patch: (path, body, ro) => watched(base.patch(path, body, ro)),
    delete: (path, ro) => watched(base.delete(path, ro)),
  };
  if (!hasIndexedDb) return api;
  async function get<T>(path: string, ro?: RequestOptions): Promise<T> {
    const slot = REMEMBERED[path];
    if (!slot) return api.get<T>(path, ro);
    try {
      const answer = await api.get<T>(path, ro);
      if (slot === 'session') {
        // Another user on this device: the previous one's briefcase goes first.
        const s = answer as Session;
        const owner = `${s.tenant}/${s.user.id}`;
        if ((await readState<string>('owner')) !== owner) {
          await wipeBriefcase();
          await writeState('owner', owner);
        }
      }
      if (slot === 'session' || (await readState<string>('owner'))) await writeState(slot, answer);
      return answer;
    } catch (e) {
      if (isApiError(e, 'NETWORK')) {
        const kept = await readState<T>(slot).catch(() => undefined);
        if (kept !== undefined) return kept;
      }
      throw e;
    }
  }
  return {
    ...api,
    get,
    request: <T>(method: string, path: string, ro?: RequestOptions) =>
      method === 'GET' ? get<T>(path, ro) : api.request<T>(method, path, ro),
  };
}
