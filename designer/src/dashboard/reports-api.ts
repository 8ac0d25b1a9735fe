import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import type {
  HomeDashboard as GeneratedHomeDashboard,
  HomeDashboardWidget,
  ReportRun,
  ReportSummary,
} from '@forma/metadata/api-types';
import type { ApiClient } from '../api/api-client';
import { useApi } from '../api/api-context';
import { useSession } from '../session/session-context';

// Answer shapes come from the server's contract (metadata/schemas/api.schema.json), never copied here.
export type { ChartKind, ReportColumn, ReportRun, ReportSummary } from '@forma/metadata/api-types';
export type DashboardWidget = Omit<HomeDashboardWidget, 'label'>;
export type HomeDashboard = Omit<GeneratedHomeDashboard, 'widgets'> & { widgets: HomeDashboardWidget[] };

/** A dashboard the user may open by name. */
export interface DashboardLink {
  name: string;
  label: string;
  'x-i18n'?: Record<string, Record<string, unknown>>;
}

/** A dashboard as stored in the `dashboards` metadata section. */
export interface DashboardDefinition {
  label: string;
  roles?: string[];
  widgets: DashboardWidget[];
  [key: string]: unknown;
}

/**
 * What a dashboard's filters narrow a run to (`POST /api/reports/:name/run`, docs/analytics.md
 * "Dashboard filters"): a filter AND-ed to the report's, and a date range on its date field.
 */
export interface ReportNarrowing {
  filter?: Record<string, unknown>;
  period?: { from?: string; to?: string };
}

/** Reports, dashboards and the home dashboard (docs/documents.md "Reports" and "Dashboards"). */
export function reportsApi(api: ApiClient) {
  return {
    list: (signal?: AbortSignal) => api.get<{ items: ReportSummary[] }>('/api/reports', { signal }),
    run: (name: string, signal?: AbortSignal, narrowing: ReportNarrowing = {}) =>
      api.post<ReportRun>(`/api/reports/${encodeURIComponent(name)}/run`, narrowing, { signal }),
    /** An unsaved report (admins): checked as publishing would check it, run like a saved one. */
    preview: (report: unknown, name: string, signal?: AbortSignal) =>
      api.post<ReportRun>('/api/reports/preview', { report, name }, { signal }),
    home: (signal?: AbortSignal) => api.get<{ dashboard: HomeDashboard | null }>('/api/dashboards/home', { signal }),
    /** Dashboards opened by name (not anyone's home), those of the user's roles. */
    dashboards: (signal?: AbortSignal) => api.get<{ items: DashboardLink[] }>('/api/dashboards', { signal }),
    dashboard: (name: string, signal?: AbortSignal) =>
      api.get<HomeDashboard>(`/api/dashboards/${encodeURIComponent(name)}`, { signal }),
    /** The stored definition (admins), so a save keeps what the editor does not show (translations, description). */
    definition: async (name: string): Promise<DashboardDefinition | undefined> => {
      const doc = await api.get<{ dashboards?: Record<string, DashboardDefinition> }>('/api/meta');
      return doc.dashboards?.[name];
    },
    save: (name: string, def: DashboardDefinition) => api.put(`/api/meta/dashboards/${encodeURIComponent(name)}`, def),
  };
}

export function useReportsApi() {
  const api = useApi();
  return useMemo(() => reportsApi(api), [api]);
}

export const dashboardKeys = {
  home: (tenant: string, user: string) => ['records', tenant, 'home-dashboard', user] as const,
  reports: (tenant: string, user: string) => ['records', tenant, 'reports', user] as const,
  run: (tenant: string, user: string, name: string, narrowing = '') =>
    ['records', tenant, 'report-run', user, name, narrowing] as const,
  list: (tenant: string, user: string) => ['records', tenant, 'dashboards', user] as const,
  named: (tenant: string, user: string, name: string) => ['records', tenant, 'dashboard', user, name] as const,
};

export function useDashboardList() {
  const reports = useReportsApi();
  const { tenant, user } = useSession();
  return useQuery({
    queryKey: dashboardKeys.list(tenant, user.id),
    queryFn: ({ signal }) => reports.dashboards(signal),
  });
}

export function useDashboard(name: string) {
  const reports = useReportsApi();
  const { tenant, user } = useSession();
  return useQuery({
    queryKey: dashboardKeys.named(tenant, user.id, name),
    queryFn: ({ signal }) => reports.dashboard(name, signal),
  });
}

export function useHomeDashboard() {
  const reports = useReportsApi();
  const { tenant, user } = useSession();
  return useQuery({ queryKey: dashboardKeys.home(tenant, user.id), queryFn: ({ signal }) => reports.home(signal) });
}

export function useReportRun(name: string, narrowing?: ReportNarrowing) {
  const reports = useReportsApi();
  const { tenant, user } = useSession();
  const key = narrowing && (narrowing.filter || narrowing.period) ? JSON.stringify(narrowing) : '';
  return useQuery({
    queryKey: dashboardKeys.run(tenant, user.id, name, key),
    queryFn: ({ signal }) => reports.run(name, signal, narrowing),
    // Changing a dashboard filter keeps the chart until the narrowed run arrives.
    placeholderData: keepPreviousData,
  });
}

export function useReportList(enabled: boolean) {
  const reports = useReportsApi();
  const { tenant, user } = useSession();
  return useQuery({
    queryKey: dashboardKeys.reports(tenant, user.id),
    queryFn: ({ signal }) => reports.list(signal),
    enabled,
  });
}
