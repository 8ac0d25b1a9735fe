/* eslint-disable */
/**
 * Generated from metadata/schemas/*.json by json-schema-to-typescript.
 * Do not edit: change the schema files and run `npm run gen:types -w @forma/metadata`.
 */

export type Label = string;
export type Description = string;
/**
 * A logical name (object, field, role, view, script, workflow): lower-case ASCII, at most 63 bytes, so it can become a PostgreSQL identifier.
 */
export type Name = string;
export type FilterValue = string | number | boolean | null;
/**
 * A logical name (object, field, role, view, script, workflow): lower-case ASCII, at most 63 bytes, so it can become a PostgreSQL identifier.
 */
export type Name1 = string;
/**
 * Server-assigned id of an object or field that survives renames. Clients keep it to rename.
 */
export type StableId = string;
/**
 * false, "account" (customer portal: the signed-in contact's account), "own", "subordinates" or "all" (true means "all").
 */
export type Scope = false | true | 'account' | 'own' | 'subordinates' | 'all';
export type FieldAccess = 'none' | 'read' | 'edit';
/**
 * A logical name (object, field, role, view, script, workflow): lower-case ASCII, at most 63 bytes, so it can become a PostgreSQL identifier.
 */
export type Name2 = string;
/**
 * A logical name (object, field, role, view, script, workflow): lower-case ASCII, at most 63 bytes, so it can become a PostgreSQL identifier.
 */
export type Name3 = string;
/**
 * A logical name (object, field, role, view, script, workflow): lower-case ASCII, at most 63 bytes, so it can become a PostgreSQL identifier.
 */
export type Name4 = string;
export type Approver =
  | {
      user: string;
    }
  | {
      role: Name;
    }
  | {
      managerOf: 'submitter';
    }
  | {
      field: Name;
    };
/**
 * A logical name (object, field, role, view, script, workflow): lower-case ASCII, at most 63 bytes, so it can become a PostgreSQL identifier.
 */
export type Name5 = string;
/**
 * A logical name (object, field, role, view, script, workflow): lower-case ASCII, at most 63 bytes, so it can become a PostgreSQL identifier.
 */
export type Name6 = string;
/**
 * A logical name (object, field, role, view, script, workflow): lower-case ASCII, at most 63 bytes, so it can become a PostgreSQL identifier.
 */
export type Name7 = string;
/**
 * A logical name (object, field, role, view, script, workflow): lower-case ASCII, at most 63 bytes, so it can become a PostgreSQL identifier.
 */
export type Name8 = string;
/**
 * A logical name (object, field, role, view, script, workflow): lower-case ASCII, at most 63 bytes, so it can become a PostgreSQL identifier.
 */
export type Name9 = string;
export type AutomationAction = {
  /**
   * A registered action kind: set, create, notify, email, script, document, send_survey, or one a plugin adds (checked against the action registry, and a plugin kind's own schema, by the automation section check)
   */
  type: string;
};
/**
 * A field of the report's object, or of a related record through lookups separated by dots ("account.city", "order.account.region.name", "account.owner.name"). At most three lookups; every step but the last is a lookup field.
 */
export type ReportFieldPath = string;
/**
 * Column label (default: the field's label; through lookups "Account › City").
 */
export type Label1 = string;
/**
 * A field of the report's object, or of a related record through lookups separated by dots ("account.city", "order.account.region.name", "account.owner.name"). At most three lookups; every step but the last is a lookup field.
 */
export type ReportFieldPath1 = string;
/**
 * A field of the report's object, or of a related record through lookups separated by dots ("account.city", "order.account.region.name", "account.owner.name"). At most three lookups; every step but the last is a lookup field.
 */
export type ReportFieldPath2 = string;
/**
 * A field of the report's object, or of a related record through lookups separated by dots ("account.city", "order.account.region.name", "account.owner.name"). At most three lookups; every step but the last is a lookup field.
 */
export type ReportFieldPath3 = string;
/**
 * A field of the report's object, or of a related record through lookups separated by dots ("account.city", "order.account.region.name", "account.owner.name"). At most three lookups; every step but the last is a lookup field.
 */
export type ReportFieldPath4 = string;
/**
 * A field of the report's object, or of a related record through lookups separated by dots ("account.city", "order.account.region.name", "account.owner.name"). At most three lookups; every step but the last is a lookup field.
 */
export type ReportFieldPath5 = string;
/**
 * A logical name (object, field, role, view, script, workflow): lower-case ASCII, at most 63 bytes, so it can become a PostgreSQL identifier.
 */
export type Name10 = string;
/**
 * A logical name (object, field, role, view, script, workflow): lower-case ASCII, at most 63 bytes, so it can become a PostgreSQL identifier.
 */
