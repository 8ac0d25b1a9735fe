import { coreAutomationActionSchemas, issuesFromAjv, type MetadataIssue } from '@forma/metadata';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { AutomationActionType } from './action-type';
import { createAction } from './create';
import { documentAction } from './document';
import { emailAction } from './email';
import { notifyAction } from './notify';
import { scriptAction } from './script';
import { sendSurveyAction } from './send-survey';
import { setAction } from './set';
import { webhookAction } from './webhook';

const CORE: readonly AutomationActionType[] = [
  setAction,
  createAction,
  notifyAction,
  emailAction,
  scriptAction,
  documentAction,
  webhookAction,
  sendSurveyAction,
];
const TYPE_NAME = /^[a-z][a-z0-9_]{0,39}$/;
const ajv = addFormats(new Ajv2020({ allErrors: true, strict: false }));
// Core kinds are described in automation.schema.json, except those that bring their own `schema`.
const registry = new Map<string, { type: AutomationActionType; validate?: ValidateFunction }>(
  CORE.map((t) => [t.type, { type: t, ...(t.schema ? { validate: compileShape(t.schema) } : {}) }]),
);

/**
 * Adds an automation action kind (plugins, through `automationActions`); returns its removal. A
 * taken name is refused; a `schema` must compile (it checks the action's other properties).
 */
export function registerAutomationAction(type: AutomationActionType): () => void {
  if (!TYPE_NAME.test(type.type)) throw new Error(`Automation action "${type.type}" must match ${TYPE_NAME}`);
  if (registry.has(type.type)) throw new Error(`Automation action "${type.type}" is already registered`);
  if (typeof type.run !== 'function') throw new Error(`Automation action "${type.type}" needs run`);
  const validate = type.schema ? compileShape(type.schema) : undefined;
  const entry = { type, ...(validate ? { validate } : {}) };
  registry.set(type.type, entry);
  return () => {
    if (registry.get(type.type) === entry) registry.delete(type.type);
  };
}

export function automationAction(type: string): AutomationActionType | undefined {
  return registry.get(type)?.type;
}

/** Problems of an action's shape against its kind's `schema` (plugin kinds), as `[path, message]`. */
export function actionShapeProblems(action: { type: string }): MetadataIssue[] {
  const validate = registry.get(action.type)?.validate;
  if (!validate || validate(action)) return [];
  // The schema keywords' codes (required, unknown_property, one_of, …), as for any metadata document.
  return issuesFromAjv(validate.errors);
}

export function automationActions(): AutomationActionType[] {
  return [...registry.values()].map((e) => e.type);
}

export type ActionTypeInfo = {
  type: string;
  /** A core kind (else a plugin registered it). */
  core: boolean;
  /** Whether a test run really runs it (its effects stay in the database transaction). */
  transactional: boolean;
  /** JSON Schema of the action's properties besides `type`: what a designer draws its form from. */
  schema: Record<string, unknown>;
};

/** Every registered action kind as data (`GET /api/automations/action-types`), core kinds first. */
export function automationActionCatalog(): ActionTypeInfo[] {
  const core = coreAutomationActionSchemas();
  return [...registry.values()].map(({ type }) => ({
    type: type.type,
    core: CORE.includes(type),
    transactional: type.transactional === true,
    // Core kinds without their own `schema` are described by their branch of automation.schema.json.
    schema: type.schema ? { type: 'object', ...type.schema } : (core[type.type] ?? { type: 'object' }),
  }));
}

function compileShape(schema: Record<string, unknown>): ValidateFunction {
  return ajv.compile({
    ...schema,
    type: 'object',
    properties: { ...((schema.properties as object | undefined) ?? {}), type: true },
  });
}
