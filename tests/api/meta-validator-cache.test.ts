/**
 * Test processes load the meta-schema validators as code a previous process wrote
 * (tests/support/meta-validator-cache.ts). That code must check exactly what ajv compiled in memory
 * checks, with the same errors, in the same order: compared here over the industry templates and
 * many broken variants of them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type MetaSchemaName, metaAjv, metaSchemaId, metaValidator, setMetaValidatorSource } from '@forma/metadata';
import { afterAll, describe, expect, it } from 'vitest';
import { membershipTemplate } from '../../plugins/core-crm/src/templates/membership';
import { productSalesTemplate } from '../../plugins/core-crm/src/templates/product-sales';
import { projectSalesTemplate } from '../../plugins/core-crm/src/templates/project-sales';
import Fastify from 'fastify';
import { installErrorHandling } from '../../platform/src/http/error-handler';
import { installValidators, setRouteValidatorSource } from '../../platform/src/http/validator-compiler';
import { diskCachedMetaValidators, diskCachedRouteValidators } from '../support/meta-validator-cache';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'forma-meta-validators-'));
afterAll(() => {
  setMetaValidatorSource(undefined);
  setRouteValidatorSource(undefined);
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Broken copies of a value: each one wrong in one place (an unknown key, a wrong type, a key gone). */
function variants(value: unknown, limit: number): unknown[] {
  const out: unknown[] = [];
  const walk = (node: unknown, edit: (replace: (v: unknown) => unknown) => unknown): void => {
    if (out.length >= limit || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      node.forEach((item, i) => {
        walk(item, (r) => edit((arr) => (arr as unknown[]).map((x, j) => (j === i ? r(x) : x))));
      });
      return;
    }
    const keys = Object.keys(node);
    out.push(edit((o) => ({ ...(o as object), 'x-bogus': 1, Bad_Name: {} })));
    for (const k of keys) {
      if (out.length >= limit) return;
      const v = (node as Record<string, unknown>)[k];
      out.push(edit((o) => ({ ...(o as object), [k]: typeof v === 'string' ? 42 : 'text' })));
      out.push(
        edit((o) => {
          const { [k]: _gone, ...rest } = o as Record<string, unknown>;
          return rest;
        }),
      );
      walk(v, (r) => edit((o) => ({ ...(o as object), [k]: r((o as Record<string, unknown>)[k]) })));
    }
  };
  walk(value, (replace) => replace(structuredClone(value)));
  return out;
}

const TEMPLATES = [productSalesTemplate(), projectSalesTemplate(), membershipTemplate()];
const CASES: Array<[MetaSchemaName, unknown]> = [];
for (const t of TEMPLATES) {
  CASES.push(['template', t], ['document', t.document]);
  for (const v of variants(t.document, 80)) CASES.push(['document', v]);
  for (const def of Object.values(t.document.objects ?? {}).slice(0, 2)) {
    CASES.push(['object', def]);
    for (const v of variants(def, 20)) CASES.push(['object', v]);
  }
}

describe('meta-schema validators kept as code on disk', () => {
  it('are written once, then loaded', () => {
    setMetaValidatorSource(diskCachedMetaValidators(dir));
    expect(metaValidator('document')).toBeTypeOf('function');
    const files = fs.readdirSync(dir);
    expect(files).toHaveLength(1);
    // The next process (a new source here) runs the file instead of compiling: a planted stand-in shows it.
    const file = path.join(dir, files[0] as string);
    fs.appendFileSync(file, `\nmodule.exports[${JSON.stringify(metaSchemaId('document'))}] = () => 'from disk';\n`);
    setMetaValidatorSource(diskCachedMetaValidators(dir));
    expect((metaValidator('document') as unknown as () => string)()).toBe('from disk');
    fs.rmSync(file);
  });

  it('check and refuse exactly like the validators ajv compiles in memory', () => {
    setMetaValidatorSource(diskCachedMetaValidators(dir));
    let refused = 0;
    for (const [name, value] of CASES) {
      const compiled = metaAjv().getSchema(metaSchemaId(name));
      const loaded = metaValidator(name);
      if (!compiled || !loaded) throw new Error(`no validator for ${name}`);
      const a = compiled(value);
      const b = loaded(value);
      expect({ name, valid: b, errors: loaded.errors }).toEqual({ name, valid: a, errors: compiled.errors });
      if (!a) refused++;
    }
    // The comparison covers refusals, not just documents that pass.
    expect(refused).toBeGreaterThan(CASES.length / 2);
  });
});

/** A route with every kind of check the API's routes use: formats, coercion, defaults, unknown keys. */
const ROUTE = {
  params: { type: 'object', properties: { n: { type: 'integer', minimum: 1 } }, required: ['n'] },
  querystring: {
    type: 'object',
    properties: {
      tags: { type: 'array', items: { type: 'string', enum: ['a', 'b'] } },
      since: { type: 'string', format: 'date-time' },
      limit: { type: 'integer', default: 10, maximum: 100 },
    },
    additionalProperties: false,
  },
  body: {
    type: 'object',
    properties: {
      id: { type: 'string', format: 'uuid' },
      email: { type: 'string', format: 'email' },
      on: { type: 'string', format: 'date' },
      url: { type: 'string', format: 'uri' },
      lines: {
        type: 'array',
        maxItems: 2,
        items: { type: 'object', properties: { q: { type: 'number' } }, required: ['q'] },
      },
      kind: { anyOf: [{ type: 'string', maxLength: 3 }, { type: 'null' }] },
      stage: { type: 'string', default: 'new' },
    },
    required: ['id'],
    additionalProperties: false,
  },
};

const ROUTE_REQUESTS = [
  { url: '/r/3?tags=a&limit=5', payload: { id: '00000000-0000-4000-8000-000000000000' } },
  { url: '/r/3?tags=a&tags=c&since=yesterday', payload: { id: 'x', email: 'nope', on: '2026-13-01' } },
  { url: '/r/0?limit=1000&other=1', payload: { email: 'a@example.com', url: 'not a uri', kind: 'long' } },
  { url: '/r/x', payload: { id: '00000000-0000-4000-8000-000000000000', lines: [{}, { q: '2' }, { q: 1 }], more: 1 } },
  { url: '/r/2?since=2026-12-08T01:00:00Z', payload: { id: '00000000-0000-4000-8000-000000000000', kind: null } },
];

describe('route validators kept as code on disk', () => {
  it('answer every request exactly like validators ajv compiles in memory', async () => {
    const answers: unknown[][] = [];
    for (const fromDisk of [false, true]) {
      setRouteValidatorSource(fromDisk ? diskCachedRouteValidators(dir) : undefined);
      const app = Fastify();
      installValidators(app, { lazy: true });
      installErrorHandling(app);
      app.post('/r/:n', { schema: ROUTE }, async (r) => ({ params: r.params, query: r.query, body: r.body }));
      const got: unknown[] = [];
      for (const req of ROUTE_REQUESTS) {
        const res = await app.inject({ method: 'POST', ...req });
        got.push({ url: req.url, status: res.statusCode, body: res.json() });
      }
      answers.push(got);
      await app.close();
    }
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[0]?.map((a) => (a as { status: number }).status)).toEqual([200, 400, 400, 400, 200]);
    // Kept as code: a file for each of the three route parts, besides the meta-schemas.
    expect(fs.readdirSync(dir).length).toBeGreaterThanOrEqual(3);
  });
});