export type Name11 = string;
/**
 * A logical name (object, field, role, view, script, workflow): lower-case ASCII, at most 63 bytes, so it can become a PostgreSQL identifier.
 */
export type Name12 = string;
/**
 * A logical name (object, field, role, view, script, workflow): lower-case ASCII, at most 63 bytes, so it can become a PostgreSQL identifier.
 */
export type Name13 = string;
/**
 * A logical name (object, field, role, view, script, workflow): lower-case ASCII, at most 63 bytes, so it can become a PostgreSQL identifier.
 */
export type Name14 = string;
/**
 * A logical name (object, field, role, view, script, workflow): lower-case ASCII, at most 63 bytes, so it can become a PostgreSQL identifier.
 */
export type Name15 = string;
/**
 * A logical name (object, field, role, view, script, workflow): lower-case ASCII, at most 63 bytes, so it can become a PostgreSQL identifier.
 */
export type Name16 = string;
/**
 * A logical name (object, field, role, view, script, workflow): lower-case ASCII, at most 63 bytes, so it can become a PostgreSQL identifier.
 */
export type Name17 = string;
/**
 * A logical name (object, field, role, view, script, workflow): lower-case ASCII, at most 63 bytes, so it can become a PostgreSQL identifier.
 */
export type Name18 = string;
export type WebFormValue = string | number | boolean;

/**
 * A packaged metadata document (an industry template, or a tenant's export).
 */
export interface TemplateDocument {
  /**
   * Template names may contain dashes (`core-crm`): they are values, never SQL identifiers.
   */
  name: string;
  label: Label;
  version: string;
  description?: Description;
  document: MetadataDocument;
  /**
   * Records per object, inserted by the records engine when a tenant asks for sample data.
   */
  sampleData?: {
    /**
     * @maxItems 10000
     */
    [k: string]:
      | {
          [k: string]: unknown | undefined;
        }[]
      | undefined;
  };
}
/**
 * A tenant's whole metadata. Forms are keyed by their object's name; everything else by its own name.
 */
export interface MetadataDocument {
  version?: number;
  objects?: {
    [k: string]: ObjectDefinition | undefined;
  };
  roles?: {
    [k: string]: RoleDefinition | undefined;
  };
  workflows?: {
    [k: string]: WorkflowDefinition | undefined;
  };
  scripts?: {
    [k: string]: ScriptDefinition | undefined;
  };
  forms?: {
    [k: string]: FormDefinition | undefined;
  };
  views?: {
    [k: string]: ViewDefinition | undefined;
  };
  automations?: {
    [k: string]: AutomationRule | undefined;
  };
  reports?: {
    [k: string]: ReportDefinition | undefined;
  };
  dashboards?: {
    [k: string]: DashboardDefinition | undefined;
  };
  surveys?: {
    [k: string]: SurveyDefinition | undefined;
  };
  webForms?: {
    [k: string]: WebFormDefinition | undefined;
  };
  segments?: {
    [k: string]: SegmentDefinition | undefined;
  };
}
/**
 * An object (a table): a JSON Schema of type object whose properties are its fields.
 */
export interface ObjectDefinition {
  $schema?: string;
  type: 'object';
  title?: Label;
  description?: Description;
  properties: {
    [k: string]: FieldDefinition | undefined;
  };
  /**
   * @maxItems 500
   */
  required?: Name[];
  /**
   * Records never accept unknown fields; only false is allowed here.
   */
  additionalProperties?: false;
  'x-label-field'?: Name;
  /**
   * Duplicate rules: each rule lists fields; a new record whose values equal an existing record's in every field of one rule (ignoring case and extra spaces) is a likely duplicate.
   *
   * @maxItems 10
   */
  'x-duplicates'?: Name[][];
  /**
   * Form logic: each rule shows, hides, requires or locks (readOnly) some fields while a condition on the record's fields holds (the records API's filter language, as the condition builder writes it). Kept on the object, not the form, because the records engine enforces it on every write (forms, API, imports, automations) and the form only mirrors it; both decide with the same evaluator (@forma/metadata/form-rules). A section of the form is targeted by listing its fields.
   *
   * @maxItems 50
   */
  'x-form-rules'?: FormRule[];
  /**
   * Free-text fields that full-text search (the records API's q) looks in, each backed by a trigram index. Without it, q looks in every free-text field without an index (fine for small objects).
   *
   * @maxItems 20
   */
  'x-search'?: Name[];
  /**
   * Records of this object appear in the activity timeline of every record one of their lookups points at (a call, meeting, note or task logged against an account, a contact or a deal).
   */
  'x-timeline'?: boolean;
  /**
   * A picklist field of this object: where its records are listed as related records of another one (a deal's contact roles on the deal page), they are grouped by this field, in the order of its choices.
   */
  'x-related-group'?: string;
  /**
   * Audit trail settings of the object's records: retainDays keeps history entries that many days (older ones are purged by the retention job); without it history is kept forever.
   */
  'x-audit'?: {
    retainDays?: number;
  };
  'x-icon'?: string;
  /**
   * Whether the object is an item of the app's main menu. Absent: yes, except child objects (those another object's x-children names: quote lines, price list entries, payments), which live under their parent; true pins a child object into the menu, false hides any object from it (it stays reachable by links and its API).
   */
  'x-nav'?: boolean;
  /**
   * Position in the main menu, lowest first. Objects without it follow those with it, in the metadata's order.
   */
  'x-order'?: number;
  'x-id'?: StableId;
  'x-renamed-from'?: Name;
  'x-i18n'?: I18N;
}
/**
 * One property of an object schema: a JSON Schema with Forma's x- vocabulary. Its field kind is recognised from these keywords (see field-kinds.ts).
 */
