import type { AutomationActionType } from './action-type';
import { checkValues } from './check-values';
import { markWrite } from './mark-write';
import { valuesOf } from './values';

export interface SetAction {
  type: 'set';
  values?: Record<string, unknown>;
  expressions?: Record<string, string>;
}

/** Writes fields of the rule's record (literal values, tokens, expressions) through the records engine. */
export const setAction: AutomationActionType<SetAction> = {
  type: 'set',
  transactional: true,
  check(action, c) {
    if (!action.values && !action.expressions)
      c.add(c.path, 'a "set" action needs "values" or "expressions"', 'automation_set_needs_values');
    checkValues(c.object, c.object, action, c.path, c);
  },
  async run(action, { services, run, record }) {
    const changes = await valuesOf(services, run, record, action);
    const updated = await services.records.update(run.tx, run.object, String(record.id), changes);
    const next = { ...record, ...updated };
    await markWrite(run, String(next.id), next.version);
    return { summary: { fields: Object.keys(changes), values: changes }, record: next };
  },
};
