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
/**
 * Codes of metadata issues (docs/metadata.md, Errors): schema keywords (`required`, `unknown_property` {name}, `one_of` {values}, `min`/`max`/`min_length`/`max_length`/`min_items`/`max_items` {limit}, `format` {format}, `type` {type}, …), formulas (`formula_unknown_field` {field}, `formula_cycle` {fields}, `formula_syntax` {error}), form rules and their conditions (`condition_*` {field, op}), reports (`report_*` {field, column, fn}), derived report columns (`derive_*` {column, fn, op, position}), the aggregate engine under a report (`aggregate_*` {field, fn, bucket, limit}), expressions of workflows and automation rules (`expression_invalid` {error, line, column}), workflow and automation rule checks (`workflow_*`, `automation_*` {name, type}, `unknown_script`, `unknown_user`, `read_only_field` {field}, …) schedules (`schedule_*` {every}) and customer analyses (`analysis_*` {field, column, columns}), and what a change removes or renames while something still uses it (`still_used` {kind: object|field|role, what, whatLabel, via: lookup|roll-up|formula|label|script|workflow|view|form|role|segment|…, name, user: the user's label or name}; answered with 409 CONFLICT, `details.dependents` and `details.issues`).
 */
export type MetadataIssueCode =
  | 'required'
  | 'unknown_property'
  | 'unknown_keyword'
  | 'bad_name'
  | 'one_of'
  | 'not_allowed'
  | 'no_form'
  | 'min'
  | 'max'
  | 'min_length'
  | 'max_length'
  | 'pattern'
  | 'format'
  | 'type'
  | 'min_items'
  | 'max_items'
  | 'unique_items'
  | 'invalid'
  | 'unknown_object'
  | 'unknown_field'
  | 'formula_syntax'
  | 'formula_unknown_field'
  | 'formula_line_items'
  | 'formula_cycle'
  | 'form_required_hidden'
  | 'form_computed_field'
  | 'condition_not_object'
  | 'condition_empty'
  | 'condition_group_list'
  | 'condition_lookup'
  | 'condition_unknown_field'
  | 'condition_needs_operator'
  | 'condition_unknown_operator'
  | 'condition_takes_list'
  | 'condition_takes_one'
  | 'condition_bad_operator'
  | 'report_needs_field'
  | 'report_unknown_field'
  | 'report_compare_not_date'
  | 'report_group_by_compared'
  | 'report_compare_year_one'
  | 'report_column_twice'
  | 'report_chart_value'
  | 'report_chart_category'
  | 'report_chart_series'
  | 'report_sort_not_column'
  | 'report_sort_ordered'
  | 'unknown_role'
  | 'unknown_report'
  | 'derive_syntax'
  | 'derive_trailing'
  | 'derive_function_column'
  | 'derive_unknown_column'
  | 'derive_too_long'
  | 'derive_numbers_only'
  | 'derive_operator'
  | 'derive_unknown_function'
  | 'derive_arguments'
  | 'derive_round_digits'
  | 'derive_not_allowed'
  | 'aggregate_too_many_groups'
  | 'aggregate_group_not_name'
  | 'aggregate_group_repeated'
  | 'aggregate_not_groupable'
  | 'aggregate_bucket_not_date'
  | 'aggregate_age_buckets'
  | 'aggregate_unknown_bucket'
  | 'aggregate_needs_number'
  | 'aggregate_needs_number_or_date'
  | 'aggregate_too_many_measures'
  | 'aggregate_sort_unknown'
  | 'aggregate_limit'
  | 'aggregate_as_of'
  | 'aggregate_unknown_field'
  | 'aggregate_path_too_long'
  | 'aggregate_not_lookup'
  | 'expression_invalid'
  | 'unknown_script'
  | 'script_other_object'
  | 'not_user_id'
  | 'unknown_user'
  | 'read_only_field'
  | 'not_a_date'
  | 'workflow_not_user_lookup'
  | 'workflow_fields_reapprove_only'
  | 'workflow_reapprove_needs_fields'
  | 'automation_approval_only'
  | 'automation_schedule_only'
  | 'automation_update_only'
  | 'automation_schedule_every'
  | 'automation_changed_to_one_field'
  | 'automation_unknown_action'
  | 'schedule_bad_duration'
  | 'schedule_months'
  | 'schedule_too_often'
  | 'schedule_unknown_form'
  | 'schedule_bad_cron'
  | 'unknown_template'
  | 'not_action_script'
  | 'automation_set_needs_values'
  | 'analysis_customer_lookup'
  | 'analysis_not_number'
  | 'analysis_cost_is_amount'
  | 'analysis_no_compare'
  | 'analysis_cohort_group'
  | 'analysis_unknown_column'
  | 'analysis_count_no_field'
  | 'analysis_movement_count'
  | 'analysis_movement_where'
  | 'message_template_syntax'
  | 'message_unknown_field'
  | 'still_used';
