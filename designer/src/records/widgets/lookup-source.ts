import type { ApiClient } from '../../api/api-client';
import type { RecordPage, RecordRow } from '../records-api';

export interface LookupOption {
  id: string;
  label: string;
  hint?: string;
}

interface UserRow {
  id: string;
  name?: string;
  email?: string;
}

function optionOf(row: RecordRow, labelField: string | undefined): LookupOption {
  const v = labelField ? row[labelField] : undefined;
  return { id: row.id, label: v === null || v === undefined || v === '' ? row.id : String(v) };
}

const userOption = (u: UserRow): LookupOption => ({
  id: u.id,
  label: u.name || u.email || u.id,
  ...(u.email ? { hint: u.email } : {}),
});

/** Where a lookup finds its candidates: the referenced object's records, or the tenant's users. */
export function lookupSource(api: ApiClient, ref: string, labelField: string | undefined) {
  const s = (signal?: AbortSignal) => (signal ? { signal } : {});
  if (ref === 'user') {
    return {
      async search(q: string, signal?: AbortSignal): Promise<LookupOption[]> {
        const answer = await api.get<UserRow[] | { items: UserRow[] }>('/api/users', s(signal));
        const users = Array.isArray(answer) ? answer : (answer.items ?? []);
        const needle = q.trim().toLowerCase();
        return users
          .filter((u) => !needle || `${u.name ?? ''} ${u.email ?? ''}`.toLowerCase().includes(needle))
          .slice(0, 10)
          .map(userOption);
      },
      async one(id: string, signal?: AbortSignal): Promise<LookupOption> {
        const answer = await api.get<UserRow[] | { items: UserRow[] }>('/api/users', s(signal));
        const users = Array.isArray(answer) ? answer : (answer.items ?? []);
        const u = users.find((x) => x.id === id);
        return u ? userOption(u) : { id, label: id };
      },
    };
  }
  const base = `/api/records/${encodeURIComponent(ref)}`;
  return {
    async search(q: string, signal?: AbortSignal, filter?: Record<string, unknown>): Promise<LookupOption[]> {
      const page = await api.get<RecordPage>(base, {
        query: {
          q: q.trim() || undefined,
          limit: 10,
          ...(q.trim() ? {} : { sort: labelField }),
          // x-lookup-filter, resolved against the form (lookup-filter.ts).
          ...(filter ? { filter: JSON.stringify(filter) } : {}),
        },
        ...s(signal),
      });
      return page.items.map((r) => optionOf(r, labelField));
    },
    async one(id: string, signal?: AbortSignal): Promise<LookupOption> {
      return optionOf(await api.get<RecordRow>(`${base}/${encodeURIComponent(id)}`, s(signal)), labelField);
    },
  };
}
