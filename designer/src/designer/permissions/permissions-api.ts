import type { ApiClient } from '../../api/api-client';
import type { FieldAccess, Operation, Scope } from './role-model';

export interface TenantUser {
  id: string;
  name?: string;
  email?: string;
  roles?: string[];
  active?: boolean;
}

export interface EffectiveObject {
  create: Scope | boolean;
  read: Scope;
  update: Scope;
  delete: Scope;
  via?: Partial<Record<Operation, string[]>>;
  fields?: Record<string, FieldAccess>;
  sharing?: Array<{ role: string; index: number; label?: string; access: 'read' | 'edit'; filter?: unknown }>;
}

/** `GET /api/meta/effective-permissions?user=` (docs/permissions.md, "view as"). */
export interface EffectivePermissions {
  user: TenantUser;
  admin: boolean;
  version: number;
  objects: Record<string, EffectiveObject>;
}

export type AccessReason =
  | { kind: 'scope'; scope: string; roles: string[] }
  | { kind: 'sharingRule'; role: string; index: number; label?: string; access: string }
  | { kind: 'manualShare'; share: string; user: string | null; role: string | null; level: string }
  | { kind: string; [key: string]: unknown };

export interface AccessVerdict {
  allowed: boolean;
  reasons: AccessReason[];
  denial?: string;
}

/** `GET /api/records/:object/:id/access?user=`: why a user can or cannot touch one record. */
export interface AccessExplanation {
  object: string;
  record: string;
  owner?: string | null;
  user: TenantUser;
  read: AccessVerdict;
  update: AccessVerdict;
  delete: AccessVerdict;
  fields?: Record<string, FieldAccess>;
}

export async function fetchUsers(client: ApiClient, signal?: AbortSignal): Promise<TenantUser[]> {
  const res = await client.get<{ items?: TenantUser[] }>('/api/users', signal ? { signal } : {});
  return res.items ?? [];
}

export function fetchEffectivePermissions(
  client: ApiClient,
  userId: string,
  signal?: AbortSignal,
): Promise<EffectivePermissions> {
  return client.get('/api/meta/effective-permissions', { query: { user: userId }, ...(signal ? { signal } : {}) });
}

export function fetchAccessExplanation(
  client: ApiClient,
  input: { object: string; record: string; user: string },
): Promise<AccessExplanation> {
  return client.get(`/api/records/${encodeURIComponent(input.object)}/${encodeURIComponent(input.record)}/access`, {
    query: { user: input.user },
  });
}

/** The effective scope as the matrix shows it (`create` comes back as a boolean or a scope). */
export function effectiveScope(o: EffectiveObject | undefined, op: Operation): Scope {
  const v = o?.[op];
  if (v === true) return 'all';
  if (v === false || v === undefined) return 'none';
  return op === 'create' && v !== 'none' ? 'all' : v;
}
