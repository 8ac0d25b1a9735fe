import { runStore } from '../run-store';
import type { ActionRun } from '../run-actions';

/** Marks a record version a rule wrote, so the rule is not triggered again by its own write. */
export async function markWrite(run: ActionRun, record: string, version: unknown): Promise<void> {
  await runStore.markWrite(
    run.tx.db,
    run.tx.schema,
    { rule: run.rule, record, period: `v${Number(version)}` },
    run.depth + 1,
    run.now,
  );
}
