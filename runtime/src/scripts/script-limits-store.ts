import { type Clock, systemClock } from '../clock';
import { badRequest, validationFailed } from '../errors';
import { type Logger, silentLogger } from '../logger';
import { isTenantId } from '../model/naming';
import { limitsFor, type ScriptLimits, type ScriptsConfig } from './scripts-config';
import { parseScriptLimits, type TenantLimitsStore } from './tenant-script-limits';

/** How long a tenant's first call waits for its stored limits before running under the configured ones. */
const FIRST_READ_WAIT_MS = 500;

export interface ScriptLimitsStoreOptions {
  /** Where tenants' overrides are kept for every process (tenant settings in the database); none: this process only. */
  store?: TenantLimitsStore;
  clock?: Clock;
  logger?: Logger;
}

/**
 * The limits each tenant's sandbox calls run under: the defaults, then the configuration's
 * overrides, then the tenant's settings (as last read, re-read after `settingsTtlMs`), then
 * `setTenantLimits` of this process.
 */
export class ScriptLimitsStore {
  private readonly overrides = new Map<string, Partial<ScriptLimits>>();
  /** Overrides read from tenant settings, with when they were read (ms). */
  private readonly stored = new Map<string, { limits: Partial<ScriptLimits> | undefined; at: number }>();
  private readonly loading = new Map<string, Promise<void>>();
  private readonly store: TenantLimitsStore | undefined;
  private readonly clock: Clock;
  private readonly logger: Logger;

  constructor(
    private readonly config: ScriptsConfig,
    opts: ScriptLimitsStoreOptions = {},
  ) {
    this.store = opts.store;
    this.clock = opts.clock ?? systemClock;
    this.logger = opts.logger ?? silentLogger;
  }

  limitsFor(tenant: string): ScriptLimits {
    return limitsFor(this.config, {
      ...this.config.tenants[tenant],
      ...this.stored.get(tenant)?.limits,
      ...this.overrides.get(tenant),
    });
  }

  /** Overrides a tenant's limits in this process only (`undefined` removes the override). */
  setTenantLimits(tenant: string, limits: Partial<ScriptLimits> | undefined): void {
    if (limits) this.overrides.set(tenant, { ...limits });
    else this.overrides.delete(tenant);
  }

  /** The overrides kept in the tenant's settings and the limits its calls now run under. */
  async tenantLimits(tenant: string): Promise<{ overrides: Partial<ScriptLimits>; effective: ScriptLimits }> {
    assertTenant(tenant);
    if (this.store) {
      const limits = await this.store.read(tenant);
      this.stored.set(tenant, { limits, at: this.clock.now().getTime() });
    }
    return { overrides: { ...this.stored.get(tenant)?.limits }, effective: this.limitsFor(tenant) };
  }

  /** Replaces the overrides kept in the tenant's settings (`{}` removes them); other processes follow within `settingsTtlMs`. */
  async putTenantLimits(
    tenant: string,
    limits: unknown,
  ): Promise<{ overrides: Partial<ScriptLimits>; effective: ScriptLimits }> {
    assertTenant(tenant);
    const parsed = parseScriptLimits(limits);
    if (Object.keys(parsed.fields).length) throw validationFailed('Invalid script limits', parsed.fields);
    if (!this.store) throw badRequest('Tenant script limits are not stored in this deployment');
    await this.store.write(tenant, parsed.limits);
    return this.tenantLimits(tenant);
  }

  /**
   * Reads the tenant's stored overrides when the copy held is older than `settingsTtlMs`. A stale copy
   * is refreshed in the background; only a tenant's first call waits, and not for long, because the
   * read needs a pooled connection that callers holding transactions may be keeping busy.
   */
  async refresh(tenant: string): Promise<void> {
    const store = this.store;
    if (!store) return;
    const now = this.clock.now().getTime();
    const held = this.stored.get(tenant);
    if (held && now - held.at < this.config.settingsTtlMs) return;
    let loading = this.loading.get(tenant);
    if (!loading) {
      loading = store
        .read(tenant)
        .then(
          (limits) => this.stored.set(tenant, { limits, at: this.clock.now().getTime() }),
          (err) => {
            // Scripts keep their last known limits rather than failing saves over a settings read.
            this.logger.warn({ err, tenant }, 'could not read the tenant’s script limits');
            this.stored.set(tenant, { limits: held?.limits, at: this.clock.now().getTime() });
          },
        )
        .then(() => undefined)
        .finally(() => this.loading.delete(tenant));
      this.loading.set(tenant, loading);
    }
    if (held) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([loading, new Promise<void>((resolve) => (timer = setTimeout(resolve, FIRST_READ_WAIT_MS)))]);
    clearTimeout(timer);
  }
}

function assertTenant(tenant: string): void {
  if (!isTenantId(tenant)) throw badRequest('Invalid tenant id');
}