export interface FieldDefinition {
  type: 'string' | 'number' | 'integer' | 'boolean' | 'array';
  title?: Label;
  description?: Description;
  /**
   * Value given to new records that omit the field (and to existing rows when the field is added).
   */
  default?: string | number | boolean | unknown[];
  format?: 'email' | 'uri' | 'date' | 'date-time' | 'uuid';
  /**
   * @minItems 1
   * @maxItems 500
   */
  enum?: string[];
  /**
   * Only for multi-select fields: {"type": "string", "enum": [...]}.
   */
  items?: {
    type: 'string';
    /**
     * @minItems 1
     * @maxItems 500
     */
    enum: string[];
  };
  maxLength?: number;
  minLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  /**
   * Refines the kind where the JSON type is not enough: textarea, currency, percent, or a plugin's kind.
   */
  'x-kind'?: string;
  'x-ref'?: Name;
  /**
   * Narrows a lookup picker's choices by what the form already holds: each key is a field of the target object, each value "$record.<field>" names a field of this record, e.g. {"account": "$record.account"} offers only the contacts of the chosen account. The picker offers only matching records and the records engine refuses others (400 at the field); a source still empty narrows nothing.
   */
  'x-lookup-filter'?: {
    [k: string]: string | undefined;
  };
  /**
   * Where the value comes from when a new record omits it: sources tried in order, the first that finds a value wins. Each source reads `field` of the first live `object` record (in creation order) whose fields equal `match`; a match value "$record.<field>" names a field of the record being created, "$record.<lookup>.<field>" a field of the record a lookup points at. Read with the writer's permissions. E.g. a quote line's unit price from the quote's price list, else the product's list price.
   *
   * @minItems 1
   * @maxItems 5
   */
  'x-default-from'?: {
    object: Name;
    match: {
      [k: string]: string | undefined;
    };
    field: Name;
  }[];
  /**
   * A JavaScript expression over `record`, computed on save in the script sandbox; the field is read-only.
   */
  'x-formula'?: string;
  /**
   * A stored value the platform computes outside any save (e.g. "rfm": RFM scores written by the scheduled scoring, docs/analytics.md); the field is read-only for everyone and the rest of the definition says what it holds (an integer, a select, a date).
   */
  'x-computed'?: string;
  /**
   * Numbering pattern, e.g. "Q-{YYYY}-{0000}": {YYYY} {YY} {MM} {DD} date parts, {000…} the zero-padded counter (required, resets when the date parts change).
   */
  'x-autonumber'?: string;
  /**
   * A stored, read-only aggregate of child records. Line items: {children, op, field?} over one of this object's x-children fields, saved with the parent. Related records: {object, via, op, field?, filter?} over every live record of `object` whose lookup `via` points at this record, kept current on every save of those records. min/max also over date and date-time fields (the roll-up then has type string and the same format); count_distinct counts distinct non-empty values.
   */
  'x-rollup'?: {
    children?: Name;
    object?: Name;
    via?: Name;
    op: 'sum' | 'count' | 'count_distinct' | 'min' | 'max' | 'avg';
    field?: Name;
    filter?: Filter;
  };
  /**
   * Declares line items: type array, child object and its lookup field to this object (inferred when there is exactly one).
   */
  'x-children'?: {
    object: Name;
    field?: Name;
  };
  'x-unique'?: boolean;
  'x-index'?: boolean;
  /**
   * Decimal places of number, currency and percent columns (numeric(18, scale)).
   */
  'x-scale'?: number;
  /**
   * Display labels of enum values in the default locale.
   */
  'x-enum-labels'?: {
    [k: string]: Label | undefined;
  };
  /**
   * Retired enum values: kept on the records that have them and shown with their labels, offered to no new choice; setting one anew is refused (docs/metadata.md).
   *
   * @maxItems 500
   */
  'x-enum-retired'?: string[];
  'x-id'?: StableId;
  'x-renamed-from'?: Name;
  'x-i18n'?: I18N;
}
/**
 * The filter language of the records API: {field: {operator: value}}, {and: [...]}, {or: [...]}; a lookup's fields with dots ("account.name"; records lists follow two lookups, reports and aggregates three).
 */
