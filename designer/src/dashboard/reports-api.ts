import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { ApiClient } from '../api/api-client';
import { useApi } from '../api/api-context';
import { useSession } from '../session/session-context';

export type ChartKind = 'bar' | 'line' | 'pie' | 'funnel' | 'table';

export interface ReportSummary {
  name: string;
  label: string;
  description?: string;
  object: string;
  chart: ChartKind;
  /** The column the chart plots (absent: the first measure). */
  chartValue?: string;
}

export interface ReportColumn {
  key: string;
  label: string;
  role: 'group' | 'measure' | 'derived';
  field?: string;
  kind: string;
  bucket?: string;
}

export interface ReportRun extends ReportSummary {
  columns: ReportColumn[];
  rows: Record<string, unknown>[];
  truncated: boolean;
}

export interface DashboardWidget {
  report: string;
  title?: string;
  chart?: ChartKind;
  width?: 'half' | 'full';
}

export interface HomeDashboard {
  name: string;
  label: string;
  roles: string[];
  widgets: Array<DashboardWidget & { label: string }>;
}

/** A dashboard as stored in the `dashboards` metadata section. */
export interface DashboardDefinition {
  label: string;
  roles?: string[];
  widgets: DashboardWidget[];
  [key: string]: unknown;
}

/** Reports, dashboards and the home dashboard (docs/documents.md "Reports" and "Dashboards"). */
export function reportsApi(api: ApiClient) {
  return {
    list: (signal?: AbortSignal) => api.get<{ items: ReportSummary[] }>('/api/reports', { signal }),
    run: (name: string, signal?: AbortSignal) =>
      api.post<ReportRun>(`/api/reports/${encodeURIComponent(name)}/run`, {}, { signal }),
    home: (signal?: AbortSignal) => api.get<{ dashboard: HomeDashboard | null }>('/api/dashboards/home', { signal }),
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
  run: (tenant: string, user: string, name: string) => ['records', tenant, 'report-run', user, name] as const,
};

export function useHomeDashboard() {
  const reports = useReportsApi();
  const { tenant, user } = useSession();
  return useQuery({ queryKey: dashboardKeys.home(tenant, user.id), queryFn: ({ signal }) => reports.home(signal) });
}

export function useReportRun(name: string) {
  const reports = useReportsApi();
  const { tenant, user } = useSession();
  return useQuery({
    queryKey: dashboardKeys.run(tenant, user.id, name),
    queryFn: ({ signal }) => reports.run(name, signal),
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
