import { Copy } from 'lucide-react';
import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/api-error';
import { useApi } from '../../api/api-context';
import { Button, Dialog, TextField, useToast } from '../../ui';
import { SelectField } from '../objects/controls';
import {
  type AdminUser,
  endSessions,
  fetchSessions,
  handOver,
  type HandoverOutcome,
  inviteUser,
  type InvitedUser,
  reportsOf,
  updateUser,
  type UserSession,
  fitWidth,
} from './users-api';

export interface RoleOption {
  name: string;
  label: string;
}

/** Role checkboxes: people see role labels, the server gets names. */
export function RolePicker({
  roles,
  value,
  onChange,
  error,
}: {
  roles: RoleOption[];
  value: string[];
  onChange: (roles: string[]) => void;
  error?: string | undefined;
}) {
  const { t } = useTranslation();
  return (
    <fieldset className="f-users__roles">
      <legend className="f-field__label">{t('users.roles')}</legend>
      {roles.map((r) => (
        <label key={r.name} className="f-users__role">
          <input
            type="checkbox"
            checked={value.includes(r.name)}
            onChange={(e) => onChange(e.target.checked ? [...value, r.name] : value.filter((x) => x !== r.name))}
          />
          {r.label}
        </label>
      ))}
      {error && <p className="f-field__error">{error}</p>}
    </fieldset>
  );
}

/** Managers a user may get: active users other than themselves and those below them. */
function managerOptions(users: AdminUser[], self: string | null, none: string) {
  const below = self ? reportsOf(users, self) : new Set<string>();
  return [
    { value: '', label: none },
    ...users.filter((u) => u.active && u.id !== self && !below.has(u.id)).map((u) => ({ value: u.id, label: u.name })),
  ];
}

/** The one time the password is visible: the admin copies it and hands it over. */
export function OneTimePasswordDialog({
  shown,
  onClose,
}: {
  shown: { name: string; password: string } | null;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const toast = useToast();
  return (
    <Dialog
      open={shown !== null}
      onOpenChange={(o) => !o && onClose()}
      title={t('users.otpTitle', { name: shown?.name ?? '' })}
      description={t('users.otpBody')}
      closeLabel={t('common.close')}
      footer={
        <Button variant="primary" onClick={onClose}>
          {t('users.otpDone')}
        </Button>
      }
    >
      <div className="f-users__otp">
        <output aria-label={t('users.otpLabel')}>{shown?.password}</output>
        <Button
          size="sm"
          icon={<Copy size={14} aria-hidden="true" />}
          onClick={() => {
            void navigator.clipboard?.writeText(shown?.password ?? '').then(
              () => toast({ title: t('users.copied'), tone: 'success' }),
              () => undefined,
            );
          }}
        >
          {t('users.copy')}
        </Button>
      </div>
    </Dialog>
  );
}

/** Invite (or create) a user: e-mailed link when e-mail is set up, else a one-time password. */
export function InviteDialog({
  open,
  onOpenChange,
  users,
  roles,
  emailInvitations,
  onInvited,
}: {
  open: boolean;
  onOpenChange: (o: boolean) => void;
  users: AdminUser[];
  roles: RoleOption[];
  emailInvitations: boolean;
  onInvited: (r: InvitedUser) => void;
}) {
  const { t } = useTranslation();
  const client = useApi();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [picked, setPicked] = useState<string[]>([]);
  const [manager, setManager] = useState('');
  const [delivery, setDelivery] = useState<'email' | 'password'>(emailInvitations ? 'email' : 'password');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!open) return;
    setEmail('');
    setName('');
    setPicked([]);
    setManager('');
    setErrors({});
    setMessage('');
    setDelivery(emailInvitations ? 'email' : 'password');
  }, [open, emailInvitations]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setMessage('');
    try {
      const r = await inviteUser(client, { email, name, roles: picked, manager: manager || null, delivery });
      onInvited(r);
    } catch (err) {
      if (isApiError(err) && err.fields) setErrors(err.fields);
      setMessage(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={t('users.inviteTitle')}
      closeLabel={t('common.close')}
      width={fitWidth(520)}
      footer={
        <>
          <Button onClick={() => onOpenChange(false)}>{t('common.cancel')}</Button>
          <Button variant="primary" type="submit" form="f-users-invite" loading={busy}>
            {delivery === 'email' ? t('users.sendInvitation') : t('users.createUser')}
          </Button>
        </>
      }
    >
      <form id="f-users-invite" className="f-users__form" onSubmit={(e) => void submit(e)} noValidate>
        <TextField
          label={t('users.name')}
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={errors.name}
          required
        />
        <TextField
          label={t('users.email')}
          type="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={errors.email}
          required
        />
        <RolePicker roles={roles} value={picked} onChange={setPicked} error={errors.roles} />
        <SelectField
          label={t('users.manager')}
          value={manager}
          onChange={setManager}
          options={managerOptions(users, null, t('users.noManager'))}
        />
        {errors.manager && <p className="f-field__error">{errors.manager}</p>}
        {emailInvitations ? (
          <SelectField
            label={t('users.delivery')}
            value={delivery}
            onChange={(v) => setDelivery(v as 'email' | 'password')}
            options={[
              { value: 'email', label: t('users.deliveryEmail') },
              { value: 'password', label: t('users.deliveryPassword') },
            ]}
          />
        ) : (
          <p className="f-field__hint">{t('users.noEmailHint')}</p>
        )}
        {message && !Object.keys(errors).length && (
          <p className="f-field__error" role="alert">
            {message}
          </p>
        )}
      </form>
    </Dialog>
  );
}

