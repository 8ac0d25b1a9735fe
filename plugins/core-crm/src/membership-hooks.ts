import { type PluginContext, type PluginHooks, validationFailed } from '@forma/platform/plugin-api';

type Row = Record<string, unknown>;
type Payload = { object: string; record: Row };

/**
 * The membership template's bookkeeping, as filter hooks in the save transaction of the entry that
 * causes it: a points transaction moves its member's balance (and so, through the member's tier
 * script, the tier); a renewal extends the membership. Both update the member as the system (a clerk
 * may record a purchase without being allowed to edit points) under the member's version, so two
 * concurrent entries for one member never lose an update: the later one gets a 409 and retries.
 */
export function membershipHooks({ runtime }: PluginContext): PluginHooks {
  return {
    filters: {
      'record.beforeCreate': async (tx, payload: Payload) => {
        if (payload.object !== 'points_entry' && payload.object !== 'renewal') return;
        const { records } = runtime;
        const system = { ...tx, isAdmin: true };
        const id = String(payload.record.member);
        const member = (await records.get(system, 'member', id)) as Row;
        if (payload.object === 'points_entry') {
          const points = Number(member.points ?? 0) + Number(payload.record.points ?? 0);
          if (points < 0)
            throw validationFailed('Not enough points', { points: `The member has ${member.points} points` });
          await records.update(system, 'member', id, { points }, { version: Number(member.version) });
        } else {
          const ends = String(payload.record.ends_on);
          if (member.expires_on && String(member.expires_on) >= ends) return;
          await records.update(system, 'member', id, { expires_on: ends }, { version: Number(member.version) });
        }
      },
    },
  };
}