export interface Filter {
  /**
   * @maxItems 50
   */
  and?: Filter[];
  /**
   * @maxItems 50
   */
  or?: Filter[];
  [k: string]: FilterCondition | Filter[] | undefined;
}
/**
 * Operators applied to one field; several operators are combined with AND.
 */
export interface FilterCondition {
  eq?: FilterValue;
  ne?: FilterValue;
  gt?: FilterValue;
  gte?: FilterValue;
  lt?: FilterValue;
  lte?: FilterValue;
  /**
   * @maxItems 1000
   */
  in?: FilterValue[];
  /**
   * @maxItems 1000
   */
  nin?: FilterValue[];
  contains?: string | string[];
  startsWith?: string;
  isNull?: boolean;
  inSegment?: Name1;
}
/**
 * Translated labels per locale, e.g. {"zh-CN": {"title": "金额"}}.
 */
export interface I18N {
  [k: string]: I18NEntry | undefined;
}
export interface I18NEntry {
  title?: Label;
  label?: Label;
  description?: Description;
  /**
   * Labels of enum values in this locale.
   */
  enum?: {
    [k: string]: Label | undefined;
  };
}
export interface FormRule {
  /**
   * @minItems 1
   * @maxItems 50
   */
  fields: Name[];
  /**
   * show: shown only while the condition holds (hidden otherwise); hide: hidden while it holds; require: required while it holds; readOnly: cannot be changed while it holds. A hidden field's value is cleared when the record is saved.
   */
  effect: 'show' | 'hide' | 'require' | 'readOnly';
  when: Filter;
  /**
   * What a refused save says at the field (default: names the condition).
   */
  message?: string;
}
/**
 * What holders of a role may do, per object and per field, plus sharing rules.
 */
export interface RoleDefinition {
  label?: Label;
  description?: Description;
  objects?: {
    [k: string]: ObjectGrant | undefined;
  };
  /**
   * @maxItems 100
   */
  sharing?: SharingRule[];
  /**
   * Holders may send e-mail from Forma (mail merge e-mails), within the tenant's rate limit. Default false; admins always may.
   */
  sendEmail?: boolean;
  portal?: PortalSettings;
  'x-i18n'?: I18N;
}
export interface ObjectGrant {
  create?: Scope;
  read?: Scope;
  update?: Scope;
  delete?: Scope;
  fields?: {
    [k: string]: FieldAccess | undefined;
  };
}
export interface SharingRule {
  label?: Label;
  object: Name;
  filter: Filter;
  access: 'read' | 'edit';
}
/**
 * Makes this role the customer portal's role (docs/portal.md): contacts of accounts with portal access sign in with an e-mailed link and act with this role's grants, their scope "account" meaning their own account's rows.
 */
export interface PortalSettings {
  /**
   * Objects the portal lists, in this order (each needs read on it and an "account" lookup).
   *
   * @maxItems 20
   */
  lists: Name[];
  cases?: Name2;
  /**
   * The fields a customer fills in to open a case, in this order; anything else in the body is refused (account and contact always come from the session).
   *
   * @maxItems 50
   */
  caseForm?: Name[];
  comments?: Name3;
}
/**
 * An approval workflow as a React Flow graph: nodes {id, type, position, data} and edges {id, source, target, data}. Graph well-formedness is checked by the workflow engine's section check.
 */
export interface WorkflowDefinition {
  object: Name;
  label: Label;
  description?: Description;
  active?: boolean;
  trigger?: {
    on: 'submit' | 'create' | 'update' | 'save';
    condition?: string;
  };
  afterApproval?: WorkflowAfterApproval;
  fallbackRole?: Name4;
  /**
   * @minItems 1
   * @maxItems 200
   */
  nodes: WorkflowNode[];
  /**
   * @maxItems 500
   */
  edges: WorkflowEdge[];
  'x-i18n'?: I18N;
}
/**
 * What happens to the record after the final approval: "none" (default) leaves it editable; "lock" keeps it locked (edits and deletes answer 409 RECORD_LOCKED until a tenant admin unlocks it with a reason, which returns it to approval status "none"); "reapprove" sends it back for approval (status pending, a new instance of this workflow) when a save changes one of `fields` (stored fields, roll-ups, formulas, or a line-item field such as "lines").
 */
