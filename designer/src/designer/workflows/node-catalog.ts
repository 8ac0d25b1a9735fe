import type { LocalText, WorkflowNodeHandle, WorkflowNodeTypeInfo } from '@forma/metadata/api-types';
import { useQuery } from '@tanstack/react-query';
import { createContext, useContext } from 'react';
import type { ApiClient } from '../../api/api-client';
import { useApi } from '../../api/api-context';
import type { EdgeData, WfEdge } from './workflow-model';

export type { WorkflowNodeTypeInfo, WorkflowNodeHandle, LocalText };

/**
 * The node types the server knows (`GET /api/meta/workflow-node-types`), by type. The designer
 * offers, draws and configures every node from its entry here, so nothing in it is written per type
 * and a plugin's type appears without designer code.
 */
export type NodeCatalog = ReadonlyMap<string, WorkflowNodeTypeInfo>;

export function catalogOf(items: WorkflowNodeTypeInfo[]): NodeCatalog {
  return new Map(items.map((i) => [i.type, i]));
}

export async function fetchNodeTypes(api: ApiClient, signal?: AbortSignal): Promise<WorkflowNodeTypeInfo[]> {
  const res = await api.get<{ items: WorkflowNodeTypeInfo[] }>(
    '/api/meta/workflow-node-types',
    signal ? { signal } : {},
  );
  return res.items;
}

export function useNodeTypes() {
  const api = useApi();
  return useQuery({
    queryKey: ['workflow-node-types'],
    queryFn: ({ signal }) => fetchNodeTypes(api, signal),
    staleTime: Number.POSITIVE_INFINITY,
  });
}

const CatalogContext = createContext<NodeCatalog>(new Map());
export const NodeCatalogProvider = CatalogContext.Provider;
export const useNodeCatalog = () => useContext(CatalogContext);

/** A registry text in the user's language (Chinese when they read Chinese and it has one), else English. */
export function localText(text: LocalText | undefined, lang: string): string {
  if (!text) return '';
  return lang.toLowerCase().startsWith('zh') ? (text['zh-CN'] ?? text.en) : text.en;
}

/** A type's name for people; an unknown type (its plugin is gone) shows as it is stored. */
export function typeLabel(catalog: NodeCatalog, type: string, lang: string): string {
  const info = catalog.get(type);
  return info ? localText(info.palette.label, lang) : type;
}

/** The types offered in the palette, in palette order. */
export function paletteTypes(catalog: NodeCatalog): WorkflowNodeTypeInfo[] {
  return [...catalog.values()]
    .filter((i) => i.palette.order !== undefined)
    .sort((a, b) => (a.palette.order ?? 0) - (b.palette.order ?? 0));
}

export function handlesOf(catalog: NodeCatalog, type: string): WorkflowNodeHandle[] {
  return catalog.get(type)?.palette.handles ?? [];
}

/** Whether an edge's data is what a handle gives its edges (`""`: any text under that key). */
export function edgeFitsHandle(data: EdgeData | undefined, handle: WorkflowNodeHandle): boolean {
  const want = Object.entries(handle.edgeData ?? {});
  if (!want.length) return false;
  const has = (data ?? {}) as Record<string, unknown>;
  return want.every(([k, v]) => (v === '' ? typeof has[k] === 'string' : has[k] === v));
}

/** The handle an existing edge leaves from (so the canvas draws it where it was connected). */
export function handleOfEdge(edge: WfEdge, handles: WorkflowNodeHandle[]): string {
  return handles.find((h) => edgeFitsHandle(edge.data, h))?.id ?? handles[0]?.id ?? 'out';
}
