import {
  type Ctx,
  conflict,
  forObjects,
  type PluginContext,
  type PluginHooks,
  validationFailed,
} from '@forma/platform/plugin-api';

type Row = Record<string, unknown>;
type CreatePayload = { object: string; record: Row };
type UpdatePayload = { object: string; id: string; patch: Row; old: Row };
type WrittenPayload = {
  object: string;
  action: 'create' | 'update' | 'delete' | 'restore';
  events: Array<{ id: string; record: Row; old: Row | null }>;
};

const today = () => new Date().toISOString().slice(0, 10);

/**
 * The membership template's bookkeeping, as filter hooks in the save transaction of the entry that
 * causes it (so a refused step refuses the whole save):
 *
 * - a points transaction moves its member's balance with the records engine's guarded `adjust`
 *   (never below 0): the member's row is locked for it, so concurrent redemptions queue and exactly
 *   those the balance covers succeed;
 * - a purchase earns its points as a `purchase` transaction, and a refund gives them back as a
 *   `refund` one (refused when the member has already spent them);
 * - once the roll-ups of a purchase or transaction are written, the member is saved again so its
 *   scripts (tier, dormancy) see the new lifetime spend and qualifying points;
 * - a renewal extends the membership.
 *
 * All of it acts as the system (a clerk may record a purchase without being allowed to edit points).
 *
 * Lock order: the member's row is locked (FOR UPDATE, by adjust) before the purchase or transaction
 * row is inserted. Inserting takes a KEY SHARE lock on the member (the foreign key) and the roll-up
 * a NO KEY UPDATE lock; a member lock taken only after the insert would wait on a concurrent
 * sibling's KEY SHARE while the sibling waits on our roll-up lock.
 */
export function membershipHooks({ runtime }: PluginContext): PluginHooks {
  const { records } = runtime;
  const system = (tx: Ctx): Ctx => ({ ...tx, isAdmin: true });
  /** Locks the member (a zero adjustment: the same lock a save takes, nothing written). */
  const lockMember = (tx: Ctx, id: unknown) =>
    records.adjust(system(tx), 'member', String(id), { field: 'points', by: 0 });
  /** Saves the member unchanged: its save scripts run on the roll-ups as they are now. */
  const refreshMember = (tx: Ctx, id: unknown) => records.update(system(tx), 'member', String(id), {});

  return {
    filters: {
      'record.beforeCreate': forObjects(
        ['purchase', 'points_entry', 'renewal'],
        async (tx: Ctx, payload: CreatePayload) => {
          const r = payload.record;
          if (payload.object === 'purchase') {
            if (r.member) await lockMember(tx, r.member);
          } else if (payload.object === 'points_entry') {
            if (!r.member || typeof r.points !== 'number' || !Number.isInteger(r.points)) return; // validation says why
            r.occurred_on ??= today();
            const moved = await records.adjust(system(tx), 'member', String(r.member), {
              field: 'points',
              by: r.points,
              min: 0,
            });
            if (!moved.ok)
              throw validationFailed('Not enough points', {
                points: `The member has ${moved.value} points`,
              });
          } else if (payload.object === 'renewal') {
            const id = String(r.member);
            const member = (await records.get(system(tx), 'member', id)) as Row;
            const ends = String(r.ends_on);
            if (member.expires_on && String(member.expires_on) >= ends) return;
            await records.update(system(tx), 'member', id, { expires_on: ends });
          }
        },
      ),
      // The ledger is append-only: deleting an entry or a purchase would leave the balance, spend and
      // tier out of step with it. Corrections are entries (an adjustment, a refund).
      'record.beforeDelete': forObjects(['points_entry', 'purchase'], async (_tx: Ctx, payload: { object: string }) => {
        if (payload.object === 'points_entry')
          throw conflict('A points transaction is never deleted: record an adjustment instead');
        if (payload.object === 'purchase') throw conflict('A purchase is never deleted: refund it instead');
      }),
      'record.beforeUpdate': forObjects(['purchase'], async (tx: Ctx, payload: UpdatePayload) => {
        if (payload.object !== 'purchase') return;
        if (payload.patch.status === 'refunded' && payload.old.status !== 'refunded')
          await lockMember(tx, payload.old.member);
      }),
      'record.written': forObjects(['purchase', 'points_entry'], async (tx: Ctx, payload: WrittenPayload) => {
        if (payload.object === 'purchase') {
          for (const e of payload.events) {
            const p = e.record;
            const points = Number(p.points ?? 0);
            const refunded = p.status === 'refunded' && e.old?.status !== 'refunded';
            if (payload.action === 'create' && points > 0) {
              await records.create(system(tx), 'points_entry', {
                member: p.member,
                points,
                reason: 'purchase',
                amount: p.amount,
                occurred_on: p.purchased_on,
                purchase: e.id,
              });
            } else if (payload.action === 'update' && refunded && points > 0) {
              await records.create(system(tx), 'points_entry', {
                member: p.member,
                points: -points,
                reason: 'refund',
                amount: p.amount,
                occurred_on: today(),
                purchase: e.id,
              });
            } else if (p.member) await refreshMember(tx, p.member);
          }
        } else if (payload.object === 'points_entry') {
          for (const e of payload.events) if (e.record.member) await refreshMember(tx, e.record.member);
        }
      }),
    },
  };
}
