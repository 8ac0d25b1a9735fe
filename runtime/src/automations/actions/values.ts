import { scriptFailed } from '../../errors';
import type { RecordData } from '../../scripts';
import type { Recipient } from '../automation-types';
import { PERSON_TOKEN, resolveTokens } from '../resolve-tokens';
import type { ActionRun, ActionServices } from '../run-actions';
import { recipients } from './recipients';

/** A person token (`$owner`, `$managerOfOwner`, `$managerOf:<field>`) as a recipient form. */
function personOf(value: unknown): Recipient | undefined {
  const m = typeof value === 'string' ? PERSON_TOKEN.exec(value) : null;
  if (!m) return undefined;
  const word = m[1] as string;
  return word.startsWith('managerOf:') ? { managerOf: word.slice('managerOf:'.length) } : (word as Recipient);
}

/**
 * Literal values (time and person tokens resolved; a person token finding nobody leaves its field out)
 * merged with expressions
 * evaluated in the sandbox over the triggering record.
 */
export async function valuesOf(
  services: ActionServices,
  run: ActionRun,
  record: RecordData,
  action: { values?: Record<string, unknown>; expressions?: Record<string, string> },
): Promise<RecordData> {
  const out: RecordData = resolveTokens({ ...(action.values ?? {}) }, run.now);
  for (const [field, v] of Object.entries(out)) {
    const who = personOf(v);
    if (!who) continue;
    // Nobody there (no manager, say): the field is left as it is rather than emptied.
    const user = (await recipients(run, record, [who]))[0];
    if (user) out[field] = user;
    else delete out[field];
  }
  const entries = Object.entries(action.expressions ?? {});
  if (!entries.length) return out;
  let values: unknown[];
  try {
    values = await services.scripts.evaluateAll(
      run.tx.tenant,
      run.model.version,
      entries.map(([, e]) => e),
      { record, old: run.old, user: run.user as never },
    );
  } catch (e) {
    throw scriptFailed(`Rule ${run.rule}: an expression failed: ${(e as Error).message}`);
  }
  entries.forEach(([field], i) => {
    out[field] = values[i] ?? null;
  });
  return out;
}
