import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileFromFile } from 'json-schema-to-typescript';

/** Where the JSON Schema files (the source of truth of the metadata language) live. */
export const SCHEMAS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../schemas');
export const GENERATED_TYPES_FILE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  'generated/metadata-types.ts',
);
/** HTTP answer shapes the web app reads (schemas/api.schema.json), imported as `@forma/metadata/api-types`. */
export const GENERATED_API_TYPES_FILE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  'generated/api-types.ts',
);

const BANNER = `/* eslint-disable */
/**
 * Generated from metadata/schemas/*.json by json-schema-to-typescript.
 * Do not edit: change the schema files and run \`npm run gen:types -w @forma/metadata\`.
 */`;

const OPTIONS = {
  cwd: SCHEMAS_DIR,
  bannerComment: '',
  declareExternallyReferenced: true,
  additionalProperties: false,
  strictIndexSignatures: true,
  unknownAny: true,
  ignoreMinAndMaxItems: true,
  format: true,
  style: { singleQuote: true, printWidth: 120, trailingComma: 'all' as const },
};

/** TypeScript types of metadata documents, generated from the schema files. */
export async function generateTypes(): Promise<string> {
  const options = OPTIONS;
  // The template document references every other schema, so one compilation declares them all once.
  const body = await compileFromFile(path.join(SCHEMAS_DIR, 'template.schema.json'), options);
  return `${BANNER}\n\n${body}`;
}

/** TypeScript types of the HTTP answers in schemas/api.schema.json. */
export async function generateApiTypes(): Promise<string> {
  const body = await compileFromFile(path.join(SCHEMAS_DIR, 'api.schema.json'), OPTIONS);
  return `${BANNER}\n\n${body}`;
}