export interface WorkflowAfterApproval {
  mode: 'none' | 'lock' | 'reapprove';
  /**
   * @maxItems 100
   */
  fields?: Name[];
}
export interface WorkflowNode {
  id: string;
  /**
   * A registered node type: start, approval, condition, action, end, or one a plugin adds (checked against the node-type registry by the workflow section check)
   */
  type: string;
  position: {
    x: number;
    y: number;
  };
  data: WorkflowNodeData;
  [k: string]: unknown | undefined;
}
/**
 * Known keys are typed; the designer may keep its own extra keys here.
 */
export interface WorkflowNodeData {
  label?: Label;
  'x-i18n'?: I18N1;
  /**
   * @maxItems 50
   */
  approvers?: Approver[];
  mode?: 'any' | 'all';
  escalation?: {
    after: string;
    to?: Approver;
    decide?: 'approved' | 'rejected';
  };
  outcome?: 'approved' | 'rejected';
  set?: {
    [k: string]: unknown | undefined;
  };
  script?: Name;
  document?: Name5;
  /**
   * Approval nodes: fields of the record that this step's approvers see in their inbox even where their roles may not read them (approvers always see the record's label and the fields their roles may read)
   *
   * @maxItems 50
   */
  show?: Name[];
  [k: string]: unknown | undefined;
}
/**
 * Translated labels per locale, e.g. {"zh-CN": {"title": "金额"}}.
 */
export interface I18N1 {
  [k: string]: I18NEntry | undefined;
}
export interface WorkflowEdge {
  id: string;
  source: string;
  target: string;
  data?: WorkflowEdgeData;
  [k: string]: unknown | undefined;
}
export interface WorkflowEdgeData {
  outcome?: 'approved' | 'rejected';
  condition?: string;
  default?: boolean;
  label?: Label;
  'x-i18n'?: I18N;
  [k: string]: unknown | undefined;
}
/**
 * A tenant rule run in the sandbox on a record event.
 */
export interface ScriptDefinition {
  object: Name;
  event: 'validate' | 'beforeSave' | 'afterSave' | 'action';
  code: string;
  language?: 'js' | 'ts';
  label?: Label;
  description?: Description;
  active?: boolean;
  order?: number;
  'x-i18n'?: I18N2;
}
/**
 * Translated labels per locale, e.g. {"zh-CN": {"title": "金额"}}.
 */
export interface I18N2 {
  [k: string]: I18NEntry | undefined;
}
/**
 * How an object's record form is laid out: an rjsf uiSchema plus an optional layout.
 */
export interface FormDefinition {
  object: Name;
  label?: Label;
  /**
   * An @rjsf uiSchema: keys are field names or ui: options.
   */
  uiSchema: {
    [k: string]: unknown | undefined;
  };
  /**
   * Free-form layout hints for the designer (sections, columns).
   */
  layout?:
    | {
        [k: string]: unknown | undefined;
      }
    | unknown[];
}
/**
 * A saved list of one object's records: columns, filter and sort, shown as a table, a kanban board or a calendar.
 */
export interface ViewDefinition {
  object: Name;
  label: Label;
  description?: Description;
  /**
   * @minItems 1
   * @maxItems 100
   */
  columns: string[];
  filter?: Filter;
  /**
   * Sort keys, "-" for descending: ["-amount", "name"].
   *
   * @maxItems 10
   */
  sort?: string[];
  pageSize?: number;
  default?: boolean;
  /**
   * How the list is shown: a table (default), a kanban board with a column per option of `groupBy`, or a calendar of `dateField`.
   */
  type?: 'table' | 'kanban' | 'calendar';
  groupBy?: Name6;
  dateField?: Name7;
  /**
   * Calendar: the span shown first.
   */
  calendarMode?: 'month' | 'week' | 'day';
  /**
   * Phone: the two or three fields a record's card shows under its label (default: the view's first columns after the label).
   *
   * @minItems 1
   * @maxItems 3
   */
  cardFields?: string[];
  statusField?: Name8;
  'x-i18n'?: I18N;
}
/**
 * An automation rule: when a record of `object` is created, updated, reaches an approval outcome, enters or leaves a saved segment, or on a schedule, and `when` (a filter) and `condition` (an expression) hold, run `actions` in order. Names of objects, fields, scripts and templates are checked by the automation engine's section check.
 */
