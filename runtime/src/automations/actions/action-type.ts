import type { MetadataIssueCode } from '@forma/metadata';
import type { Model, ObjectModel } from '../../model/load-model';
import type { RecordData } from '../../scripts';
import type { ActionRun, ActionServices } from '../run-actions';

/** What an action's check sees: the rule's object and model, and ways to report and compile. */
export interface ActionCheck {
  model: Model;
  object: ObjectModel;
  /** The action's JSON path inside the rule (`/actions/2`). */
  path: string;
  /**
   * Reports a problem: English words, and optionally a metadata issue code with its facts so the
   * designer can say it in the admin's language (api.schema.json `metadataIssueCode`).
   */
  add(path: string, message: string, code?: MetadataIssueCode, params?: Record<string, string | number>): void;
  /** Compiles a sandboxed expression, reporting a problem at `path`. */
  expression(expression: string, path: string): void;
  /** Print templates of the rule's object. */
  templates: ReadonlySet<string>;
}

/** One action's run on one record. */
export interface ActionStep {
  services: ActionServices;
  run: ActionRun;
  /** The record as the previous actions left it. */
  record: RecordData;
  /** Renders a Handlebars message over the record, the old record and the rule's label. */
  render(text: string): string;
  /** The same, with lookups shown as the labels of the records they point at (texts people read). */
  renderNamed(text: string): Promise<string>;
}

/** What an action did: its summary on the run (`type` added), and the record when it changed it. */
export interface ActionResult {
  summary: Record<string, unknown>;
  record?: RecordData;
}

/**
 * One kind of automation action: how the section check validates it and how a rule's run executes
 * it. Core kinds live in this folder (one module each); plugins register more through
 * `automationActions` of their definition.
 */
// biome-ignore lint/suspicious/noExplicitAny: each action kind has its own shape
export interface AutomationActionType<A extends { type: string } = any> {
  type: string;
  /**
   * JSON Schema of the action's properties besides `type` (an object schema); checked when a rule is
   * saved. Core kinds are described in metadata/schemas/automation.schema.json instead.
   */
  schema?: Record<string, unknown>;
  /**
   * true when everything the action does stays in the run's database transaction, so a test run
   * (`POST /api/automations/dry-run`, rolled back) may really run it; other kinds are only described.
   */
  transactional?: boolean;
  /** Checks what the action names against the model (fields, scripts, templates…). */
  check?(action: A, check: ActionCheck): void;
  /** Runs in the rule's savepoint as the tenant's system identity; throwing fails (and undoes) the run. */
  run(action: A, step: ActionStep): Promise<ActionResult>;
}
