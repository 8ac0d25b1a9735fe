import { useTranslation } from 'react-i18next';
import { objectLabel } from '../../i18n/pick-label';
import type { ObjectSchema } from '../../meta/meta-types';
import { cx } from '../../ui';
import { OPERATIONS, type Operation, SCOPES, type Scope } from './role-model';

interface RoleMatrixProps {
  objects: Record<string, ObjectSchema>;
  lang: string;
  scopeOf: (object: string, op: Operation) => Scope;
  /** Without it the matrix is read-only (view as user). */
  onChange?: (object: string, op: Operation, scope: Scope) => void;
  /** Roles that granted each cell, shown under it when given (effective permissions). */
  viaOf?: (object: string, op: Operation) => string[] | undefined;
  selected?: string | undefined;
  onSelect?: (object: string) => void;
  caption: string;
}

/** `create` has no scope: a user may or may not create. */
const scopesFor = (op: Operation): readonly Scope[] => (op === 'create' ? ['none', 'all'] : SCOPES);

/**
 * Objects × create/read/update/delete. Each cell is a native select so keyboard, screen reader and
 * touch behaviour come from the browser; the cell's colour says the scope at a glance.
 */
export function RoleMatrix({ objects, lang, scopeOf, onChange, viaOf, selected, onSelect, caption }: RoleMatrixProps) {
  const { t } = useTranslation();
  const names = Object.keys(objects).sort((a, b) =>
    objectLabel(a, objects[a], lang).localeCompare(objectLabel(b, objects[b], lang), lang),
  );
  const scopeLabel = (op: Operation, s: Scope) =>
    op === 'create' && s === 'all' ? t('permissions.allowed') : t(`permissions.scope_${s}`);
  return (
    <div className="f-perm-matrix__wrap">
      <table className="f-perm-matrix">
        <caption className="f-sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('permissions.object')}</th>
            {OPERATIONS.map((op) => (
              <th scope="col" key={op}>
                {t(`permissions.op_${op}`)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {names.map((name) => {
            const label = objectLabel(name, objects[name], lang);
            return (
              <tr key={name} className={cx(selected === name && 'f-perm-matrix__row--selected')}>
                <th scope="row">
                  {onSelect ? (
                    <button
                      type="button"
                      className="f-perm-matrix__object"
                      aria-pressed={selected === name}
                      onClick={() => onSelect(name)}
                    >
                      {label}
                    </button>
                  ) : (
                    label
                  )}
                </th>
                {OPERATIONS.map((op) => {
                  const scope = scopeOf(name, op);
                  const via = viaOf?.(name, op);
                  return (
                    <td key={op} className={`f-perm-matrix__cell f-perm-scope--${scope}`}>
                      {onChange ? (
                        <select
                          className="f-select f-perm-matrix__select"
                          value={scope}
                          aria-label={t('permissions.cellLabel', { object: label, op: t(`permissions.op_${op}`) })}
                          data-object={name}
                          data-op={op}
                          onChange={(e) => onChange(name, op, e.target.value as Scope)}
                        >
                          {scopesFor(op).map((s) => (
                            <option key={s} value={s}>
                              {scopeLabel(op, s)}
                            </option>
                          ))}
                        </select>
                      ) : (
                        <span className="f-perm-matrix__value" data-object={name} data-op={op}>
                          {scopeLabel(op, scope)}
                        </span>
                      )}
                      {via && via.length > 0 && <span className="f-perm-matrix__via">{via.join(', ')}</span>}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
