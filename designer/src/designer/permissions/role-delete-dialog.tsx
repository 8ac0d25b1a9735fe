import { useTranslation } from 'react-i18next';
import { Button, Dialog } from '../../ui';

/** Asks before a role leaves the draft (it is only removed on publish). */
export function RoleDeleteDialog({
  role,
  onClose,
  onConfirm,
}: {
  role: string | null;
  onClose: () => void;
  onConfirm: (role: string) => void;
}) {
  const { t } = useTranslation();
  return (
    <Dialog
      open={role !== null}
      onOpenChange={(o) => !o && onClose()}
      title={t('permissions.deleteTitle', { name: role ?? '' })}
      description={t('permissions.deleteBody')}
      closeLabel={t('common.close')}
      width={440}
      footer={
        <>
          <Button onClick={onClose} autoFocus>
            {t('common.cancel')}
          </Button>
          <Button
            variant="danger"
            onClick={() => {
              if (role) onConfirm(role);
              onClose();
            }}
          >
            {t('permissions.delete')}
          </Button>
        </>
      }
    />
  );
}
