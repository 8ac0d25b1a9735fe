import type { RecordData } from '../../scripts';
import type { AutomationActionType } from './action-type';
import { markWrite } from './mark-write';

export interface ScriptAction {
  type: 'script';
  script: string;
  params?: Record<string, unknown>;
}

/** Runs an action script of the rule's object on the record, with parameters. */
export const scriptAction: AutomationActionType<ScriptAction> = {
  type: 'script',
  transactional: true,
  check(action, c) {
    const script = c.model.scripts[action.script];
    if (!script)
      c.add(`${c.path}/script`, `unknown script "${action.script}"`, 'unknown_script', { script: action.script });
    else if (script.object !== c.object.name || script.event !== 'action')
      c.add(`${c.path}/script`, `"${action.script}" is not an action script of ${c.object.name}`, 'not_action_script', {
        script: action.script,
      });
  },
  async run(action, { services, run, record }) {
    const result = await services.scriptActions.runAction(
      run.tx,
      run.object,
      String(record.id),
      action.script,
      (action.params ?? {}) as RecordData,
    );
    const next = result.record ? { ...record, ...result.record } : record;
    if (Object.keys(result.changes).length) await markWrite(run, String(next.id), next.version);
    return { summary: { script: action.script, changed: Object.keys(result.changes) }, record: next };
  },
};
