import { AUTH_CHANNEL } from '../auth/session-notify-migration';
import type { Migration } from '../db/run-migrations';
import { SYSTEM_TABLE as T } from '../model/naming';

/** The notice kind of a changed subscription: `<schema>|w|` (webhooks/subscription-cache.ts). */
export const WEBHOOKS_NOTICE = 'w';

/**
 * Every process caches a tenant's active webhook subscriptions (webhooks/subscription-cache.ts), so
 * every change to them must reach every process: a trigger, not the service, sends the notice, so no
 * path (the admin API, a hand-written SQL fix) changes a subscription without it. One notice per
 * statement, delivered at commit on the sessions' channel (one listening connection per process).
 */
export const webhookNotifyMigration: Migration = {
  id: 'integrations_0002_webhooks_notify',
  async up(trx, schema) {
    await trx.raw(
      `create function ??._forma_webhooks_notify() returns trigger language plpgsql as $$
       begin
         perform pg_notify('${AUTH_CHANNEL}', TG_TABLE_SCHEMA || '|${WEBHOOKS_NOTICE}|');
         return null;
       end $$`,
      [schema],
    );
    const fn = trx.raw('??._forma_webhooks_notify()', [schema]).toQuery();
    const on = trx.raw('??.??', [schema, T.webhooks]).toQuery();
    await trx.raw(
      `create trigger _forma_webhooks_notify after insert or update or delete or truncate on ${on} for each statement execute function ${fn}`,
    );
  },
};
