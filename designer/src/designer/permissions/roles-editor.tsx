import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Tabs } from 'radix-ui';
import { Pencil, Plus, Redo2, Shield, Trash2, Undo2, Upload } from 'lucide-react';
import { objectLabel } from '../../i18n/pick-label';
import type { ObjectSchema } from '../../meta/meta-types';
import { Badge, Button, Dialog, EmptyState, IconButton, cx, useToast } from '../../ui';
import { PublishDialog, useUndoHistory, useUndoShortcuts, useUnsavedChangesGuard } from '../common';
import { CheckField } from '../objects/controls';
import { FieldGrid } from './field-grid';
import { RoleMatrix } from './role-matrix';
import {
  fieldAccessOf,
  type RoleDefinition,
  renameRole,
  rolesPatch,
  scopeOf,
  setFieldAccess,
  setScope,
  setSendEmail,
  setSharing,
} from './role-model';
import { RoleNameDialog } from './role-name-dialog';
import { SharingRulesEditor } from './sharing-rules-editor';

interface RolesEditorProps {
  saved: Record<string, RoleDefinition>;
  version: number;
  objects: Record<string, ObjectSchema>;
  lang: string;
}

type NameDialog = { kind: 'new' } | { kind: 'rename'; role: string } | null;

/**
 * Every role of the tenant edited as one draft (with undo/redo); publishing sends the roles that
 * changed, those removed as null, through the plan dialog.
 */
export function RolesEditor({ saved, version, objects, lang }: RolesEditorProps) {
  const { t } = useTranslation();
  const toast = useToast();
  const history = useUndoHistory<Record<string, RoleDefinition>>(saved);
  const draft = history.value;
  useUndoShortcuts(history);
  const [selected, setSelected] = useState<string | undefined>(() => Object.keys(saved)[0]);
  const [fieldsObject, setFieldsObject] = useState<string | undefined>(() => Object.keys(objects).sort()[0]);
  const [nameDialog, setNameDialog] = useState<NameDialog>(null);
  const [confirmDelete, setConfirmDelete] = useState<string | null>(null);
  const [publishing, setPublishing] = useState(false);

  // A newly published version is the new starting point: the draft and its history start over.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only a new version resets the draft.
  useEffect(() => history.reset(saved), [version]);

  const patch = useMemo(() => rolesPatch(saved, draft), [saved, draft]);
  const changed = Object.keys(patch);
  const dirty = changed.length > 0;
  const guard = useUnsavedChangesGuard(dirty);

  const names = Object.keys(draft);
  const current = selected && draft[selected] ? selected : names[0];
  const role = current ? draft[current] : undefined;
  const update = (next: RoleDefinition) => current && history.set((d) => ({ ...d, [current]: next }));

  return (
    <div className="f-perm-roles">
      {guard}
      <div className="f-perm-toolbar">
        <IconButton
          label={t('permissions.undo')}
          icon={<Undo2 size={16} aria-hidden="true" />}
          onClick={history.undo}
          disabled={!history.canUndo}
        />
        <IconButton
          label={t('permissions.redo')}
          icon={<Redo2 size={16} aria-hidden="true" />}
          onClick={history.redo}
          disabled={!history.canRedo}
        />
        <span className="f-perm-toolbar__status" aria-live="polite">
          {dirty ? t('permissions.unpublished', { count: changed.length }) : t('permissions.upToDate')}
        </span>
        <Button onClick={() => history.reset(saved)} disabled={!dirty}>
          {t('permissions.discard')}
        </Button>
        <Button
          variant="primary"
          icon={<Upload size={16} aria-hidden="true" />}
          disabled={!dirty}
          onClick={() => setPublishing(true)}
        >
          {t('permissions.publish')}
        </Button>
      </div>
      <div className="f-perm-layout">
        <nav className="f-perm-rolelist" aria-label={t('permissions.roles')}>
          <div className="f-perm-rolelist__head">
            <h2>{t('permissions.roles')}</h2>
            <Button
              size="sm"
              icon={<Plus size={16} aria-hidden="true" />}
              onClick={() => setNameDialog({ kind: 'new' })}
            >
              {t('permissions.newRole')}
            </Button>
          </div>
          <ul>
            {names.map((n) => (
              <li key={n}>
                <button
                  type="button"
                  className={cx('f-perm-rolelist__item', n === current && 'f-perm-rolelist__item--active')}
                  aria-current={n === current ? 'true' : undefined}
                  onClick={() => setSelected(n)}
                >
                  <span className="f-perm-rolelist__label">{draft[n]?.label || n}</span>
                  <span className="f-perm-rolelist__name">{n}</span>
                  {n in patch && (
                    <Badge tone="warning">{saved[n] ? t('permissions.changed') : t('permissions.new')}</Badge>
                  )}
                </button>
              </li>
            ))}
          </ul>
          {changed
            .filter((n) => patch[n] === null)
            .map((n) => (
              <p key={n} className="f-perm-rolelist__removed">
                {t('permissions.removedRole', { name: n })}
              </p>
            ))}
        </nav>
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
                <Button
                  size="sm"
                  icon={<Pencil size={14} aria-hidden="true" />}
                  onClick={() => setNameDialog({ kind: 'rename', role: current })}
                >
                  {t('permissions.rename')}
                </Button>
                <Button
                  size="sm"
                  variant="danger"
                  icon={<Trash2 size={14} aria-hidden="true" />}
                  onClick={() => setConfirmDelete(current)}
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
      </div>
      <RoleNameDialog
        open={nameDialog !== null}
        onOpenChange={(o) => !o && setNameDialog(null)}
        {...(nameDialog?.kind === 'rename'
          ? { initial: { name: nameDialog.role, label: draft[nameDialog.role]?.label ?? '' } }
          : {})}
        taken={names.filter((n) => nameDialog?.kind !== 'rename' || n !== nameDialog.role)}
        onSubmit={(name, label) => {
          if (nameDialog?.kind === 'rename') {
            const from = nameDialog.role;
            history.set((d) => {
              const renamed = renameRole(d, from, name);
              const { label: _old, ...rest } = renamed[name] ?? {};
              return { ...renamed, [name]: label ? { ...rest, label } : rest };
            });
          } else history.set((d) => ({ ...d, [name]: { ...(label ? { label } : {}), objects: {} } }));
          setSelected(name);
        }}
      />
      <Dialog
        open={confirmDelete !== null}
        onOpenChange={(o) => !o && setConfirmDelete(null)}
        title={t('permissions.deleteTitle', { name: confirmDelete ?? '' })}
        description={t('permissions.deleteBody')}
        closeLabel={t('common.close')}
        width={440}
        footer={
          <>
            <Button onClick={() => setConfirmDelete(null)} autoFocus>
              {t('common.cancel')}
            </Button>
            <Button
              variant="danger"
              onClick={() => {
                const name = confirmDelete;
                if (name) history.set((d) => Object.fromEntries(Object.entries(d).filter(([k]) => k !== name)));
                setConfirmDelete(null);
              }}
            >
              {t('permissions.delete')}
            </Button>
          </>
        }
      />
      <PublishDialog
        open={publishing}
        onOpenChange={setPublishing}
        // The version the draft was made on: a role change published since then is reported, not overwritten.
        document={{ version, roles: patch as Record<string, Record<string, unknown> | null> }}
        title={t('permissions.publishTitle')}
        onPublished={(v) => toast({ tone: 'success', title: t('permissions.published', { version: v }) })}
      />
    </div>
  );
}
