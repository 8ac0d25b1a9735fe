import type { PortalCase, PortalComment, PortalMe, PortalObject } from '@forma/runtime';

export type { PortalCase, PortalComment, PortalMe, PortalObject };
export type PortalRecord = Record<string, unknown> & { id: string };

export class PortalError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
  }
}

/**
 * The portal's own small client: the portal cookie (path /api/portal/) is its credential, and a 401
 * here must never touch the staff app's session.
 */
export function portalApi(tenant: string) {
  const base = `/api/portal/${encodeURIComponent(tenant)}`;
  async function call<T>(method: string, path: string, body?: unknown, raw?: { data: Blob; name: string }): Promise<T> {
    const url = raw ? `${base}${path}?name=${encodeURIComponent(raw.name)}` : `${base}${path}`;
    const res = await fetch(url, {
      method,
      credentials: 'same-origin',
      headers: raw
        ? { 'content-type': raw.data.type || 'application/octet-stream' }
        : body !== undefined
          ? { 'content-type': 'application/json' }
          : {},
      ...(raw ? { body: raw.data } : body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    const json = text ? (JSON.parse(text) as unknown) : null;
    if (!res.ok) {
      const e = (json as { error?: { code?: string; message?: string; fields?: Record<string, string> } } | null)
        ?.error;
      throw new PortalError(res.status, e?.code ?? 'ERROR', e?.message ?? res.statusText, e?.fields);
    }
    return json as T;
  }
  return {
    requestLink: (email: string) => call<{ message: string }>('POST', '/login', { email }),
    redeem: (token: string) => call<{ me: PortalMe }>('POST', '/session', { token }),
    logout: () => call<null>('POST', '/logout'),
    me: () => call<PortalMe>('GET', '/me'),
    list: (object: string, cursor?: string) =>
      call<{ items: PortalRecord[]; nextCursor: string | null }>(
        'GET',
        `/lists/${encodeURIComponent(object)}${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`,
      ),
    getCase: (id: string) => call<PortalCase>('GET', `/cases/${encodeURIComponent(id)}`),
    openCase: (values: Record<string, unknown>) => call<PortalRecord>('POST', '/cases', values),
    comment: (id: string, body: string) =>
      call<PortalComment>('POST', `/cases/${encodeURIComponent(id)}/comments`, { body }),
    upload: (id: string, file: File) =>
      call<{ id: string; name: string }>('POST', `/cases/${encodeURIComponent(id)}/files`, undefined, {
        data: file,
        name: file.name,
      }),
    fileUrl: (id: string, file: string) => `${base}/cases/${encodeURIComponent(id)}/files/${encodeURIComponent(file)}`,
  };
}

export type PortalApi = ReturnType<typeof portalApi>;
