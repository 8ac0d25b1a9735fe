import type { ApiClient } from './api-client';

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  roles: string[];
  manager?: string | null;
  locale?: string | null;
}

/** `GET /api/auth/me`. `tenantName` is optional: shown when the server provides it, else the tenant id. */
export interface Session {
  tenant: string;
  tenantName?: string;
  user: SessionUser;
  isAdmin: boolean;
}

/** What the shell shows as the tenant's name. */
export function tenantDisplayName(session: Pick<Session, 'tenant' | 'tenantName'>): string {
  return session.tenantName?.trim() || session.tenant;
}

export interface LoginInput {
  tenant: string;
  email: string;
  password: string;
}

export function authApi(client: ApiClient) {
  return {
    /** Sets the httpOnly session cookie; the token in the answer is deliberately not kept by the app. */
    login: (input: LoginInput) => client.post<{ tenant: string; user: SessionUser }>('/api/auth/login', input),
    logout: () => client.post<void>('/api/auth/logout'),
    me: (signal?: AbortSignal) => client.get<Session>('/api/auth/me', signal ? { signal } : {}),
  };
}
