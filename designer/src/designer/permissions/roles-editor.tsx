import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ObjectSchema } from '../../meta/meta-types';
import { useToast } from '../../ui';
import { PublishDialog, useUndoHistory, useUndoShortcuts, useUnsavedChangesGuard } from '../common';
import { RoleDeleteDialog } from './role-delete-dialog';
import { RoleDetail } from './role-detail';
import { RoleList } from './role-list';
import { type RoleDefinition, renameRole, rolesPatch } from './role-model';
import { RoleNameDialog } from './role-name-dialog';
import { RolesToolbar } from './roles-toolbar';

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
      <RolesToolbar
        canUndo={history.canUndo}
        canRedo={history.canRedo}
        onUndo={history.undo}
        onRedo={history.redo}
        changed={changed.length}
        onDiscard={() => history.reset(saved)}
        onPublish={() => setPublishing(true)}
      />
      <div className="f-perm-layout">
        <RoleList
          draft={draft}
          saved={saved}
          patch={patch}
          current={current}
          onSelect={setSelected}
          onNew={() => setNameDialog({ kind: 'new' })}
        />
        <RoleDetail
          current={current}
          role={role}
          objects={objects}
          lang={lang}
          onChange={update}
          onRename={(r) => setNameDialog({ kind: 'rename', role: r })}
          onDelete={setConfirmDelete}
        />
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
      <RoleDeleteDialog
        role={confirmDelete}
        onClose={() => setConfirmDelete(null)}
        onConfirm={(name) => history.set((d) => Object.fromEntries(Object.entries(d).filter(([k]) => k !== name)))}
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
