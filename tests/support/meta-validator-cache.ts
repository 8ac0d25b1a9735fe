import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MetaValidatorSource } from '@forma/metadata';
import Ajv, { _, type ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import standaloneCode from 'ajv/dist/standalone';
import addFormats from 'ajv-formats';
import type { RouteValidatorSource } from '../../platform/src/http/validator-compiler';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Where the test run keeps compiled validators (a clean clone starts without). */
export const VALIDATOR_CACHE_DIR = path.join(ROOT, 'node_modules/.cache/forma-test/validators');

const versions = ['ajv', 'ajv-formats'].map((p) => `${p}@${require(`${p}/package.json`).version}`);

/** Generated code refers to the formats of ajv-formats by name, as `addFormats` registers them all. */
const code = { source: true, formats: _`require("ajv-formats/dist/formats").fullFormats` };

/**
 * The exports of ajv standalone code kept in a file named by the hash of what produced it (the
 * schemas, ajv's options and versions): the first test process to need it compiles and writes it,
 * every later one runs the code instead of compiling. The code is what ajv compiles in memory, so
 * the checks and their errors are the same (tests/api/meta-validator-cache.test.ts).
 */
function standalone(dir: string, produced: unknown, generate: () => string): Record<string, ValidateFunction> {
  const key = createHash('sha256').update(JSON.stringify({ versions, produced })).digest('hex');
  const file = path.join(dir, `${key.slice(0, 32)}.cjs`);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    text = generate();
    // Whole or not at all: parallel test processes may write the same file at once.
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(tmp, text);
      fs.renameSync(tmp, file);
    } catch {
      // A directory that cannot be written (a read-only checkout) only costs the next process a compile.
      fs.rmSync(tmp, { force: true });
    }
  }
  const mod = { exports: {} as Record<string, ValidateFunction> };
  new Function('module', 'exports', 'require', text)(mod, mod.exports, require);
  return mod.exports;
}

/**
 * The meta-schema validators (most of a second of CPU to compile, in every test file that checks
 * metadata).
 */
export function diskCachedMetaValidators(dir = VALIDATOR_CACHE_DIR): MetaValidatorSource {
  return (schemas, options) => {
    const validators = standalone(dir, { meta: schemas, options }, () => {
      const ajv = addFormats(new Ajv2020({ ...options, code }));
      for (const schema of schemas) ajv.addSchema(schema);
      return standaloneCode(ajv, Object.fromEntries(schemas.map((s) => [s.$id, s.$id])));
    });
    return (id) => validators[id];
  };
}

/** Route validators (the metadata routes' bodies are large: a few hundred ms each to compile). */
export function diskCachedRouteValidators(dir = VALIDATOR_CACHE_DIR): RouteValidatorSource {
  return (schema, options) =>
    // The module is the function itself (`module.exports = validate`).
    standalone(dir, { route: schema, options }, () => {
      const ajv = addFormats(new Ajv({ ...options, code }));
      return standaloneCode(ajv, ajv.compile(schema));
    }) as unknown as ValidateFunction;
}
