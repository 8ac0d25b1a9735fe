import { Pencil, Shield, Trash2 } from 'lucide-react';
import { Tabs } from 'radix-ui';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { objectLabel } from '../../i18n/pick-label';
import type { ObjectSchema } from '../../meta/meta-types';
import { Button, EmptyState } from '../../ui';
import { CheckField } from '../objects/controls';
import { FieldGrid } from './field-grid';
import { RoleMatrix } from './role-matrix';
import {
  fieldAccessOf,
  type RoleDefinition,
  scopeOf,
  setFieldAccess,
  setScope,
  setSendEmail,
  setSharing,
} from './role-model';
import { SharingRulesEditor } from './sharing-rules-editor';

interface RoleDetailProps {
  /** The role's name, and its definition in the draft (absent: there are no roles). */
  current: string | undefined;
  role: RoleDefinition | undefined;
  objects: Record<string, ObjectSchema>;
  lang: string;
  onChange: (next: RoleDefinition) => void;
  onRename: (role: string) => void;
  onDelete: (role: string) => void;
}

/** One role: its name, capabilities, and its object, field and sharing permissions in tabs. */
export function RoleDetail({ current, role, objects, lang, onChange, onRename, onDelete }: RoleDetailProps) {
  const { t } = useTranslation();
  const [fieldsObject, setFieldsObject] = useState<string | undefined>(() => Object.keys(objects).sort()[0]);
  const update = onChange;
  return (
    <section className="f-perm-editor" aria-label={role ? role.label || current : t('permissions.roles')}>
      {!role || !current ? (
        <EmptyState
          icon={<Shield size={22} aria-hidden="true" />}
          headingLevel={2}
          title={t('permissions.noRolesTitle')}
          body={t('permissions.noRolesBody')}
        />
      ) : (
        <>
          <header className="f-perm-editor__head">
            <div>
              <h2>{role.label || current}</h2>
              <p className="f-perm-rolelist__name">{current}</p>
            </div>
            <Button size="sm" icon={<Pencil size={14} aria-hidden="true" />} onClick={() => onRename(current)}>
              {t('permissions.rename')}
            </Button>
            <Button
              size="sm"
              variant="danger"
              icon={<Trash2 size={14} aria-hidden="true" />}
              onClick={() => onDelete(current)}
            >
              {t('permissions.delete')}
            </Button>
          </header>
          <div className="f-perm-capabilities">
            <CheckField
              label={t('permissions.sendEmail')}
              hint={t('permissions.sendEmailHint')}
              checked={role.sendEmail === true}
              onChange={(allowed) => update(setSendEmail(role, allowed))}
            />
          </div>
          <Tabs.Root defaultValue="objects" className="f-tabs">
            <Tabs.List className="f-tabs__list" aria-label={t('permissions.roleSections')}>
              <Tabs.Trigger value="objects" className="f-tabs__tab">
                {t('permissions.objectsTab')}
              </Tabs.Trigger>
              <Tabs.Trigger value="fields" className="f-tabs__tab">
                {t('permissions.fieldsTab')}
              </Tabs.Trigger>
              <Tabs.Trigger value="sharing" className="f-tabs__tab">
                {t('permissions.sharingTab')}
                {(role.sharing?.length ?? 0) > 0 && <span className="f-perm-count">{role.sharing?.length}</span>}
              </Tabs.Trigger>
            </Tabs.List>
            <Tabs.Content value="objects" className="f-tabs__panel">
              <p className="f-perm-hint">{t('permissions.scopeHint')}</p>
              <RoleMatrix
                objects={objects}
                lang={lang}
                caption={t('permissions.matrixCaption', { role: role.label || current })}
                scopeOf={(o, op) => scopeOf(role.objects?.[o], op)}
                onChange={(o, op, s) => update(setScope(role, o, op, s))}
              />
            </Tabs.Content>
            <Tabs.Content value="fields" className="f-tabs__panel">
              <label className="f-perm-fields__pick">
                <span className="f-field__label">{t('permissions.object')}</span>
                <select
                  className="f-select"
                  value={fieldsObject ?? ''}
                  onChange={(e) => setFieldsObject(e.target.value)}
                >
                  {Object.keys(objects)
                    .sort()
                    .map((n) => (
                      <option key={n} value={n}>
                        {objectLabel(n, objects[n], lang)}
                      </option>
                    ))}
                </select>
              </label>
              {fieldsObject && objects[fieldsObject] && (
                <FieldGrid
                  object={fieldsObject}
                  schema={objects[fieldsObject]}
                  lang={lang}
                  accessOf={(f) => fieldAccessOf(role, fieldsObject, f)}
                  onChange={(f, a) => update(setFieldAccess(role, fieldsObject, f, a))}
                />
              )}
            </Tabs.Content>
            <Tabs.Content value="sharing" className="f-tabs__panel">
              <SharingRulesEditor
                rules={role.sharing ?? []}
                objects={objects}
                lang={lang}
                onChange={(rules) => update(setSharing(role, rules))}
              />
            </Tabs.Content>
          </Tabs.Root>
        </>
      )}
    </section>
  );
}
