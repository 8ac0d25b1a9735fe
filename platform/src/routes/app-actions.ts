/**
 * The record-page buttons of `GET /api/meta/app`: the `action` scripts of every object the user may
 * read, and the plugin endpoints a form declares under `uiSchema["ui:actions"]` (an action that
 * spans several records, like core-crm's lead conversion, cannot be a script: scripts only `set()`
 * fields of their own record).
 */

type Json = Record<string, unknown>;

export interface AppAction {
  name: string;
  label: string;
  description?: string;
  'x-i18n'?: Json;
  /** `script`: `POST /api/records/:object/:id/actions/:name`; `endpoint`: `POST <path>` with `{id}` filled in. */
  kind: 'script' | 'endpoint';
  path?: string;
  /** For endpoints: the key of the answer holding the record to open afterwards (also its object's name). */
  open?: string;
  confirm?: boolean;
}

const NAME = /^[a-z][a-z0-9_]{0,62}$/;
/** Only a plugin's own routes, with the record id as the one placeholder: the browser POSTs there. */
const ENDPOINT = /^\/api\/plugins\/[a-z][a-z0-9-]{0,39}\/[A-Za-z0-9_/-]*\{id\}[A-Za-z0-9_/-]*$/;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown, max: number) => (typeof v === 'string' && v.trim() ? v.slice(0, max) : undefined);

function labelled(name: string, src: Json): Pick<AppAction, 'name' | 'label' | 'description' | 'x-i18n'> {
  const description = text(src.description, 500);
  return {
    name,
    label: text(src.label, 200) ?? name,
    ...(description ? { description } : {}),
    ...(isObject(src['x-i18n']) ? { 'x-i18n': src['x-i18n'] } : {}),
  };
}

function scriptActions(scripts: Json, visible: ReadonlySet<string>): Map<string, Array<AppAction & { order: number }>> {
  const out = new Map<string, Array<AppAction & { order: number }>>();
  for (const [name, def] of Object.entries(scripts)) {
    if (!isObject(def) || def.event !== 'action' || def.active === false) continue;
    const object = def.object;
    if (typeof object !== 'string' || !visible.has(object) || !NAME.test(name)) continue;
    const order = typeof def.order === 'number' ? def.order : 0;
    const list = out.get(object) ?? [];
    list.push({ ...labelled(name, def), kind: 'script', order });
    out.set(object, list);
  }
  return out;
}

function endpointActions(form: unknown): AppAction[] {
  const declared = isObject(form) && isObject(form.uiSchema) ? form.uiSchema['ui:actions'] : undefined;
  if (!Array.isArray(declared)) return [];
  return declared.flatMap((a): AppAction[] => {
    if (!isObject(a) || typeof a.name !== 'string' || !NAME.test(a.name)) return [];
    if (typeof a.path !== 'string' || !ENDPOINT.test(a.path) || a.path.includes('//')) return [];
    const open = typeof a.open === 'string' && NAME.test(a.open) ? a.open : undefined;
    return [
      {
        ...labelled(a.name, a),
        kind: 'endpoint',
        path: a.path,
        ...(open ? { open } : {}),
        ...(a.confirm === true ? { confirm: true } : {}),
      },
    ];
  });
}

/**
 * Actions per object for the objects in `visible` (those the user may read): scripts first, by
 * `order` then name, then the form's endpoints in their declared order. Malformed declarations are
 * left out rather than refused: the metadata was accepted when saved, the buttons are a view of it.
 */
export function appActions(
  scripts: unknown,
  forms: unknown,
  visible: ReadonlySet<string>,
): Record<string, AppAction[]> {
  const byObject = scriptActions(isObject(scripts) ? scripts : {}, visible);
  const out: Record<string, AppAction[]> = {};
  for (const object of visible) {
    const own = (byObject.get(object) ?? [])
      .sort((a, b) => a.order - b.order || a.name.localeCompare(b.name))
      .map(({ order: _order, ...a }) => a);
    // Forms are keyed by their object, as the record page reads them.
    const all = [...own, ...endpointActions(isObject(forms) ? forms[object] : undefined)];
    if (all.length > 0) out[object] = all;
  }
  return out;
}
