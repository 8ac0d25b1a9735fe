import { AUTH_CHANNEL } from '../auth/session-notify-migration';
import type { Knex } from 'knex';
import { type Ctx, ADMIN_ROLE, isAdminUser } from '../ctx';
import { badRequest, conflict, notFound, validationFailed } from '../errors';
import { runMigrations } from '../db/run-migrations';
import { isTenantId, PLATFORM_SCHEMA, TENANT_ID, tenantSchema } from '../model/naming';
import { toSessionUser, type PublicUser } from '../users/user-row';
import type { UserService } from '../users/user-service';
import { TenantSchemaScript } from './schema-script';
import { tenantMigrations } from './tenant-migrations';

export interface NewTenant {
  id: string;
  name: string;
  admin: { email: string; password: string; name: string };
  template?: string;
  sampleData?: boolean;
}

export interface TenantRow {
  id: string;
  name: string;
  schema_name: string;
  status: string;
  created_at: Date;
}

/** What runs when a tenant has been created: template application, plugins' tenant-created hooks. */
export type TenantCreatedHook = (ctx: Ctx, input: NewTenant) => Promise<void>;

/** What tenant creation needs of the template registry: the names it accepts, and applying one. */
export interface TenantTemplates {
  names(): string[];
  onTenantCreated: TenantCreatedHook;
}

export class TenantService {
  /** Plugins' tenant-created hooks, run after the template is applied. */
  readonly createdHooks: TenantCreatedHook[] = [];
  /**
   * How a new tenant's system tables are made: `script`, the migrations' recorded text in one round
   * trip (schema-script.ts), or `migrations`, each migration's statements one by one as before (the
   * test proving the two make the same tenant uses both).
   */
  provisioning: 'script' | 'migrations' = 'script';
  private readonly schemaScript: TenantSchemaScript;

  constructor(
    private readonly db: Knex,
    private readonly users: Pick<UserService, 'insert'>,
    private readonly templates: TenantTemplates,
  ) {
    this.schemaScript = new TenantSchemaScript(db, tenantMigrations);
  }

  /** Names of the templates `create` accepts. */
  templateNames(): string[] {
    return this.templates.names();
  }

  async list(): Promise<TenantRow[]> {
    return this.db.withSchema(PLATFORM_SCHEMA).from('tenants').select('*').orderBy('id');
  }

  async get(id: string): Promise<TenantRow> {
    const row = isTenantId(id)
      ? await this.db.withSchema(PLATFORM_SCHEMA).from('tenants').where({ id }).first()
      : undefined;
    if (!row) throw notFound('Tenant not found');
    return row;
  }

  async create(input: NewTenant): Promise<{ tenant: TenantRow; admin: PublicUser }> {
    if (!isTenantId(input.id)) throw validationFailed('Invalid tenant id', { id: `Must match ${TENANT_ID.source}` });
    if (typeof input.name !== 'string' || !input.name.trim())
      throw validationFailed('Invalid tenant', { name: 'Required' });
    if (input.template !== undefined && !this.templateNames().includes(input.template)) {
      throw badRequest(`Unknown template: ${String(input.template)}`);
    }
    const schema = tenantSchema(input.id);
    let tenant: TenantRow;
    try {
      [tenant] = await this.db
        .withSchema(PLATFORM_SCHEMA)
        .insert({ id: input.id, name: input.name.trim(), schema_name: schema, status: 'creating' })
        .into('tenants')
        .returning('*');
    } catch (e) {
      if ((e as { code?: string }).code === '23505') throw conflict(`Tenant ${input.id} already exists`);
      throw e;
    }
    try {
      if (this.provisioning === 'script') await this.schemaScript.create(schema);
      else await runMigrations(this.db, schema, tenantMigrations);
      const bootstrap = this.bootstrapCtx(input.id);
      const admin = await this.users.insert(bootstrap, { ...input.admin, roles: [ADMIN_ROLE] });
      const adminCtx: Ctx = { ...bootstrap, user: toSessionUser(admin), isAdmin: true };
      await this.templates.onTenantCreated(adminCtx, input);
      for (const hook of this.createdHooks) await hook(adminCtx, input);
      [tenant] = await this.db
        .withSchema(PLATFORM_SCHEMA)
        .from('tenants')
        .where({ id: input.id })
        .update({ status: 'active' })
        .returning('*');
      return { tenant: tenant!, admin };
    } catch (e) {
      // Creation is all or nothing: a half-made tenant would block its id forever.
      await this.dropTenant(input.id).catch(() => undefined);
      throw e;
    }
  }

  async delete(id: string): Promise<void> {
    await this.get(id);
    await this.dropTenant(id);
  }

  /** Brings every tenant's system tables up to date (at start-up). */
  async migrateAll(): Promise<void> {
    for (const t of await this.list()) {
      if (t.status !== 'active') continue;
      try {
        await runMigrations(this.db, t.schema_name, tenantMigrations);
      } catch (err) {
        // Another process may delete a tenant while this one starts: its schema vanishes mid-way.
        const still = await this.db.withSchema(PLATFORM_SCHEMA).from('tenants').where({ id: t.id }).first('id');
        if (still) throw err;
      }
    }
  }

  /** A context for system work in a tenant before anyone has signed in. */
  bootstrapCtx(id: string): Ctx {
    const user = {
      id: '00000000-0000-0000-0000-000000000000',
      email: 'system@forma',
      name: 'System',
      roles: [ADMIN_ROLE],
      manager: null,
      locale: null,
    };
    return { tenant: id, schema: tenantSchema(id), user, isAdmin: isAdminUser(user), db: this.db };
  }

  private async dropTenant(id: string): Promise<void> {
    await this.db.transaction(async (trx) => {
      await trx.raw('drop schema if exists ?? cascade', [tenantSchema(id)]);
      await trx.withSchema(PLATFORM_SCHEMA).from('tenants').where({ id }).delete();
      // Dropping a schema fires no row trigger: every process's cached sessions of it go here (on commit).
      await trx.raw('select pg_notify(?, ?)', [AUTH_CHANNEL, `${tenantSchema(id)}|t|`]);
    });
  }
}
