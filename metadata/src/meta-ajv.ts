import Ajv2020 from 'ajv/dist/2020';
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

let cached: { revision: number; ajv: Ajv2020 } | undefined;

/**
 * One ajv (draft 2020-12) holding every meta-schema. Rebuilt when a plugin registers a field kind
 * with its own `x-` keywords, so those keywords become valid in field definitions.
 */
export function metaAjv(): Ajv2020 {
  const revision = fieldKindsRevision();
  if (cached?.revision === revision) return cached.ajv;
  const extra: Record<string, unknown> = {};
  for (const k of fieldKinds()) Object.assign(extra, k.extraKeywords ?? {});
  const field = { ...fieldSchema, properties: { ...fieldSchema.properties, ...extra } };
  const ajv = addFormats(new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true }));
  for (const [name, schema] of Object.entries(META_SCHEMAS)) ajv.addSchema(name === 'field' ? field : schema);
  cached = { revision, ajv };
  return ajv;
}

export function metaSchemaId(name: MetaSchemaName): string {
  return META_SCHEMAS[name].$id;
}
