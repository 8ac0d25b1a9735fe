/* eslint-disable */
/**
 * Generated from metadata/schemas/*.json by json-schema-to-typescript.
 * Do not edit: change the schema files and run `npm run gen:types -w @forma/metadata`.
 */

/**
 * `error.code` of every error answer (shared/DESIGN.md, Errors); runtime/src/errors.ts maps each to its HTTP status.
 */
export type ErrorCode =
  | 'VALIDATION_FAILED'
  | 'BAD_REQUEST'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RECORD_LOCKED'
  | 'DUPLICATE'
  | 'TOO_LARGE'
  | 'REQUEST_TIMEOUT'
  | 'SCRIPT_FAILED'
  | 'RATE_LIMITED'
  | 'SCRIPT_BUSY'
  | 'UNAVAILABLE'
  | 'INTERNAL';
export type ChartKind = 'bar' | 'line' | 'pie' | 'funnel' | 'table';

/**
 * Shapes of HTTP answers the web app reads (shared/API.md), one source for the server and the app: the app imports the types generated from this file (@forma/metadata/api-types) instead of copying them.
 */
export interface ApiContracts {
  errorCode?: ErrorCode;
  reportSummary?: ReportSummary;
  reportRun?: ReportRun;
  homeDashboard?: HomeDashboard;
  templateInfo?: TemplateInfo;
  templateApplyResult?: TemplateApplyResult;
  adminUser?: AdminUser;
  invitedUser?: InvitedUser;
  userSession?: UserSession;
  userImportRowErrors?: UserImportRowErrors;
}
/**
 * `GET /api/reports` items.
 */
export interface ReportSummary {
  name: string;
  label: string;
  description?: string;
  object: string;
  chart: ChartKind;
  'x-i18n'?: I18NMap;
  /**
   * The column the chart plots (absent: the first measure).
   */
  chartValue?: string;
}
/**
 * Labels in other languages, from the metadata's `x-i18n` (`{"zh-CN": {"label": "…"}}`).
 */
export interface I18NMap {
  [k: string]: {} | undefined;
}
/**
 * `POST /api/reports/:name/run`.
 */
export interface ReportRun {
  name: string;
  label: string;
  description?: string;
  object: string;
  chart: ChartKind;
  columns: ReportColumn[];
  rows: {
    [k: string]: unknown | undefined;
  }[];
  truncated: boolean;
  /**
   * The column the chart plots (absent: the first measure).
   */
  chartValue?: string;
  'x-i18n'?: I18NMap;
}
export interface ReportColumn {
  key: string;
  label: string;
  role: 'group' | 'measure' | 'derived';
  field?: string;
  kind: string;
  bucket?: string;
  'x-i18n'?: I18NMap;
}
/**
 * `GET /api/dashboards/home` → `dashboard`.
 */
export interface HomeDashboard {
  name: string;
  label: string;
  roles: string[];
  widgets: HomeDashboardWidget[];
  'x-i18n'?: I18NMap;
}
export interface HomeDashboardWidget {
  report: string;
  label: string;
  title?: string;
  chart?: ChartKind;
  width?: 'half' | 'full';
  'x-i18n'?: I18NMap;
}
/**
 * `GET /api/templates` items (docs/plugins.md).
 */
export interface TemplateInfo {
  name: string;
  label: string;
  version: string;
  description?: string;
  objects: string[];
  hasSampleData: boolean;
}
/**
 * `POST /api/templates/:name/apply`.
 */
export interface TemplateApplyResult {
  version: number;
  changed: boolean;
  template: {
    name: string;
    version: string;
  };
  sampleData: 'inserted' | 'skipped' | 'none';
}
/**
 * `GET /api/users` items as tenant admins see them (docs/designer.md, "Users").
 */
export interface AdminUser {
  id: string;
  email: string;
  name: string;
  roles: string[];
  manager: string | null;
  active: boolean;
  locale?: string | null;
  last_login_at?: string | null;
  created_at?: string;
  updated_at?: string;
}
/**
 * `POST /api/users/invite` answer and `POST /api/users/import` `created` items: the one-time password only with delivery "password", shown once.
 */
export interface InvitedUser {
  user: AdminUser;
  delivery: 'email' | 'password';
  oneTimePassword?: string;
}
/**
 * `GET /api/users/:id/sessions` items; `id` ends the session and opens nothing.
 */
export interface UserSession {
  id: string;
  created_at: string;
  expires_at: string;
  ip: string | null;
  user_agent: string | null;
}
/**
 * `POST /api/users/import` refusal: `error.details.rows` items (1-based data rows).
 */
export interface UserImportRowErrors {
  row: number;
  errors: {
    [k: string]: string | undefined;
  };
}
