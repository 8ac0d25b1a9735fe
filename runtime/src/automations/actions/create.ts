import type { Recipient } from '../automation-types';
import type { AutomationActionType } from './action-type';
import { checkRecipient, checkValues } from './check-values';
import { markWrite } from './mark-write';
import { recipients } from './recipients';
import { valuesOf } from './values';

export interface CreateAction {
  type: 'create';
  object: string;
  values?: Record<string, unknown>;
  expressions?: Record<string, string>;
  owner?: Recipient;
}

/** Creates a record of another (or the same) object, owned by `owner` or the rule's record's owner. */
export const createAction: AutomationActionType<CreateAction> = {
  type: 'create',
  transactional: true,
  check(action, c) {
    const target = c.model.objects.get(action.object);
    if (!target) {
      c.add(`${c.path}/object`, `unknown object "${action.object}"`, 'unknown_object', { object: action.object });
      return;
    }
    checkValues(c.object, target, action, c.path, c);
    if (action.owner) checkRecipient(c.model, c.object, action.owner, `${c.path}/owner`, c);
  },
  async run(action, { services, run, record }) {
    const values = await valuesOf(services, run, record, action);
    // Nobody behind the owner spec (no manager, say): the rule's record's owner gets it.
    const owner = (action.owner ? (await recipients(run, record, [action.owner]))[0] : undefined) ?? record.owner;
    const { created } = await services.records.createMany(
      run.tx,
      action.object,
      [values],
      owner ? { owner: String(owner) } : {},
    );
    const id = String(created[0]?.id);
    await markWrite(run, id, created[0]?.version ?? 1);
    return { summary: { object: action.object, id, values } };
  },
};
