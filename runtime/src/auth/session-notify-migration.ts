import type { Migration } from '../db/run-migrations';
import { SYSTEM_TABLE as T } from '../model/naming';

/** The channel every server process listens on (auth/session-cache.ts). */
export const AUTH_CHANNEL = 'forma_auth';

/**
 * Sessions are cached per process (auth/session-cache.ts), so every change that ends or alters a
 * session must reach every process. Triggers, not the services, send the notice: no code path (a
 * service, a job, a hand-written SQL fix) can change a user or end a session without it. NOTIFY is
 * delivered at commit, so a rolled-back change invalidates nothing. Payloads: `<schema>|u|<user id>`
 * (a session of the user ended, or the user's sign-in facts changed), `<schema>|m|<version>` (new
 * metadata version). `last_login_at` and `updated_at` alone change nothing a session carries.
 */
export const sessionNotifyMigration: Migration = {
  id: 'auth_0002_session_notify',
  async up(trx, schema) {
    await trx.raw(
      `create function ??._forma_auth_notify() returns trigger language plpgsql as $$
       begin
         if TG_TABLE_NAME = '${T.metaState}' then
           perform pg_notify('${AUTH_CHANNEL}', TG_TABLE_SCHEMA || '|m|' || new.version);
         elsif TG_TABLE_NAME = '${T.sessions}' then
           perform pg_notify('${AUTH_CHANNEL}', TG_TABLE_SCHEMA || '|u|' || old.user_id);
         else
           perform pg_notify('${AUTH_CHANNEL}', TG_TABLE_SCHEMA || '|u|' || old.id);
         end if;
         return null;
       end $$`,
      [schema],
    );
    const fn = trx.raw('??._forma_auth_notify()', [schema]).toQuery();
    const on = (table: string) => trx.raw('??.??', [schema, table]).toQuery();
    await trx.raw(
      `create trigger _forma_auth_sessions after delete or update of user_id, expires_at on ${on(T.sessions)} for each row execute function ${fn}`,
    );
    await trx.raw(
      `create trigger _forma_auth_users_delete after delete on ${on(T.users)} for each row execute function ${fn}`,
    );
    await trx.raw(
      `create trigger _forma_auth_users after update on ${on(T.users)} for each row
       when (old.active is distinct from new.active or old.roles is distinct from new.roles
             or old.manager is distinct from new.manager or old.email is distinct from new.email
             or old.name is distinct from new.name or old.locale is distinct from new.locale
             or old.password_hash is distinct from new.password_hash or old.service is distinct from new.service)
       execute function ${fn}`,
    );
    await trx.raw(
      `create trigger _forma_auth_meta after insert or update on ${on(T.metaState)} for each row execute function ${fn}`,
    );
  },
};