export interface AutomationRule {
  label: Label;
  description?: Description;
  object: Name;
  /**
   * false keeps the rule without running it (default true)
   */
  enabled?: boolean;
  trigger: AutomationTrigger;
  when?: Filter1;
  /**
   * A sandboxed expression over `record`, `old` (updates) and `user` (who saved); the rule runs when it is truthy
   */
  condition?: string;
  /**
   * @minItems 1
   * @maxItems 20
   */
  actions: AutomationAction[];
  'x-i18n'?: I18N;
}
export interface AutomationTrigger {
  /**
   * approval: when an approval of the record ends (its approval_status becomes approved or rejected); segment_entered / segment_left: when a refresh of `segment` finds the record newly a member / no longer one
   */
  on: 'create' | 'update' | 'schedule' | 'approval' | 'segment_entered' | 'segment_left';
  segment?: Name9;
  /**
   * update: run only when one of these fields changed
   *
   * @minItems 1
   * @maxItems 100
   */
  fields?: Name[];
  /**
   * update with exactly one field in `fields`: run only when that field changed to this value ("stage changed to won")
   */
  changedTo?: string | number | boolean;
  /**
   * schedule: a five-field cron expression (UTC) or an ISO-8601 duration of weeks, days, hours, minutes
   */
  every?: string;
  /**
   * schedule: the records to visit, in the API filter language; "$now" and "$today" (optionally shifted by an ISO-8601 duration: "$now-PT4H") stand for the sweep's instant and date
   */
  filter?: {};
  /**
   * approval: only this outcome (default: either)
   */
  outcome?: 'approved' | 'rejected';
  date?: AutomationDateOffset;
}
/**
 * schedule: only records whose date field is `days` days from the sweep's date (negative: the date has passed; 3 with due_date = "3 days before due_date")
 */
export interface AutomationDateOffset {
  field: Name;
  days: number;
}
/**
 * The filter language of the records API: {field: {operator: value}}, {and: [...]}, {or: [...]}; a lookup's fields with dots ("account.name"; records lists follow two lookups, reports and aggregates three).
 */
export interface Filter1 {
  /**
   * @maxItems 50
   */
  and?: Filter[];
  /**
   * @maxItems 50
   */
  or?: Filter[];
  [k: string]: FilterCondition | Filter[] | undefined;
}
/**
 * A saved report: one object's records grouped and aggregated (through the aggregate engine, with the viewer's permissions), optional derived columns, and how to chart it. Group keys, measures and the filter may read fields of related records through up to three lookups ("account.region.name"); see docs/analytics.md.
 */
export interface ReportDefinition {
  label: Label;
  description?: Description;
  object: Name;
  filter?: Filter;
  /**
   * @maxItems 4
   */
  groupBy?: ReportGroupKey[];
  /**
   * @minItems 1
   * @maxItems 20
   */
  aggregates: ReportAggregate[];
  compare?: ReportCompare;
  analysis?: ReportAnalysis;
  /**
   * Columns computed from each row after aggregation, in order: arithmetic over the row's columns (+ - * /, parentheses, numbers) and the functions prev(col), first(col), total(col), running(col), remaining(col), round(x, digits), abs(x). Division by zero gives null. Columns using prev/first/running/remaining (or such a column) depend on the order of the rows: they are computed after sort, over every group, before limit (a Pareto's cumulative share), and cannot be sorted by. The columns of a period comparison (<as>_previous, <as>_previous_change, …) may be used too.
   *
   * @maxItems 20
   */
  derive?: ReportDerived[];
  chart: 'bar' | 'line' | 'pie' | 'funnel' | 'table';
  chartValue?: Name10;
  chartCategory?: Name11;
  chartSeries?: Name12;
  /**
   * Output columns, "-" for descending (default: group keys; select fields in their enum order).
   *
   * @maxItems 10
   */
  sort?: string[];
  limit?: number;
  /**
   * Roles that may run the report (absent: everyone who may read the object; admins always).
   *
   * @maxItems 100
   */
  roles?: Name[];
  'x-i18n'?: I18N;
}
export interface ReportGroupKey {
  field: ReportFieldPath;
  bucket?: 'day' | 'week' | 'month' | 'quarter' | 'year' | 'aging';
  /**
   * Aging bucket limits in days (default 30, 60, 90, 180).
   *
   * @minItems 1
   * @maxItems 12
   */
  limits?: number[];
  as?: Name;
  label?: Label1;
  'x-i18n'?: I18N;
}
export interface ReportAggregate {
  fn: 'count' | 'sum' | 'avg' | 'min' | 'max';
  field?: ReportFieldPath;
  as: Name;
  label?: Label;
  'x-i18n'?: I18N;
}
/**
 * Period comparison: the report's groups over the calendar period holding the run's day (asOf, default today UTC), with each measure's value in the previous period and/or the same period a year earlier and the change in percent, as extra columns <as>_previous, <as>_previous_change, <as>_last_year, <as>_last_year_change.
 */
