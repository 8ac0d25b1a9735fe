import Ajv2020, { type Options, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import automationSchema from '../schemas/automation.schema.json';
import commonSchema from '../schemas/common.schema.json';
import dashboardSchema from '../schemas/dashboard.schema.json';
import documentSchema from '../schemas/document.schema.json';
import fieldSchema from '../schemas/field.schema.json';
import formSchema from '../schemas/form.schema.json';
import objectSchema from '../schemas/object.schema.json';
import reportSchema from '../schemas/report.schema.json';
import roleSchema from '../schemas/role.schema.json';
import scriptSchema from '../schemas/script.schema.json';
import segmentSchema from '../schemas/segment.schema.json';
import surveySchema from '../schemas/survey.schema.json';
import templateSchema from '../schemas/template.schema.json';
import viewSchema from '../schemas/view.schema.json';
import webFormSchema from '../schemas/web-form.schema.json';
import workflowSchema from '../schemas/workflow.schema.json';
import { fieldKinds, fieldKindsRevision } from './field-kinds';

/** The schema files, by the name of the metadata section (or unit) each describes. */
export const META_SCHEMAS = {
  common: commonSchema,
  field: fieldSchema,
  object: objectSchema,
  role: roleSchema,
  workflow: workflowSchema,
  script: scriptSchema,
  form: formSchema,
  view: viewSchema,
  automation: automationSchema,
  report: reportSchema,
  dashboard: dashboardSchema,
  survey: surveySchema,
  webForm: webFormSchema,
  segment: segmentSchema,
  document: documentSchema,
  template: templateSchema,
} as const;

export type MetaSchemaName = keyof typeof META_SCHEMAS;

/** How every meta-schema is compiled; the options are part of what a compiled validator is. */
export const META_AJV_OPTIONS: Options = { allErrors: true, strict: true, allowUnionTypes: true };

/**
 * The meta-schemas as they stand: the field schema takes the `x-` keywords of the registered field
 * kinds, so those keywords become valid in field definitions.
 */
function metaSchemaList(): Array<{ $id: string }> {
  const extra: Record<string, unknown> = {};
  for (const k of fieldKinds()) Object.assign(extra, k.extraKeywords ?? {});
  const field = { ...fieldSchema, properties: { ...fieldSchema.properties, ...extra } };
  return Object.entries(META_SCHEMAS).map(([name, schema]) => (name === 'field' ? field : schema));
}

let cached: { revision: number; ajv: Ajv2020 } | undefined;

/**
 * One ajv (draft 2020-12) holding every meta-schema. Rebuilt when a plugin registers a field kind
 * with its own `x-` keywords, so those keywords become valid in field definitions.
 */
export function metaAjv(): Ajv2020 {
  const revision = fieldKindsRevision();
  if (cached?.revision === revision) return cached.ajv;
  const ajv = addFormats(new Ajv2020(META_AJV_OPTIONS));
  for (const schema of metaSchemaList()) ajv.addSchema(schema);
  cached = { revision, ajv };
  return ajv;
}

/**
 * Builds the validators of a set of meta-schemas (ajv with `options`), by schema `$id`: the same
 * functions `metaAjv().getSchema` compiles, from somewhere else.
 */
export type MetaValidatorSource = (
  schemas: ReadonlyArray<{ $id: string }>,
  options: Options,
) => (id: string) => ValidateFunction | undefined;

let source: MetaValidatorSource | undefined;
let fromSource: { revision: number; get: (id: string) => ValidateFunction | undefined } | undefined;

/**
 * Where the meta-schema validators come from instead of compiling them in this process (test
 * support keeps them as code on disk: compiling them cost every test process most of a second).
 * `undefined` compiles them here again.
 */
export function setMetaValidatorSource(s: MetaValidatorSource | undefined): void {
  source = s;
  fromSource = undefined;
}

/** The validator of one meta-schema. */
export function metaValidator(name: MetaSchemaName): ValidateFunction | undefined {
  if (!source) return metaAjv().getSchema(metaSchemaId(name));
  const revision = fieldKindsRevision();
  if (fromSource?.revision !== revision) fromSource = { revision, get: source(metaSchemaList(), META_AJV_OPTIONS) };
  return fromSource.get(metaSchemaId(name));
}

export function metaSchemaId(name: MetaSchemaName): string {
  return META_SCHEMAS[name].$id;
}