export type ChartKind = 'bar' | 'line' | 'pie' | 'funnel' | 'table';

/**
 * Shapes of HTTP answers the web app reads (shared/API.md), one source for the server and the app: the app imports the types generated from this file (@forma/metadata/api-types) instead of copying them.
 */
export interface ApiContracts {
  errorCode?: ErrorCode;
  metadataIssue?: MetadataIssueInfo;
  metadataIssueCode?: MetadataIssueCode;
  reportSummary?: ReportSummary;
  segmentSummary?: SegmentSummary;
  segmentRefreshRun?: SegmentRefreshRun;
  reportRun?: ReportRun;
  homeDashboard?: HomeDashboard;
  templateInfo?: TemplateInfo;
  templateApplyResult?: TemplateApplyResult;
  workflowNodeTypeInfo?: WorkflowNodeTypeInfo;
  adminUser?: AdminUser;
  invitedUser?: InvitedUser;
  userSession?: UserSession;
  userImportRowErrors?: UserImportRowErrors;
  publicSurvey?: PublicSurvey;
  publicWebForm?: PublicWebForm;
  publicWebFormResult?: PublicWebFormResult;
}
/**
 * One problem of a refused metadata document or report draft (`error.details.issues[]` of a 400 from `/api/meta/*` and `POST /api/reports/preview`). `message` is English; `code` and `params`, when present, let a client say it in its user's language (workflow graph codes are listed by the workflow validator; any other code: show `message`).
 */
export interface MetadataIssueInfo {
  /**
   * JSON pointer of the offending part (`/reports/r/chartValue`).
   */
  path: string;
  message: string;
  /**
   * A `MetadataIssueCode`, or a workflow graph code.
   */
  code?: string;
  /**
   * The facts the sentence names (`field`, `limit`, `values`, …).
   */
  params?: {
    [k: string]: string | number | undefined;
  };
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
  /**
   * The group column whose values label the chart's points (absent: the first group column).
   */
  chartCategory?: string;
  /**
   * The group column whose values are the chart's series, one bar or line each (absent: one series).
   */
  chartSeries?: string;
}
/**
 * Labels in other languages, from the metadata's `x-i18n` (`{"zh-CN": {"label": "…"}}`).
 */
export interface I18NMap {
  [k: string]: {} | undefined;
}
/**
 * `GET /api/segments` items and `GET /api/segments/:name` (which adds `count`): a saved segment the caller may use.
 */
export interface SegmentSummary {
  name: string;
  label: string;
  'x-i18n'?: {
    [k: string]: unknown | undefined;
  };
  description?: string;
  object: string;
  refresh?: {
    mode: 'manual' | 'schedule';
    every?: string;
  };
  roles?: string[];
  /**
   * When membership was last computed (null: never)
   */
  refreshedAt: string | null;
  /**
   * GET /api/segments/:name only: members the caller may read (their row scope applies)
   */
  count?: number;
}
/**
 * `POST /api/segments/:name/refresh` and `GET /api/segments/:name/history` items: one refresh of a segment's membership.
 */
