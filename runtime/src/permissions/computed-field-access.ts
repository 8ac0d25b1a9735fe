import type { Model, ObjectModel } from '../model/load-model';
import type { FieldAccess } from './object-access';
import type { ObjectGrants } from './resolve-grants';

/**
 * Field access with computed fields hidden where their inputs are: a formula or roll-up is readable
 * only by users who may read every field it is computed from, transitively (a formula over a
 * roll-up over a child's formula…). Otherwise `leak = record.secret` would let anyone filter, sort,
 * search, group and export `secret` under another name. Roll-ups also need read access to their
 * child object. `grantsOf` gives the same user's grants on any object (roles are the same).
 */
export function computedFieldAccess(
  model: Model,
  object: string,
  grantsOf: (object: string) => ObjectGrants,
): Record<string, FieldAccess> {
  const memo = new Map<string, Record<string, FieldAccess>>();
  const visiting = new Set<string>();

  const fieldsOf = (name: string): Record<string, FieldAccess> => {
    const hit = memo.get(name);
    if (hit) return hit;
    const grants = grantsOf(name);
    const fields = { ...grants.fields };
    const obj = model.objects.get(name);
    // A cycle of roll-ups across objects: the inner occurrence answers with the role's own grants.
    if (grants.admin || !obj || visiting.has(name)) return fields;
    visiting.add(name);
    hideComputed(obj, fields);
    visiting.delete(name);
    memo.set(name, fields);
    return fields;
  };

  const readable = (name: string) => {
    const g = grantsOf(name);
    return g.admin || g.scopes.read !== 'none' || g.sharing.length > 0;
  };

  const hideComputed = (obj: ObjectModel, fields: Record<string, FieldAccess>) => {
    const computed = obj.customFields.filter((f) => f.formula || f.rollup);
    const hidden = (name: string) => fields[name] === 'none';
    // Formulas may read roll-ups and other formulas: repeat until nothing more becomes hidden.
    for (let changed = true; changed; ) {
      changed = false;
      for (const f of computed) {
        if (hidden(f.name)) continue;
        let hide = false;
        if (f.formula) {
          const reveals = f.formula.reveals;
          hide =
            reveals === 'all'
              ? [...obj.fields.keys()].some((n) => n !== f.name && hidden(n))
              : reveals.some((n) => n !== f.name && hidden(n));
        } else if (f.rollup) {
          const child = f.rollup.object;
          if (!readable(child)) hide = true;
          else {
            const childFields = fieldsOf(child);
            hide = f.rollup.reads.some((n) => childFields[n] === 'none');
          }
        }
        if (hide) {
          fields[f.name] = 'none';
          changed = true;
        }
      }
    }
  };

  return fieldsOf(object);
}
