import type { Knex } from 'knex';
import { conflict, notFound, validationFailed } from '../errors';
import { PLATFORM_SCHEMA } from '../model/naming';

/** One address a tenant receives e-mail at, and what the e-mail becomes there. */
export interface InboundAddress {
  /** Lower-case; unique across all tenants (it is how a message finds its tenant). */
  address: string;
  /** The object new messages become records of (`service_case` in core-crm). */
  object: string;
  /** The user who owns the records made from e-mail (id). */
  owner: string;
  /** Queue an acknowledgement to the sender of a new case (never to automatic messages). */
  acknowledge: boolean;
}

export interface InboundMailSettings {
  addresses: InboundAddress[];
}

export const MAX_INBOUND_ADDRESSES = 20;
const EMAIL = /^[^\s@<>()[\],;:"]{1,64}@[a-z0-9.-]{1,190}\.[a-z0-9-]{2,63}$/i;
const NAME = /^[a-z][a-z0-9_]{0,62}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Checks settings from a request; every bad entry is named in `fields` (`addresses.0.owner`). */
export function parseInboundMailSettings(value: unknown): InboundMailSettings {
  const fields: Record<string, string> = {};
  const out: InboundAddress[] = [];
  const body = value as { addresses?: unknown } | null;
  if (!body || typeof body !== 'object' || Array.isArray(body) || !Array.isArray(body.addresses)) {
    throw validationFailed('Inbound e-mail settings are {"addresses": [...]}', { addresses: 'must be an array' });
  }
  if (body.addresses.length > MAX_INBOUND_ADDRESSES)
    fields.addresses = `at most ${MAX_INBOUND_ADDRESSES} addresses per tenant`;
  const seen = new Set<string>();
  body.addresses.slice(0, MAX_INBOUND_ADDRESSES).forEach((raw, i) => {
    const a = (raw ?? {}) as Record<string, unknown>;
    const at = `addresses.${i}`;
    const address = typeof a.address === 'string' ? a.address.trim().toLowerCase() : '';
    if (!EMAIL.test(address)) fields[`${at}.address`] = 'must be an e-mail address';
    else if (seen.has(address)) fields[`${at}.address`] = 'listed twice';
    seen.add(address);
    const object = typeof a.object === 'string' ? a.object : '';
    if (!NAME.test(object)) fields[`${at}.object`] = 'must be an object name';
    const owner = typeof a.owner === 'string' ? a.owner : '';
    if (!UUID.test(owner)) fields[`${at}.owner`] = 'must be the id of a user of the tenant';
    if (a.acknowledge !== undefined && typeof a.acknowledge !== 'boolean')
      fields[`${at}.acknowledge`] = 'must be true or false';
    for (const key of Object.keys(a))
      if (!['address', 'object', 'owner', 'acknowledge'].includes(key)) fields[`${at}.${key.slice(0, 40)}`] = 'unknown';
    out.push({ address, object, owner, acknowledge: a.acknowledge === true });
  });
  if (Object.keys(fields).length) throw validationFailed('Invalid inbound e-mail settings', fields);
  return { addresses: out };
}

/** Settings kept in `settings.inboundEmail` of the tenant's row, so every server process reads the same. */
export class InboundMailSettingsStore {
  constructor(private readonly db: Knex) {}

  async read(tenant: string): Promise<InboundMailSettings> {
    const row = await this.db
      .withSchema(PLATFORM_SCHEMA)
      .from('tenants')
      .where({ id: tenant })
      .first(this.db.raw('?? -> ? as inbound', ['settings', 'inboundEmail']));
    if (!row) throw notFound(`Tenant "${tenant}" not found`);
    return stored(row.inbound);
  }

  /**
   * Replaces a tenant's addresses. An address another tenant receives at is refused (409): one
   * address, one tenant. The check and the write hold one lock, so two tenants cannot race for it.
   */
  async write(tenant: string, settings: InboundMailSettings): Promise<void> {
    await this.db.transaction(async (trx) => {
      await trx.raw('select pg_advisory_xact_lock(hashtext(?))', ['forma-inbound-email-addresses']);
      const fields: Record<string, string> = {};
      for (const [i, a] of settings.addresses.entries()) {
        const other = await this.tenantOf(trx, a.address);
        if (other && other.tenant !== tenant)
          fields[`addresses.${i}.address`] = 'another tenant receives at this address';
      }
      if (Object.keys(fields).length) throw conflict('An address is already in use', undefined, fields);
      const n = await trx
        .withSchema(PLATFORM_SCHEMA)
        .from('tenants')
        .where({ id: tenant })
        .update({
          settings: trx.raw("jsonb_set(coalesce(??, '{}'::jsonb), '{inboundEmail}', ?::jsonb)", [
            'settings',
            JSON.stringify(settings),
          ]),
        });
      if (!n) throw notFound(`Tenant "${tenant}" not found`);
    });
  }

  /** The active tenant receiving at `address`, with that address's settings. */
  async find(address: string): Promise<{ tenant: string; entry: InboundAddress } | undefined> {
    return this.tenantOf(this.db, address.trim().toLowerCase(), true);
  }

  private async tenantOf(
    db: Knex | Knex.Transaction,
    address: string,
    activeOnly = false,
  ): Promise<{ tenant: string; entry: InboundAddress } | undefined> {
    const q = db
      .withSchema(PLATFORM_SCHEMA)
      .from('tenants')
      .whereRaw("?? -> 'inboundEmail' -> 'addresses' @> ?::jsonb", ['settings', JSON.stringify([{ address }])])
      .select('id', db.raw('?? -> ? as inbound', ['settings', 'inboundEmail']));
    if (activeOnly) q.where('status', 'active');
    const rows = await q;
    for (const row of rows) {
      const entry = stored(row.inbound).addresses.find((a) => a.address === address);
      if (entry) return { tenant: row.id as string, entry };
    }
    return undefined;
  }
}

/** Stored settings edited by hand are read leniently: a bad entry is left out, never trusted. */
function stored(value: unknown): InboundMailSettings {
  try {
    return parseInboundMailSettings(value);
  } catch {
    const list = (value as { addresses?: unknown })?.addresses;
    if (!Array.isArray(list)) return { addresses: [] };
    const ok: InboundAddress[] = [];
    for (const a of list) {
      try {
        ok.push(...parseInboundMailSettings({ addresses: [a] }).addresses);
      } catch {
        // Left out.
      }
    }
    return { addresses: ok };
  }
}