export interface ReportCompare {
  field: ReportFieldPath1;
  period: 'month' | 'quarter' | 'year';
  /**
   * Periods compared with (default both; with period year, previous is last year: give one).
   *
   * @minItems 1
   * @maxItems 2
   */
  with?: ('previous' | 'last_year')[];
  /**
   * Cut every period at as many days from its start as the run's day is from the current one's (month to date against the same days of the previous month).
   */
  toDate?: boolean;
}
/**
 * Customer value analysis (docs/analytics.md): the report's object holds purchases (orders, won deals, invoice lines); each purchase readable by the viewer counts for its customer (a lookup the viewer may read). kind "customers": one row per customer with first_on, last_on, orders, revenue, cost, margin, ltv, avg_order, avg_interval, days_since_last, tenure_days, churn_risk, recency, frequency, monetary, rfm, rfm_segment, cohort — which groupBy, aggregates and where then read instead of the object's fields. kind "cohort": the same customers grouped by the month of their first purchase, with retention columns m1…m<periods> (% of the cohort buying again N months later). kind "movement": the customers' stored RFM segments on two days (from_segment × to_segment, counted), read from the snapshots each RFM refresh keeps. The report's filter selects the purchases.
 */
export interface ReportAnalysis {
  kind: 'customers' | 'cohort' | 'movement';
  customer: ReportFieldPath2;
  date: ReportFieldPath3;
  amount: ReportFieldPath4;
  cost?: ReportFieldPath5;
  /**
   * Only purchases of the last N months before the run's day count (default: all up to that day).
   */
  months?: number;
  /**
   * Score levels of recency, frequency and monetary (default 5: quintiles).
   */
  quantiles?: number;
  /**
   * A repeat customer is a churn risk when the days since their last purchase exceed their average interval times this (default 1).
   */
  churnFactor?: number;
  /**
   * kind cohort: months of retention shown after the first (default 12).
   */
  periods?: number;
  /**
   * kind movement: the RFM segments stored on the run's day are compared with those stored this many days before (default 30); a run's period from/to gives both days instead. Reads the snapshots each RFM refresh keeps (docs/analytics.md), not the purchases.
   */
  days?: number;
  /**
   * Conditions on the per-customer columns ("churn_risk": {"eq": true}, "orders": {"gte": 2}), all of which a customer meets.
   */
  where?: {
    [k: string]:
      | {
          eq?: string | number | boolean;
          ne?: string | number | boolean;
          gt?: string | number | boolean;
          gte?: string | number | boolean;
          lt?: string | number | boolean;
          lte?: string | number | boolean;
          /**
           * @maxItems 100
           */
          in?: (string | number | boolean)[];
        }
      | undefined;
  };
}
export interface ReportDerived {
  as: Name;
  expr: string;
  label?: Label;
  'x-i18n'?: I18N;
}
/**
 * A home dashboard for the holders of some roles: report widgets in order.
 */
export interface DashboardDefinition {
  label: Label;
  description?: Description;
  /**
   * Roles whose home this is ("admin" for tenant admins). A dashboard without roles is the fallback for everyone.
   *
   * @maxItems 100
   */
  roles?: Name[];
  /**
   * false: not anyone's home dashboard; its holders open it by name (/d/<name>, GET /api/dashboards/<name>) from the list under their home (default true).
   */
  home?: boolean;
  /**
   * @maxItems 50
   */
  widgets: DashboardWidget[];
  'x-i18n'?: I18N;
}
export interface DashboardWidget {
  report: Name;
  title?: Label;
  chart?: 'bar' | 'line' | 'pie' | 'funnel' | 'table';
  width?: 'half' | 'full';
  'x-i18n'?: I18N;
}
/**
 * A satisfaction survey customers answer through a signed single-use link (no sign-in). Each answer is saved as one record of `response.object` through the records engine, each question into its `field`, so reports and automation rules work on answers like on any record. Names of objects and fields are checked by the surveys section check.
 */
export interface SurveyDefinition {
  label: Label;
  description?: Description;
  object: Name13;
  /**
   * Shown above the questions
   */
  intro?: string;
  /**
   * Shown once the answer is saved
   */
  thanks?: string;
  /**
   * How long a link stays valid, an ISO-8601 duration of days or hours (default P14D, at most P365D)
   */
  expiresIn?: string;
  response: SurveyResponseMapping;
  /**
   * @minItems 1
   * @maxItems 20
   */
  questions: SurveyQuestion[];
  'x-i18n'?: I18N3;
  /**
   * The thanks text per locale: {"zh-CN": "谢谢"}
   */
  thanksI18n?: {
    [k: string]: string | undefined;
  };
}
export interface SurveyResponseMapping {
  object: Name14;
  about: Name15;
  contact?: Name16;
  survey?: Name17;
  /**
   * Response fields filled from the record the survey is about when the answer arrives: {response field: field of that record, or "owner"} (the case's agent and type, for reports)
   */
  copy?: {
    [k: string]: Name | undefined;
  };
}
export interface SurveyQuestion {
  id: Name;
  /**
   * rating: 1 to 5 stars; nps: 0 to 10 (how likely to recommend); choice: one of `choices`; text: free text
   */
  kind: 'rating' | 'nps' | 'choice' | 'text';
  label: Label;
  /**
   * An answer must give this question (default false)
   */
  required?: boolean;
  field: Name18;
  /**
   * choice: the options, their values those of the field's enum
   *
   * @minItems 2
   * @maxItems 20
   */
  choices?: SurveyChoice[];
  /**
   * text: the longest answer (default 2000)
   */
  maxLength?: number;
  'x-i18n'?: I18N;
}
export interface SurveyChoice {
  value: string;
  label: Label;
  'x-i18n'?: I18N;
}
/**
 * Translated labels per locale, e.g. {"zh-CN": {"title": "金额"}}.
 */
