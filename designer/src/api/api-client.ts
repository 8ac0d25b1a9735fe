import { ApiError, apiErrorFromResponse } from './api-error';

export type QueryValue = string | number | boolean | null | undefined;

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  /** Sent as JSON unless it is a string, Blob or FormData (CSV import, file upload). */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface ApiClient {
  /** Parsed JSON (or text for non-JSON answers; undefined for 204). Rejects with ApiError. */
  request<T>(method: string, path: string, opts?: RequestOptions): Promise<T>;
  /** The raw Response of a successful call (downloads); errors still reject with ApiError. */
  raw(method: string, path: string, opts?: RequestOptions): Promise<Response>;
  get<T>(path: string, opts?: RequestOptions): Promise<T>;
  post<T>(path: string, body?: unknown, opts?: RequestOptions): Promise<T>;
  put<T>(path: string, body?: unknown, opts?: RequestOptions): Promise<T>;
  patch<T>(path: string, body?: unknown, opts?: RequestOptions): Promise<T>;
  delete<T>(path: string, opts?: RequestOptions): Promise<T>;
  /** Called on every 401 (session expired or revoked); returns an unsubscribe function. */
  onUnauthenticated(listener: (error: ApiError) => void): () => void;
}

export interface ApiClientOptions {
  /** Origin of the API; empty means the page's own origin (the httpOnly session cookie only flows there). */
  baseUrl?: string;
  fetch?: typeof fetch;
}

function isPassThroughBody(body: unknown): body is BodyInit {
  return (
    typeof body === 'string' ||
    (typeof Blob !== 'undefined' && body instanceof Blob) ||
    (typeof FormData !== 'undefined' && body instanceof FormData) ||
    (typeof URLSearchParams !== 'undefined' && body instanceof URLSearchParams)
  );
}

export function buildUrl(baseUrl: string, path: string, query?: Record<string, QueryValue>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null) params.set(k, String(v));
  const qs = params.toString();
  return `${baseUrl}${path}${qs ? (path.includes('?') ? '&' : '?') + qs : ''}`;
}

async function readBody(res: Response): Promise<unknown> {
  if (res.status === 204) return undefined;
  const text = await res.text();
  if (!text) return undefined;
  if ((res.headers.get('content-type') ?? '').includes('json')) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/** A fetch wrapper for the Forma API: JSON in and out, our error shape mapped to ApiError. */
export function createApiClient(opts: ApiClientOptions = {}): ApiClient {
  const baseUrl = (opts.baseUrl ?? '').replace(/\/$/, '');
  const doFetch = opts.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const listeners = new Set<(error: ApiError) => void>();

  async function send(method: string, path: string, ro: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...ro.headers };
    let body: BodyInit | undefined;
    if (ro.body !== undefined) {
      if (isPassThroughBody(ro.body)) body = ro.body;
      else {
        body = JSON.stringify(ro.body);
        headers['content-type'] ??= 'application/json';
      }
    }
    let res: Response;
    try {
      res = await doFetch(buildUrl(baseUrl, path, ro.query), {
        method,
        headers,
        credentials: 'same-origin',
        ...(body !== undefined ? { body } : {}),
        ...(ro.signal ? { signal: ro.signal } : {}),
      });
    } catch (cause) {
      // An abort is the caller's own doing: let it through untouched so effects can ignore it.
      if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
      throw new ApiError('NETWORK', 'The server could not be reached', { cause });
    }
    if (res.ok) return res;
    const error = apiErrorFromResponse(res.status, res.headers, await readBody(res).catch(() => undefined));
    if (error.code === 'UNAUTHENTICATED') for (const l of listeners) l(error);
    throw error;
  }

  const request = async <T>(method: string, path: string, ro?: RequestOptions) =>
    (await readBody(await send(method, path, ro))) as T;

  return {
    request,
    raw: send,
    get: (path, ro) => request('GET', path, ro),
    post: (path, body, ro) => request('POST', path, { ...ro, body }),
    put: (path, body, ro) => request('PUT', path, { ...ro, body }),
    patch: (path, body, ro) => request('PATCH', path, { ...ro, body }),
    delete: (path, ro) => request('DELETE', path, ro),
    onUnauthenticated(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
