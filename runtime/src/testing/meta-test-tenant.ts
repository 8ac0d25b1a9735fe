import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { type Ctx, ADMIN_ROLE } from '../ctx';
import { connectDb } from '../db/connect-db';
import { createRuntime, type Runtime } from '../create-runtime';
import type { DeepPartial, RuntimeConfig } from '../config';

export interface MetaTestTenant {
  runtime: Runtime;
  tenant: string;
  schema: string;
  /** The tenant's first admin, acting through the connection pool. */
  ctx: Ctx;
  /** Rows of a query in the tenant's schema. */
  rows<T = Record<string, unknown>>(sql: string, bindings?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/** A runtime over the test database with one fresh tenant (for runtime-level metadata tests). */
export async function metaTestTenant(
  prefix = 'meta',
  config: DeepPartial<RuntimeConfig> = {},
  runtime?: Runtime,
): Promise<MetaTestTenant> {
  const rt = runtime ?? createRuntime({ db: connectDb({ url: inject('databaseUrl'), poolMax: 6 }), config });
  if (!runtime) await rt.migrate();
  const tenant = `${prefix}_${randomBytes(4).toString('hex')}`;
  const { admin } = await rt.tenants.create({
    id: tenant,
    name: tenant,
    admin: { email: `admin@${tenant}.test`, password: 'correct horse battery', name: 'Admin' },
  });
  const schema = `t_${tenant}`;
  const ctx: Ctx = {
    tenant,
    schema,
    user: { id: admin.id, email: admin.email, name: admin.name, roles: [ADMIN_ROLE], manager: null, locale: null },
    isAdmin: true,
    db: rt.db,
  };
  return {
    runtime: rt,
    tenant,
    schema,
    ctx,
    async rows(sql, bindings = []) {
      await rt.db.raw('select 1');
      return (await rt.db.raw(sql.replaceAll('$schema', `"${schema}"`), bindings as never)).rows;
    },
    async close() {
      await rt.tenants.delete(tenant).catch(() => undefined);
      if (!runtime) await rt.close();
    },
  };
}
