import { type ScriptEngine, type ScriptHost, forbidden, notFound } from '@forma/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectHealthy, failureOf, runAction, startEngine, waitFor } from './sandbox-fixture';

const TENANT = 'sbx_query';
let engine: ScriptEngine;
const seen: unknown[][] = [];

/** A host that, like the records engine, lets the user read `deal` but not `salary`. */
const host: ScriptHost = {
  async query(object, filter, options) {
    seen.push([object, filter, options]);
    if (object === 'salary') throw forbidden('You may not read salary records');
    if (object === 'ghost') throw notFound('Unknown object ghost');
    if (object === 'broken') throw new Error('connection terminated: password=hunter2 host=db.internal');
    if (object === 'huge') return Array.from({ length: 200 }, (_, i) => ({ id: i, text: 'x'.repeat(10_000) }));
    return [{ id: 'd1', amount: 10 }];
  },
};

beforeAll(async () => {
  engine = await startEngine({ timeoutMs: 1000, maxQueryChars: 100_000 });
});
afterAll(() => engine?.close());

const run = (code: string) => runAction(engine, TENANT, code, { host });

describe('query() and permissions', () => {
  it('a script querying records it may not read gets the refusal, never the rows', async () => {
    const e = await failureOf(run("const rows = await query('salary', {});\nreturn rows;"));
    expect(e.message).toBe(
      'Script "hostile" failed at line 1, column 20: Error: query(\'salary\'): You may not read salary records',
    );
    expect(e.details).toMatchObject({ reason: 'error', line: 1 });
    await expectHealthy(engine, TENANT);
  });

  it('the refusal can be caught and handled by the script', async () => {
    expect(await run("try { await query('ghost', {}); } catch (e) { return 'handled: ' + e.message; }")).toBe(
      "handled: query('ghost'): Unknown object ghost",
    );
  });

  it('a host failure does not leak its details into the script', async () => {
    const r = (await run("try { await query('broken', {}); } catch (e) { return e.message; }")) as string;
    expect(r).toBe("query('broken'): the query failed");
  });

  it.each([
    ['SQL in the object name', "query('deal; drop table deal', {})"],
    ['a quoted identifier', 'query(\'"deal"\', {})'],
    ['a schema-qualified name', "query('t_other.deal', {})"],
    ['a non-string object', 'query({ toString() { return "deal"; } }, {})'],
  ])('%s is refused before reaching the host', async (_label, call) => {
    const before = seen.length;
    const r = (await run(`try { await ${call}; return 'ran'; } catch (e) { return e.message; }`)) as string;
    expect(r).toMatch(/object must be an object name/);
    expect(seen.length).toBe(before);
  });

  it('filters reach the host as plain data, whatever they contain', async () => {
    await run("await query('deal', { name: { eq: \"x'; drop table deal; --\" }, __proto__: { admin: true } });");
    const [, filter] = seen.at(-1)!;
    expect(filter).toEqual({ name: { eq: "x'; drop table deal; --" } });
    expect(Object.getPrototypeOf(filter)).toBe(Object.prototype);
    expect((filter as Record<string, unknown>).admin).toBeUndefined();
  });

  it('refuses a result too large to bring into the sandbox', async () => {
    const r = (await run("try { await query('huge', {}, { limit: 200 }); } catch (e) { return e.message; }")) as string;
    expect(r).toMatch(/larger than 100000 characters/);
  });

  it('a query started after its call has ended never reaches the host', async () => {
    const before = seen.length;
    // The continuation would query again once the first answer arrives, after the call returned.
    await run("query('deal', {}).then(() => query('salary', {}));\nreturn 1;");
    // The first query has been answered, and a later call of the tenant ran in the same isolate:
    // whatever the continuation could do, it has had its chance.
    await waitFor(() => seen.length > before);
    expect(await run('return 2;')).toBe(2);
    expect(seen.slice(before).map(([object]) => object)).toEqual(['deal']);
  });
});
