import { useTranslation } from 'react-i18next';
import { pickLabel } from '../../i18n/pick-label';
import { Button, DataTable, Dialog } from '../../ui';
import { useMetaDocument } from '../objects/use-meta-document';
import type { TemplateApplyResult } from './templates-api';

type SampleUser = NonNullable<TemplateApplyResult['sampleUsers']>[number];

interface SampleUsersDialogProps {
  applied: { label: string; result: TemplateApplyResult } | null;
  onClose: () => void;
}

/**
 * After a template brought sample users: who they are and how they sign in, shown once (the
 * passwords are the template's published ones, so the admin can hand them out to people trying it).
 */
export function SampleUsersDialog({ applied, onClose }: SampleUsersDialogProps) {
  const { t, i18n } = useTranslation();
  const meta = useMetaDocument();
  const roles = (meta.data?.roles ?? {}) as Record<string, { label?: string }>;
  const roleLabel = (r: string) =>
    r === 'admin' ? t('users.roleAdmin') : pickLabel(roles[r], i18n.language, 'label', r);
  const users = applied?.result.sampleUsers ?? [];
  return (
    <Dialog
      open={applied !== null}
      onOpenChange={(o) => !o && onClose()}
      title={t('templateGallery.sampleUsersTitle')}
      description={t('templateGallery.sampleUsersBody', {
        label: applied?.label ?? '',
        records: t('templateGallery.sampleRecordsCount', { count: applied?.result.sampleRecords ?? 0 }),
      })}
      closeLabel={t('common.close')}
      width={720}
      footer={
        <Button variant="primary" onClick={onClose}>
          {t('common.close')}
        </Button>
      }
    >
      <DataTable<SampleUser>
        caption={t('templateGallery.sampleUsersTitle')}
        rows={users}
        rowKey={(u) => u.email}
        columns={[
          { key: 'name', header: t('users.name') },
          { key: 'email', header: t('users.email') },
          { key: 'password', header: t('templateGallery.password'), render: (u) => <code>{u.password}</code> },
          { key: 'roles', header: t('users.roles'), render: (u) => u.roles.map(roleLabel).join(', ') },
        ]}
      />
    </Dialog>
  );
}