export interface SegmentRefreshRun {
  id: string;
  at: string;
  trigger: 'manual' | 'schedule';
  /**
   * Members after the refresh (every record, no row scope)
   */
  count: number;
  entered: number;
  left: number;
  /**
   * How long the refresh took
   */
  ms: number;
}
/**
 * `POST /api/reports/:name/run` and `POST /api/reports/preview` (a draft).
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
   * With a run's period (a dashboard's date range): the date field it was applied to; absent when not applied (a period comparison).
   */
  periodField?: string;
  /**
   * The column the chart plots (absent: the first measure).
   */
  chartValue?: string;
  /**
   * The group column whose values label the chart's points (absent: the first group column).
   */
  chartCategory?: string;
  /**
   * The group column whose values are the chart's series, one bar or line each (absent: one series).
   */
  chartSeries?: string;
  /**
   * A report's period comparison: the periods its columns cover (docs/analytics.md).
   */
  compare?: {
    period: 'month' | 'quarter' | 'year';
    current: ReportPeriod;
    previous?: ReportPeriod;
    last_year?: ReportPeriod;
  };
  'x-i18n'?: I18NMap;
}
export interface ReportColumn {
  key: string;
  label: string;
  role: 'group' | 'measure' | 'derived';
  field?: string;
  kind: string;
  bucket?: string;
  /**
   * Period comparison: the period this column's value is from.
   */
  compare?: 'previous' | 'last_year';
  /**
   * Period comparison: the measure column compared.
   */
  of?: string;
  /**
   * A group column of named values (a customer analysis's rfm_segment): each value's label, to show instead of the value.
   */
  options?: {
    value: string;
    label: string;
    'x-i18n'?: I18NMap;
  }[];
  'x-i18n'?: I18NMap;
}
/**
 * A period of a report's comparison: days from `from` (inclusive) to `to` (exclusive).
 */
export interface ReportPeriod {
  from: string;
  to: string;
  /**
   * 2026-12, 2026-Q4 or 2026
   */
  label: string;
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
  /**
   * How much sample data the template brings: its users and its records.
   */
  sampleCounts?: {
    users: number;
    records: number;
  };
  /**
   * The version of this template applied to the tenant, and when (absent: never applied).
   */
  applied?: {
    version: string;
    at: string;
  };
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
  /**
   * The sample users this apply created, with the template's published passwords, so the admin can hand them out (users that existed already are not listed).
   */
  sampleUsers?: {
    name: string;
    email: string;
    password: string;
    roles: string[];
  }[];
  /**
   * How many sample records this apply inserted.
   */
  sampleRecords?: number;
}
/**
 * `GET /api/meta/workflow-node-types` items: the core types and those plugins registered.
 */
export interface WorkflowNodeTypeInfo {
  type: string;
  /**
   * Runs without waiting for a person.
   */
  automatic: boolean;
  palette: WorkflowNodePalette;
}
/**
 * How the workflow designer offers, draws and configures a node type (docs/workflows.md): nothing in the designer is written per type.
 */
export interface WorkflowNodePalette {
  label: LocalText;
  /**
   * Palette order (lower first); absent: not offered in the palette.
   */
  order?: number;
  /**
   * A lucide icon name (kebab-case).
   */
  icon: string;
  /**
   * The node's colour on the minimap.
   */
  color?: string;
  /**
   * A CSS colour: the card's top edge, its icon and the palette item's side.
   */
  accent?: string;
  initialData?: {
    [k: string]: unknown | undefined;
  };
  /**
   * Outgoing handles; none: the node ends the graph.
   */
  handles: WorkflowNodeHandle[];
  /**
   * Where the walk begins: no incoming edges, no label, cannot be deleted.
   */
  entry?: boolean;
  hint?: LocalText;
  /**
   * The inspector of a node of this type (after its label).
   */
  fields?: WorkflowInspectorField[];
  /**
   * The inspector of an edge leaving such a node.
   */
  edgeFields?: WorkflowInspectorField[];
  /**
   * The line under the node's title: `data` keys (shown as their field's widget shows them) or `$trigger` (the workflow's trigger) and `$branches` (how many edges leave).
   */
  summary?: {
    parts: string[];
    separator?: string;
  };
  /**
   * A data key whose value styles the node (`f-wf-node--<value>`) and may change its icon and accent.
   */
  variant?: {
    key: string;
    icons?: {
      [k: string]: string | undefined;
    };
    /**
     * An accent per value (an end node: green when approved, red when rejected).
     */
    accents?: {
      [k: string]: string | undefined;
    };
  };
}
/**
 * A text in English and, optionally, Chinese (the designer shows the user's language, else English).
 */
