import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Network, Upload, UserPlus, Users } from 'lucide-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/api-context';
import { isApiError } from '../../api/api-error';
import { objectLabel, pickLabel } from '../../i18n/pick-label';
import { useSession } from '../../session/session-context';
import {
  Badge,
  Button,
  type Column,
  DataTable,
  Dialog,
  ErrorState,
  LoadingState,
  Page,
  PageHeader,
  useToast,
} from '../../ui';
import { useMetaDocument } from '../permissions/use-meta-document';
import { ImportUsersDialog } from './import-users-dialog';
import { OrgChart } from './org-chart';
import { HandoverDialog, InviteDialog, OneTimePasswordDialog, type RoleOption, UserDialog } from './user-dialogs';
import {
  type AdminUser,
  fetchUsers,
  fetchUserSettings,
  type InvitedUser,
  resetPassword,
  updateUser,
  fitWidth,
} from './users-api';
import './users-page.css';

const usersKey = ['designer', 'users'] as const;

/** `/designer/users`: who works in the tenant, their roles and managers (list and org chart). */
export function UsersPage() {
  const { t, i18n } = useTranslation();
  const client = useApi();
  const toast = useToast();
  const session = useSession();
  const queryClient = useQueryClient();
  const users = useQuery({ queryKey: usersKey, queryFn: ({ signal }) => fetchUsers(client, signal) });
  const settings = useQuery({ queryKey: ['designer', 'users', 'settings'], queryFn: () => fetchUserSettings(client) });
  const meta = useMetaDocument();
  const [view, setView] = useState<'list' | 'chart'>('list');
  const [inviting, setInviting] = useState(false);
  const [importing, setImporting] = useState(false);
  const [open, setOpen] = useState<AdminUser | null>(null);
  const [handover, setHandover] = useState<AdminUser | null>(null);
  const [otp, setOtp] = useState<{ name: string; password: string } | null>(null);
  const [imported, setImported] = useState<InvitedUser[] | null>(null);

  const lang = i18n.language;
  const metaRoles = (meta.data?.roles ?? {}) as Record<string, { label?: string }>;
  const roles: RoleOption[] = [
    { name: 'admin', label: t('users.roleAdmin') },
    ...Object.entries(metaRoles)
      .filter(([n]) => n !== 'admin')
      .map(([name, r]) => ({ name, label: pickLabel(r, lang, 'label', name) })),
  ];
  const roleLabel = (r: string) => roles.find((x) => x.name === r)?.label ?? r;
  const objects = Object.entries(meta.data?.objects ?? {}).map(([name, schema]) => ({
    name,
    label: objectLabel(name, schema as never, lang),
  }));
  const list = users.data ?? [];
  const nameOf = (id: string | null) => (id ? (list.find((u) => u.id === id)?.name ?? '') : '');
  const fmt = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
  const refresh = () => queryClient.invalidateQueries({ queryKey: usersKey });

  async function setManager(user: AdminUser, manager: AdminUser | null) {
    try {
      await updateUser(client, user.id, { manager: manager?.id ?? null });
      toast({
        tone: 'success',
        title: manager
          ? t('users.managerSet', { name: user.name, manager: manager.name })
          : t('users.managerCleared', { name: user.name }),
      });
    } catch (err) {
      // The server names the reason at the field ("This would make a reporting cycle").
      const reason = (isApiError(err) && err.fields?.manager) || (err instanceof Error ? err.message : '');
      toast({ tone: 'error', title: t('users.managerRefused'), description: reason });
    }
    await refresh();
  }

  async function reset(user: AdminUser) {
    try {
      const r = await resetPassword(client, user.id);
      setOtp({ name: user.name, password: r.oneTimePassword });
    } catch (err) {
      toast({ tone: 'error', title: err instanceof Error ? err.message : String(err) });
    }
  }

  const columns: Array<Column<AdminUser>> = [
    {
      key: 'name',
      header: t('users.name'),
      render: (u) => (
        <button type="button" className="f-users__link" onClick={() => setOpen(u)}>
          {u.name}
        </button>
      ),
    },
    { key: 'email', header: t('users.email') },
    { key: 'roles', header: t('users.roles'), render: (u) => u.roles.map(roleLabel).join(', ') },
    { key: 'manager', header: t('users.manager'), render: (u) => nameOf(u.manager) },
    {
      key: 'active',
      header: t('users.status'),
      render: (u) => <Badge>{u.active ? t('users.active') : t('users.inactive')}</Badge>,
    },
    {
      key: 'last_login_at',
      header: t('users.lastLogin'),
      render: (u) => (u.last_login_at ? fmt.format(new Date(u.last_login_at)) : t('users.never')),
    },
  ];

  let body: React.ReactNode;
  if (users.isPending) body = <LoadingState label={t('common.loading')} />;
  else if (users.isError)
    body = (
      <ErrorState
        headingLevel={2}
        title={t('errors.title')}
        body={users.error.message}
        action={<Button onClick={() => void users.refetch()}>{t('common.retry')}</Button>}
      />
    );
  else if (view === 'list')
    body = <DataTable caption={t('users.title')} columns={columns} rows={list} rowKey={(u) => u.id} />;
  else
    body = (
      <OrgChart users={list} roleLabel={roleLabel} onSetManager={(u, m) => void setManager(u, m)} onOpen={setOpen} />
    );

  return (
    <Page>
      <PageHeader
        icon={<Users size={22} aria-hidden="true" />}
        title={t('users.title')}
        subtitle={t('users.subtitle')}
        actions={
          <>
            <Button icon={<Upload size={16} aria-hidden="true" />} onClick={() => setImporting(true)}>
              {t('users.import')}
            </Button>
            <Button
              variant="primary"
              icon={<UserPlus size={16} aria-hidden="true" />}
              onClick={() => setInviting(true)}
            >
              {t('users.invite')}
            </Button>
          </>
        }
      />
      <div className="f-users__views">
        <Button
          size="sm"
          variant={view === 'list' ? 'primary' : 'ghost'}
          aria-pressed={view === 'list'}
          onClick={() => setView('list')}
        >
          {t('users.listView')}
        </Button>
        <Button
          size="sm"
          variant={view === 'chart' ? 'primary' : 'ghost'}
          aria-pressed={view === 'chart'}
          icon={<Network size={14} aria-hidden="true" />}
          onClick={() => setView('chart')}
        >
          {t('users.orgChart')}
        </Button>
      </div>
      {body}
      <InviteDialog
        open={inviting}
        onOpenChange={setInviting}
        users={list}
        roles={roles}
        emailInvitations={settings.data?.emailInvitations ?? false}
        onInvited={(r) => {
          setInviting(false);
          void refresh();
          if (r.oneTimePassword) setOtp({ name: r.user.name, password: r.oneTimePassword });
          else toast({ tone: 'success', title: t('users.invitationSent', { email: r.user.email }) });
        }}
      />
      <ImportUsersDialog
        open={importing}
        onOpenChange={setImporting}
        roleLabel={roleLabel}
        onImported={(created) => {
          setImporting(false);
          setImported(created);
          void refresh();
        }}
      />
      <UserDialog
        user={open}
        users={list}
        roles={roles}
        selfId={session.user.id}
        onClose={() => setOpen(null)}
        onSaved={(u) => {
          setOpen(null);
          void refresh();
          void u;
        }}
        onResetPassword={(u) => void reset(u)}
        onHandover={(u) => {
          setOpen(null);
          setHandover(u);
        }}
      />
      <HandoverDialog
        key={handover?.id ?? 'none'}
        from={handover}
        users={list}
        objects={objects}
        onClose={() => setHandover(null)}
      />
      <OneTimePasswordDialog shown={otp} onClose={() => setOtp(null)} />
      {imported && <ImportedDialog created={imported} onClose={() => setImported(null)} />}
    </Page>
  );
}

/** After an import: each new user with their one-time password (shown once) or "invitation sent". */
function ImportedDialog({ created, onClose }: { created: InvitedUser[]; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Dialog
      open
      onOpenChange={(o) => !o && onClose()}
      title={t('users.importedTitle', { count: created.length })}
      description={t('users.otpBody')}
      closeLabel={t('common.close')}
      width={fitWidth(620)}
      footer={
        <Button variant="primary" onClick={onClose}>
          {t('users.otpDone')}
        </Button>
      }
    >
      <table className="f-users__imported">
        <thead>
          <tr>
            <th scope="col">{t('users.name')}</th>
            <th scope="col">{t('users.email')}</th>
            <th scope="col">{t('users.otpLabel')}</th>
          </tr>
        </thead>
        <tbody>
          {created.map((c) => (
            <tr key={c.user.id}>
              <td>{c.user.name}</td>
              <td>{c.user.email}</td>
              <td className="f-users__mono">{c.oneTimePassword ?? t('users.invitationSentShort')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}
