import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, Dialog, TextField } from '../../ui';
import { roleNameProblem } from './role-model';

interface RoleNameDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** Present when renaming: the role's current name and label. */
  initial?: { name: string; label: string };
  /** Names already used, the current one excluded. */
  taken: readonly string[];
  onSubmit: (name: string, label: string) => void;
}

/** Creates a role or renames one; the name is checked as the server would before anything is sent. */
export function RoleNameDialog({ open, onOpenChange, initial, taken, onSubmit }: RoleNameDialogProps) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [label, setLabel] = useState('');
  const [touched, setTouched] = useState(false);
  useEffect(() => {
    if (!open) return;
    setName(initial?.name ?? '');
    setLabel(initial?.label ?? '');
    setTouched(false);
  }, [open, initial?.name, initial?.label]);

  const problem = roleNameProblem(name.trim(), taken);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (problem) return;
    onSubmit(name.trim(), label.trim());
    onOpenChange(false);
  };
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={initial ? t('permissions.renameRole') : t('permissions.newRole')}
      closeLabel={t('common.close')}
      width={460}
    >
      <form className="f-perm-dialog__form" onSubmit={submit} noValidate>
        <TextField
          label={t('permissions.roleLabel')}
          value={label}
          maxLength={200}
          onChange={(e) => setLabel(e.target.value)}
          autoFocus
        />
        <TextField
          label={t('permissions.roleName')}
          hint={t('permissions.roleNameHint')}
          value={name}
          required
          maxLength={63}
          spellCheck={false}
          autoCapitalize="off"
          error={touched && problem ? t(`permissions.nameProblem_${problem}`) : undefined}
          onChange={(e) => setName(e.target.value)}
        />
        {initial && <p className="f-perm-hint">{t('permissions.renameWarning')}</p>}
        <div className="f-perm-dialog__actions">
          <Button onClick={() => onOpenChange(false)}>{t('common.cancel')}</Button>
          <Button type="submit" variant="primary">
            {initial ? t('permissions.rename') : t('permissions.create')}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
