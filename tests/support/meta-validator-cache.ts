import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MetaValidatorSource } from '@forma/metadata';
import { _ } from 'ajv';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import standaloneCode from 'ajv/dist/standalone';
import addFormats from 'ajv-formats';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Where the test run keeps compiled meta-schema validators (a clean clone starts without). */
export const META_VALIDATOR_CACHE_DIR = path.join(ROOT, 'node_modules/.cache/forma-test/meta-validators');

const versions = ['ajv', 'ajv-formats'].map((p) => `${p}@${require(`${p}/package.json`).version}`);

/**
 * The meta-schema validators as ajv standalone code in a file named by the hash of what produced
 * it (the schemas with the registered field kinds' keywords, ajv's options and versions): the first
 * test process to need a set compiles and writes it, every later one loads the code instead of
 * compiling (most of a second of CPU per test file). The code is what ajv compiles in memory,
 * so the checks and their errors are the same (tests/api/meta-validator-cache.test.ts).
 */
export function diskCachedMetaValidators(dir = META_VALIDATOR_CACHE_DIR): MetaValidatorSource {
  return (schemas, options) => {
    const key = createHash('sha256').update(JSON.stringify({ versions, options, schemas })).digest('hex');
    const file = path.join(dir, `${key.slice(0, 32)}.cjs`);
    let code: string;
    try {
      code = fs.readFileSync(file, 'utf8');
    } catch {
      const ajv = addFormats(
        new Ajv2020({
          ...options,
          code: { source: true, formats: _`require("ajv-formats/dist/formats").fullFormats` },
        }),
      );
      for (const schema of schemas) ajv.addSchema(schema);
      code = standaloneCode(ajv, Object.fromEntries(schemas.map((s) => [s.$id, s.$id])));
      // Whole or not at all: parallel test processes may write the same file at once.
      fs.mkdirSync(dir, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, code);
      fs.renameSync(tmp, file);
    }
    const mod = { exports: {} as Record<string, ValidateFunction> };
    new Function('module', 'exports', 'require', code)(mod, mod.exports, require);
    return (id) => mod.exports[id];
  };
}
