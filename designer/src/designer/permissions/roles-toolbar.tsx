import { Redo2, Undo2, Upload } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { Button, IconButton } from '../../ui';

interface RolesToolbarProps {
  canUndo: boolean;
  canRedo: boolean;
  onUndo: () => void;
  onRedo: () => void;
  /** Roles changed in the draft (0: up to date). */
  changed: number;
  onDiscard: () => void;
  onPublish: () => void;
}

/** Undo, redo, the draft's state, discard and publish. */
export function RolesToolbar({ canUndo, canRedo, onUndo, onRedo, changed, onDiscard, onPublish }: RolesToolbarProps) {
  const { t } = useTranslation();
  const dirty = changed > 0;
  return (
    <div className="f-perm-toolbar">
      <IconButton
        label={t('permissions.undo')}
        icon={<Undo2 size={16} aria-hidden="true" />}
        onClick={onUndo}
        disabled={!canUndo}
      />
      <IconButton
        label={t('permissions.redo')}
        icon={<Redo2 size={16} aria-hidden="true" />}
        onClick={onRedo}
        disabled={!canRedo}
      />
      <span className="f-perm-toolbar__status" aria-live="polite">
        {dirty ? t('permissions.unpublished', { count: changed }) : t('permissions.upToDate')}
      </span>
      <Button onClick={onDiscard} disabled={!dirty}>
        {t('permissions.discard')}
      </Button>
      <Button variant="primary" icon={<Upload size={16} aria-hidden="true" />} disabled={!dirty} onClick={onPublish}>
        {t('permissions.publish')}
      </Button>
    </div>
  );
}
