import { forObjects, type PluginContext, type PluginHooks, validationFailed } from '@forma/platform/plugin-api';
import { eachRecord } from './jobs/each-record';
import { RECEIPT_THRESHOLD } from './objects/expenses';

type Row = Record<string, unknown>;
type Event = { object: string; id: string; action: string; record: Row; old: Row | null; cause?: unknown };
type Written = { object: string; events: Event[] };

/**
 * Expense claims' bookkeeping, in the transaction of the claim's own change (a filter on
 * `record.written`), so it commits or rolls back with it:
 * - submitting a claim (its approval status becomes pending) is refused while a line above
 *   RECEIPT_THRESHOLD has no receipt (no file on the line);
 * - when the claim's approval status becomes approved its lines are marked `approved`, and unmarked
 *   when it leaves approved (an admin's unlock): the campaign's cost is a roll-up of approved lines.
 * Lines are written as the system with the approval's cause, so the claim's approval lock (an
 * approved claim is locked) does not refuse the bookkeeping of its own approval.
 */
export function expenseHooks({ runtime }: PluginContext): PluginHooks {
  return {
    filters: {
      'record.written': forObjects(['expense_claim'], async (tx, payload: Written) => {
        if (payload.object !== 'expense_claim') return;
        const system = { ...tx, isAdmin: true };
        for (const e of payload.events) {
          if (e.action !== 'update' || !e.old) continue;
          const now = e.record.approval_status;
          const before = e.old.approval_status;
          if (now === before) continue;
          if (now === 'pending') await requireReceipts(system, e.id);
          if (now === 'approved' || before === 'approved') await markLines(system, e, now === 'approved');
        }
      }),
    },
  };

  async function requireReceipts(ctx: Parameters<typeof runtime.records.list>[0], claim: string) {
    const missing: string[] = [];
    await eachRecord(
      runtime,
      ctx,
      'expense_line',
      { claim: { eq: claim }, amount: { gt: RECEIPT_THRESHOLD } },
      async (l) => {
        const files = await runtime.files.list(ctx, 'expense_line', String(l.id));
        if (!files.length) missing.push(String(l.description ?? l.spent_on ?? l.id));
      },
    );
    if (missing.length)
      throw validationFailed(`Lines above ${RECEIPT_THRESHOLD} need a receipt: ${missing.join(', ')}`, {
        lines: `Attach a receipt to every line above ${RECEIPT_THRESHOLD} before submitting (${missing.join(', ')})`,
      });
  }

  async function markLines(ctx: Parameters<typeof runtime.records.list>[0], e: Event, approved: boolean) {
    const label = String(e.record.number ?? e.id);
    const cause = {
      kind: 'workflow' as const,
      text: `expense claim ${label} ${approved ? 'approved' : 'no longer approved'}`,
      ref: { claim: e.id },
    };
    await eachRecord(runtime, ctx, 'expense_line', { claim: { eq: e.id }, approved: { ne: approved } }, async (l) => {
      await runtime.records.systemUpdate(ctx, 'expense_line', String(l.id), { approved }, { cause, passLock: true });
    });
  }
}
