import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestTenant } from '../support';
import { STABLE_ID, TenantComparison } from '../support/tenant-compare';

/**
 * The test support's copies of template tenants (tests/support/tenant-clone.ts) are what most files
 * start from, so a copy must be indistinguishable from a tenant the template was applied to through
 * the API: the same catalog (tables, columns, defaults, constraints, indexes, sequences, triggers,
 * functions), the same rows, the platform's row, and the same answers over HTTP.
 */
const cmp = new TenantComparison();
const { rows, catalog, contents } = cmp;
let applied: TestTenant;
let copy: TestTenant;

beforeAll(async () => {
  await cmp.start();
  applied = await cmp.tenant({ prefix: 'cpapply', template: 'core-crm', sampleData: true, copy: false });
  copy = await cmp.tenant({ prefix: 'cpcopy', template: 'core-crm', sampleData: true });
}, 600_000);
afterAll(() => cmp.close());

describe('a copied template tenant', () => {
  it('has the catalog of a tenant the template was applied to', async () => {
    const [a, c] = [await catalog(applied), await catalog(copy)];
    expect(a.columns.length).toBeGreaterThan(300);
    expect(a.constraints.length).toBeGreaterThan(100);
    expect(a.triggers.length).toBeGreaterThan(0);
    expect(c).toEqual(a);
  });

  it('holds the same rows, sequences and meta-data', async () => {
    const [a, c] = [await contents(applied), await contents(copy)];
    expect(Object.values(a.counts).reduce((s, n) => s + n, 0)).toBeGreaterThan(100);
    expect(c).toEqual(a);
    const meta = async (t: TestTenant) =>
      JSON.parse(JSON.stringify((await t.api.get('/api/meta')).body).replace(STABLE_ID, 'FID'));
    expect(await meta(copy)).toEqual(await meta(applied));
    const names = async (t: TestTenant, object: string) =>
      ((await t.api.get(`/api/records/${object}`, { query: { limit: 200 } })).body.items as Array<{ name: string }>)
        .map((r) => r.name)
        .sort();
    for (const object of ['account', 'deal', 'contact']) {
      expect((await names(copy, object)).length, object).toBeGreaterThan(2);
      expect(await names(copy, object), object).toEqual(await names(applied, object));
    }
  });

  it('is its own tenant: platform row, users, sign-in, and no trace of the tenant it was copied from', async () => {
    const [row] = await rows('select name, schema_name, status, settings from platform.tenants where id = ?', [
      copy.id,
    ]);
    expect(row).toMatchObject({ name: `Test ${copy.id}`, schema_name: `t_${copy.id}`, status: 'active' });
    const users = (await copy.api.get('/api/users', { query: { limit: 100 } })).body.items as Array<{ email: string }>;
    expect(users.map((u) => u.email)).toContain(copy.admin.email);
    expect(users.map((u) => u.email)).toEqual(
      ((await applied.api.get('/api/users', { query: { limit: 100 } })).body.items as Array<{ email: string }>).map(
        (u) => u.email.replace(applied.id, copy.id),
      ),
    );
    // A sample user signs in to the copy with the demo password.
    const rep = await copy.login('rep1@demo.test', 'forma-demo');
    expect((await rep.get('/api/records/deal')).status).toBe(200);
    const leftovers = await rows(
      `select 1 from platform.tenants t where t.id = ? and exists (
         select 1 from ??._users u where u.email like '%tplcopy%')`,
      [copy.id, `t_${copy.id}`],
    );
    expect(leftovers).toEqual([]);
  });

  it('is copied once per file: a second tenant of the kind is applied, with ids of its own', async () => {
    const second = await cmp.tenant({ prefix: 'cpsecond', template: 'core-crm', sampleData: true });
    const ids = async (t: TestTenant) =>
      ((await t.api.get('/api/records/account', { query: { limit: 200 } })).body.items as Array<{ id: string }>).map(
        (r) => r.id,
      );
    const [mine, theirs] = [await ids(second), await ids(copy)];
    expect(mine.length).toBeGreaterThan(2);
    expect(mine.filter((id) => theirs.includes(id))).toEqual([]);
  }, 600_000);
});