export interface LocalText {
  en: string;
  'zh-CN'?: string;
}
/**
 * A handle edges leave a node by, and the data such an edge gets.
 */
export interface WorkflowNodeHandle {
  id: string;
  label?: LocalText;
  /**
   * Data every edge leaving by this handle carries (`{outcome: "approved"}`, `{default: true}`); a value `""` marks a key the edge has with any text (`{condition: ""}`).
   */
  edgeData?: {
    [k: string]: unknown | undefined;
  };
  /**
   * Any number of edges may leave by this handle; otherwise a new edge replaces the old one.
   */
  multiple?: boolean;
}
/**
 * One control of the workflow designer's inspector, as data. Plain widgets (`text`, `textarea`, `number`, `checkbox`, `select`) edit `data[key]` of a node (or of an edge, in `edgeFields`) and are drawn from this description alone; the others are the designer's editors over the workflow's model: `approvers` (users, roles, the submitter's manager, a user field), `escalation`, `field-values` (`{field: value}` of the workflow's object), `script` (an action script of the object), `branches` (the conditions of the edges leaving the node) and, on edges, `branch-condition` (default branch or condition).
 */
export interface WorkflowInspectorField {
  /**
   * The data key the control edits (absent for `branches` and `branch-condition`).
   */
  key?: string;
  widget:
    | 'text'
    | 'textarea'
    | 'number'
    | 'checkbox'
    | 'select'
    | 'approvers'
    | 'escalation'
    | 'field-values'
    | 'script'
    | 'branches'
    | 'branch-condition';
  label?: LocalText;
  hint?: LocalText;
  placeholder?: string;
  /**
   * Code (an expression): a monospaced box.
   */
  mono?: boolean;
  required?: boolean;
  /**
   * `select`: the choices; the first is the value shown while the key is unset.
   */
  options?: {
    value: string;
    label: LocalText;
  }[];
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
  /**
   * A service account: signs in only with API keys; listed on the Integrations screen, not the Users screen.
   */
  service?: boolean;
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
/**
 * `GET /api/public/surveys/:token` → `survey`: the survey's texts in one language, nothing of the tenant's model.
 */
export interface PublicSurvey {
  title: string;
  intro: string | null;
  thanks: string | null;
  locale: 'en' | 'zh-CN';
  questions: PublicSurveyQuestion[];
}
export interface PublicSurveyQuestion {
  id: string;
  kind: 'rating' | 'nps' | 'choice' | 'text';
  label: string;
  required: boolean;
  min?: number;
  max?: number;
  maxLength?: number;
  choices?: {
    value: string;
    label: string;
  }[];
}
/**
 * `GET /api/public/forms/:tenant/:form`: what a public form page renders, in one language: only the exposed fields.
 */
export interface PublicWebForm {
  tenant: {
    id: string;
    name: string;
  };
  name: string;
  label: string;
  description?: string;
  /**
   * A JSON Schema of the exposed fields (labels in the requested language) for @rjsf.
   */
  schema: {
    [k: string]: unknown | undefined;
  };
  uiSchema: {
    [k: string]: unknown | undefined;
  };
  /**
   * The form's defaults.
   */
  formData: {
    [k: string]: unknown | undefined;
  };
  submitLabel: string;
  accentColor?: string;
  proofOfWork: boolean;
  /**
   * Where the ALTCHA widget fetches its challenge (when proofOfWork).
   */
  challengeUrl?: string;
  /**
   * The name of the field humans leave empty.
   */
  honeypot?: string;
  locale: 'en' | 'zh-CN';
}
/**
 * `POST /api/public/forms/:tenant/:form` (JSON): the submission was accepted.
 */
export interface PublicWebFormResult {
  ok: true;
  thankYou: string;
  redirectUrl?: string;
}
