import type { TemplateApplyResult, TemplateInfo } from '@forma/metadata/api-types';
import type { ApiClient } from '../../api/api-client';
import type { MetaPlan } from '../common';

// `GET /api/templates` items and the apply answer: the server's contract (metadata/schemas/api.schema.json).
export type { TemplateApplyResult, TemplateInfo };

export type TemplatePlan = MetaPlan & { template: { name: string; version: string } };

export type ExportLayer = 'all' | 'own';

const path = (name: string, action: 'plan' | 'apply') => `/api/templates/${encodeURIComponent(name)}/${action}`;

export async function fetchTemplates(client: ApiClient, signal?: AbortSignal): Promise<TemplateInfo[]> {
  const res = await client.get<{ items?: TemplateInfo[] }>('/api/templates', signal ? { signal } : {});
  return res.items ?? [];
}

/** What applying would change now; nothing is applied. */
export function planTemplate(client: ApiClient, name: string): Promise<TemplatePlan> {
  return client.post(path(name, 'plan'), {});
}

export function applyTemplate(
  client: ApiClient,
  name: string,
  opts: { sampleData: boolean; allowDestructive: boolean },
): Promise<TemplateApplyResult> {
  return client.post(path(name, 'apply'), opts);
}

/** `GET /api/meta/export`: the tenant's metadata as a template document. */
export function exportConfiguration(client: ApiClient, layer: ExportLayer): Promise<Record<string, unknown>> {
  return client.get('/api/meta/export', { query: { layer } });
}

/** `acme-configuration-2026-11-23.json` (`-own` for the tenant's own layer): safe on every file system. */
export function exportFileName(tenant: string, layer: ExportLayer, now: Date): string {
  const safe = tenant.replace(/[^a-z0-9_-]+/gi, '-').replace(/^-+|-+$/g, '') || 'forma';
  return `${safe}-configuration${layer === 'own' ? '-own' : ''}-${now.toISOString().slice(0, 10)}.json`;
}

/** Saves a JSON document as a file through a temporary object URL (no server round trip). */
export function downloadJson(document_: unknown, fileName: string): void {
  const url = URL.createObjectURL(new Blob([`${JSON.stringify(document_, null, 2)}\n`], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  // Revoked on the next task: some browsers start the download asynchronously.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
