import type { AdminUser, InvitedUser, UserImportRowErrors, UserSession } from '@forma/metadata/api-types';
import Papa from 'papaparse';
import type { ApiClient } from '../../api/api-client';
import { type BulkRefusal, runBulk } from '../../records/bulk-api';

// The users routes' shapes are the server's contract (metadata/schemas/api.schema.json).
export type { AdminUser, InvitedUser, UserImportRowErrors, UserSession };

export interface NewUserInput {
  email: string;
  name: string;
  roles: string[];
  manager: string | null;
  delivery?: 'email' | 'password';
}

const user = (id: string) => `/api/users/${encodeURIComponent(id)}`;

/** The people of the tenant: service accounts have their own screen (Integrations). */
export async function fetchUsers(client: ApiClient, signal?: AbortSignal): Promise<AdminUser[]> {
  const { items } = await client.get<{ items: AdminUser[] }>('/api/users', signal ? { signal } : {});
  return items.filter((u) => !u.service);
}

export function fetchUserSettings(client: ApiClient): Promise<{ emailInvitations: boolean }> {
  return client.get('/api/users/settings');
}

export function inviteUser(client: ApiClient, input: NewUserInput): Promise<InvitedUser> {
  return client.post('/api/users/invite', { ...input, ...(input.manager ? {} : { manager: null }) });
}

export function updateUser(
  client: ApiClient,
  id: string,
  patch: Partial<Pick<AdminUser, 'name' | 'roles' | 'manager' | 'active'>>,
): Promise<AdminUser> {
  return client.patch(user(id), patch);
}

export function resetPassword(client: ApiClient, id: string): Promise<{ oneTimePassword: string }> {
  return client.post(`${user(id)}/reset-password`);
}

export async function fetchSessions(client: ApiClient, id: string): Promise<UserSession[]> {
  return (await client.get<{ items: UserSession[] }>(`${user(id)}/sessions`)).items;
}

export function endSessions(client: ApiClient, id: string, session?: string): Promise<{ ended: number }> {
  return client.delete(`${user(id)}/sessions${session ? `/${encodeURIComponent(session)}` : ''}`);
}

export interface ImportRow {
  email: string;
  name: string;
  roles: string[];
  manager: string | null;
}

export function importUsers(client: ApiClient, users: ImportRow[]): Promise<{ created: InvitedUser[] }> {
  return client.post('/api/users/import', { users });
}

/** Column names a users CSV may use (English or Chinese headers, any case). */
const HEADERS: Record<keyof ImportRow, string[]> = {
  email: ['email', 'e-mail', 'mail', '邮箱', '电子邮件'],
  name: ['name', 'full name', '姓名', '名称'],
  roles: ['roles', 'role', '角色'],
  manager: ['manager', 'manager email', 'manager e-mail', '经理', '上级'],
};

export interface ParsedUsers {
  rows: ImportRow[];
  /** The required columns (email, name) missing from the header. */
  missing: Array<keyof ImportRow>;
}

/** A CSV with a header row; roles are separated by `;` or `|` (a comma separates columns). */
export function parseUsersCsv(text: string): ParsedUsers {
  const parsed = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ''), {
    header: true,
    skipEmptyLines: 'greedy',
    transformHeader: (h) => h.trim().toLowerCase(),
  });
  const fields = parsed.meta.fields ?? [];
  const column = (k: keyof ImportRow) => fields.find((f) => HEADERS[k].includes(f));
  const cols = { email: column('email'), name: column('name'), roles: column('roles'), manager: column('manager') };
  const missing = (['email', 'name'] as const).filter((k) => !cols[k]);
  const rows = parsed.data.map((r) => ({
    email: (cols.email ? r[cols.email] : '')?.trim() ?? '',
    name: (cols.name ? r[cols.name] : '')?.trim() ?? '',
    roles: (cols.roles ? (r[cols.roles] ?? '') : '')
      .split(/[;|]/)
      .map((s) => s.trim())
      .filter(Boolean),
    manager: (cols.manager ? r[cols.manager]?.trim() : '') || null,
  }));
  return { rows, missing };
}

export interface HandoverOutcome {
  moved: number;
  refused: Array<BulkRefusal & { object: string }>;
}

/**
 * Hands every record a user owns, in every object, to another user: the list's bulk change of
 * owner (`POST /api/records/:object/bulk`, through the records engine) object after object.
 */
export async function handOver(
  client: ApiClient,
  objects: string[],
  from: string,
  to: string,
  onProgress: (object: string, done: number, total: number) => void,
): Promise<HandoverOutcome> {
  const out: HandoverOutcome = { moved: 0, refused: [] };
  for (const object of objects) {
    const r = await runBulk(
      client,
      object,
      { action: 'update', changes: { owner: to } },
      { filter: { owner: { eq: from } } },
      (done, total) => onProgress(object, done, total),
    );
    out.moved += r.done;
    out.refused.push(...r.refused.map((x) => ({ ...x, object })));
  }
  return out;
}

/** The users below `id` in the manager hierarchy (so the manager picker offers no cycle). */
export function reportsOf(users: AdminUser[], id: string): Set<string> {
  const below = new Set<string>();
  const walk = (m: string) => {
    for (const u of users)
      if (u.manager === m && !below.has(u.id)) {
        below.add(u.id);
        walk(u.id);
      }
  };
  walk(id);
  return below;
}

/** A dialog width that still fits a phone (the dialog's own cap applies only without a width). */
export const fitWidth = (px: number) =>
  Math.min(px, (typeof window === 'undefined' ? px + 32 : window.innerWidth) - 32);