/** One user: roles, manager, status, password, sessions, handover. */
export function UserDialog({
  user,
  users,
  roles,
  selfId,
  onClose,
  onSaved,
  onResetPassword,
  onHandover,
}: {
  user: AdminUser | null;
  users: AdminUser[];
  roles: RoleOption[];
  selfId: string;
  onClose: () => void;
  onSaved: (u: AdminUser) => void;
  onResetPassword: (u: AdminUser) => void;
  onHandover: (u: AdminUser) => void;
}) {
  const { t, i18n } = useTranslation();
  const client = useApi();
  const toast = useToast();
  const [name, setName] = useState('');
  const [picked, setPicked] = useState<string[]>([]);
  const [manager, setManager] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const [sessions, setSessions] = useState<UserSession[] | null>(null);
  useEffect(() => {
    if (!user) return;
    setName(user.name);
    setPicked(user.roles);
    setManager(user.manager ?? '');
    setErrors({});
    setMessage('');
    setSessions(null);
    fetchSessions(client, user.id).then(setSessions, () => setSessions([]));
  }, [user, client]);
  if (!user) return null;
  const fmt = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeStyle: 'short' });

  async function run(patch: Parameters<typeof updateUser>[2], done?: string) {
    if (!user) return;
    setBusy(true);
    setErrors({});
    setMessage('');
    try {
      const u = await updateUser(client, user.id, patch);
      onSaved(u);
      if (done) toast({ title: done, tone: 'success' });
    } catch (err) {
      if (isApiError(err) && err.fields) setErrors(err.fields);
      setMessage(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  async function end(session?: string) {
    if (!user) return;
    await endSessions(client, user.id, session);
    setSessions(await fetchSessions(client, user.id));
    toast({ title: t('users.sessionsEnded'), tone: 'success' });
  }

  return (
    <Dialog
      open
      onOpenChange={(o) => !o && onClose()}
      title={user.name}
      description={user.email}
      closeLabel={t('common.close')}
      width={fitWidth(600)}
      footer={
        <>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button
            variant="primary"
            loading={busy}
            onClick={() =>
              void run({ name, roles: picked, manager: manager || null }, t('users.saved', { name: name || user.name }))
            }
          >
            {t('users.save')}
          </Button>
        </>
      }
    >
      <div className="f-users__form">
        <TextField label={t('users.name')} value={name} onChange={(e) => setName(e.target.value)} error={errors.name} />
        <RolePicker roles={roles} value={picked} onChange={setPicked} error={errors.roles} />
        <SelectField
          label={t('users.manager')}
          value={manager}
          onChange={setManager}
          options={managerOptions(users, user.id, t('users.noManager'))}
        />
        {errors.manager && <p className="f-field__error">{errors.manager}</p>}
        {message && (
          <p className="f-field__error" role="alert">
            {message}
          </p>
        )}
        <div className="f-users__actions">
          {user.active ? (
            <Button
              variant="danger"
              size="sm"
              disabled={busy}
              onClick={() => void run({ active: false }, t('users.deactivated', { name: user.name }))}
            >
              {user.id === selfId ? t('users.deactivateSelf') : t('users.deactivate')}
            </Button>
          ) : (
            <Button
              size="sm"
              disabled={busy}
              onClick={() => void run({ active: true }, t('users.reactivated', { name: user.name }))}
            >
              {t('users.reactivate')}
            </Button>
          )}
          <Button size="sm" onClick={() => onResetPassword(user)}>
            {t('users.resetPassword')}
          </Button>
          <Button size="sm" onClick={() => onHandover(user)}>
            {t('users.handover')}
          </Button>
        </div>
        <section aria-label={t('users.sessions')}>
          <h3 className="f-users__subhead">{t('users.sessions')}</h3>
          {sessions === null ? null : sessions.length === 0 ? (
            <p className="f-field__hint">{t('users.noSessions')}</p>
          ) : (
            <>
              <ul className="f-users__sessions">
                {sessions.map((s) => (
                  <li key={s.id}>
                    <span>
                      {t('users.sessionSince', { at: fmt.format(new Date(s.created_at)) })}
                      {s.ip ? ` · ${s.ip}` : ''}
                      {s.user_agent ? ` · ${s.user_agent.slice(0, 60)}` : ''}
                    </span>
                    <Button size="sm" variant="ghost" onClick={() => void end(s.id)}>
                      {t('users.endSession')}
                    </Button>
                  </li>
                ))}
              </ul>
              <Button size="sm" onClick={() => void end()}>
                {t('users.endAllSessions')}
              </Button>
            </>
          )}
        </section>
      </div>
    </Dialog>
  );
}

/** Moves every record the user owns, in every object, to another user (the bulk change of owner). */
export function HandoverDialog({
  from,
  users,
  objects,
  onClose,
}: {
  from: AdminUser | null;
  users: AdminUser[];
  objects: Array<{ name: string; label: string }>;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const client = useApi();
  const [to, setTo] = useState('');
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState('');
  const [outcome, setOutcome] = useState<HandoverOutcome | null>(null);
  const [error, setError] = useState('');
  if (!from) return null;
  const label = (name: string) => objects.find((o) => o.name === name)?.label ?? name;

  async function go() {
    if (!from || !to) return;
    setBusy(true);
    setError('');
    try {
      setOutcome(
        await handOver(
          client,
          objects.map((o) => o.name),
          from.id,
          to,
          (object, done, total) => setProgress(t('users.handoverProgress', { object: label(object), done, total })),
        ),
      );
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
      setProgress('');
    }
  }

  return (
    <Dialog
      open
      onOpenChange={(o) => !o && !busy && onClose()}
      title={t('users.handoverTitle', { name: from.name })}
      description={t('users.handoverBody')}
      closeLabel={t('common.close')}
      width={fitWidth(520)}
      footer={
        outcome ? (
          <Button variant="primary" onClick={onClose}>
            {t('common.close')}
          </Button>
        ) : (
          <>
            <Button onClick={onClose} disabled={busy}>
              {t('common.cancel')}
            </Button>
            <Button variant="primary" onClick={() => void go()} loading={busy} disabled={!to}>
              {t('users.handoverGo')}
            </Button>
          </>
        )
      }
    >
      <div className="f-users__form">
        <SelectField
          label={t('users.handoverTo')}
          value={to}
          onChange={setTo}
          disabled={busy || outcome !== null}
          options={[
            { value: '', label: t('users.pickUser') },
            ...users.filter((u) => u.active && u.id !== from.id).map((u) => ({ value: u.id, label: u.name })),
          ]}
        />
        {progress && <p aria-live="polite">{progress}</p>}
        {error && (
          <p className="f-field__error" role="alert">
            {error}
          </p>
        )}
        {outcome && (
          <div role="status">
            <p>{t('users.handoverDone', { count: outcome.moved })}</p>
            {outcome.refused.length > 0 && (
              <>
                <p className="f-field__error">{t('users.handoverRefused', { count: outcome.refused.length })}</p>
                <ul>
                  {outcome.refused.slice(0, 20).map((r) => (
                    <li key={`${r.object}-${r.id}`}>
                      {label(r.object)}: {r.label ?? t('users.hiddenRecord')} — {r.reason}
                    </li>
                  ))}
                </ul>
              </>
            )}
          </div>
        )}
      </div>
    </Dialog>
  );
}
