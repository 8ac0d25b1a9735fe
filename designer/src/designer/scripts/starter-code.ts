import type { ScriptEvent } from './scripts-api';

/** What a new script starts with: a small working example of its event, to edit rather than recall. */
export function starterCode(event: ScriptEvent): string {
  switch (event) {
    case 'validate':
      return "// Refuse the save with error(field, message).\nif (!record.name) {\n  error('name', 'A name is required');\n}\n";
    case 'beforeSave':
      return "// Change the record before it is stored with set(field, value).\nlog('saving', record.id ?? '(new)');\n";
    case 'afterSave':
      return "// Runs after the save has committed; query() reads other records.\nlog('saved', record.id);\n";
    case 'action':
      return "// A button on the record: params are its arguments, return a result.\nlog('action on', record.id, params);\nreturn { ok: true };\n";
  }
}
