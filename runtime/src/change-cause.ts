/**
 * What made a record change when it was not a person editing the record: a workflow step, an
 * automation rule, an import or its revert, an action script, a bulk action on a list selection. The records engine writes it to the
 * audit entry of the change (`GET …/history` → `cause`) and gives it to record hooks and after-save
 * events, so history, plugins and rules can tell a workflow's write from a user's.
 */
export interface ChangeCause {
  kind: 'workflow' | 'automation' | 'import' | 'action' | 'plugin' | 'system' | 'bulk' | 'email' | 'webForm';
  /** One line for people: `workflow large_deal, step "Manager review" approved by Max`. */
  text: string;
  /** Identifiers of what caused it (workflow and instance, rule, import id, script…). */
  ref?: Record<string, string | number>;
}

/** The longest `text` kept (a cause is a label, not a log). */
const MAX_TEXT = 500;

export function changeCause(kind: ChangeCause['kind'], text: string, ref?: ChangeCause['ref']): ChangeCause {
  return { kind, text: text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text, ...(ref ? { ref } : {}) };
}