export interface I18N3 {
  [k: string]: I18NEntry | undefined;
}
/**
 * A public form (no sign-in) that creates one record of an object from the fields it exposes, at /f/<tenant>/<name> and POST /api/public/forms/<tenant>/<name>.
 */
export interface WebFormDefinition {
  label: Label;
  description?: Description;
  object: Name;
  /**
   * An inactive form answers 404 to the public.
   */
  active?: boolean;
  /**
   * The fields visitors see and may fill, in order. No other field can be written through the form.
   *
   * @minItems 1
   * @maxItems 50
   */
  fields: WebFormField[];
  /**
   * Fixed values written with every submission (e.g. source = web); visitors never see nor change them.
   */
  hidden?: {
    [k: string]: WebFormValue | undefined;
  };
  /**
   * Initial values of exposed fields; the visitor may change them.
   */
  defaults?: {
    [k: string]: WebFormValue | undefined;
  };
  /**
   * The user who owns the records the form creates and in whose name they are saved (their permissions apply). Absent: the tenant's first admin.
   */
  owner?: string;
  /**
   * Shown after a successful submission.
   */
  thankYou?: string;
  /**
   * Where the browser goes after a successful submission instead of the thank-you text (http or https).
   */
  redirectUrl?: string;
  submitLabel?: Label;
  /**
   * The page's accent colour (buttons, header line), e.g. #2563eb.
   */
  accentColor?: string;
  /**
   * Visitors' browsers solve a self-hosted ALTCHA proof-of-work challenge before a submission is accepted. Only turn it off for forms that must post without JavaScript.
   */
  proofOfWork?: boolean;
  limits?: WebFormLimits;
  /**
   * Translations per locale: label, description, thankYou, submitLabel.
   */
  'x-i18n'?: {
    [k: string]: WebFormI18NEntry | undefined;
  };
}
export interface WebFormField {
  field: Name;
  label?: Label;
  help?: Description;
  /**
   * Required on this form even when the object does not require it.
   */
  required?: boolean;
  'x-i18n'?: I18N;
}
export interface WebFormLimits {
  perIpPerHour?: number;
  perFormPerHour?: number;
}
export interface WebFormI18NEntry {
  label?: Label;
  description?: Description;
  thankYou?: string;
  submitLabel?: Label;
}
/**
 * A saved, named filter over one object's records (docs/analytics.md, Segments). Its members are computed in SQL over every live record (the filter may read roll-up fields and fields of related records through up to three lookups) and stored; a reader sees only the members inside their own row scope. Membership is refreshed on demand (POST /api/segments/:name/refresh) and, with `refresh.every`, on a schedule; each refresh records its count and emits "entered segment" / "left segment" to automation rules. Lists, reports, mail merge and automation `when` filters select members with the filter operator {"id": {"inSegment": "<name>"}} (or a lookup: {"account": {"inSegment": "<name>"}}).
 */
export interface SegmentDefinition {
  label: Label;
  description?: Description;
  object: Name;
  filter: Filter2;
  refresh?: SegmentRefresh;
  /**
   * Roles that may see and use the segment (absent: everyone who may read the object; admins always). Others get 404 for it and cannot filter by it.
   *
   * @maxItems 100
   */
  roles?: Name[];
  'x-i18n'?: I18N;
}
/**
 * The filter language of the records API: {field: {operator: value}}, {and: [...]}, {or: [...]}; a lookup's fields with dots ("account.name"; records lists follow two lookups, reports and aggregates three).
 */
export interface Filter2 {
  /**
   * @maxItems 50
   */
  and?: Filter[];
  /**
   * @maxItems 50
   */
  or?: Filter[];
  [k: string]: FilterCondition | Filter[] | undefined;
}
/**
 * When membership is recomputed. Absent or {"mode": "manual"}: only on demand. {"mode": "schedule", "every": …}: also by the scheduler.
 */
export interface SegmentRefresh {
  mode: 'manual' | 'schedule';
  /**
   * schedule: a five-field cron expression (UTC) or an ISO-8601 duration of weeks, days, hours, minutes ("P1D", "PT6H"), as automation schedules.
   */
  every?: string;
}
