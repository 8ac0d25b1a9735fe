import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { useApi } from '../api/api-context';
import { isApiError } from '../api/api-error';
import { LanguageSwitch } from '../shell/language-switch';
import { Button, TextField } from '../ui';
import './login-page.css';

/**
 * `/invitation?token=…`: the link of an invitation e-mail (docs/designer.md, "Users"). The new
 * user chooses a password, then signs in; the link works once.
 */
export function InvitationPage() {
  const { t } = useTranslation();
  const client = useApi();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [errors, setErrors] = useState<{ password?: string; again?: string }>({});
  const [formError, setFormError] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setErrors({});
    setFormError('');
    if (password !== again) {
      setErrors({ again: t('users.invitationMismatch') });
      return;
    }
    setBusy(true);
    try {
      const r = await client.post<{ tenant: string; email: string }>('/api/auth/invitation', { token, password });
      navigate(`/login?tenant=${encodeURIComponent(r.tenant)}`, { replace: true, state: { invited: r.email } });
    } catch (err) {
      if (isApiError(err) && err.fields?.password) setErrors({ password: err.fields.password });
      else setFormError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="f-login">
      <main className="f-login__main">
        <div className="f-login__top">
          <LanguageSwitch />
        </div>
        <div className="f-login__panel">
          <h1>{t('users.invitationTitle')}</h1>
          <p className="f-login__subtitle">{t('users.invitationBody')}</p>
          {formError && (
            <div className="f-login__alert" role="alert">
              {formError}
            </div>
          )}
          <form className="f-login__form" onSubmit={(e) => void submit(e)} noValidate>
            <TextField
              label={t('users.invitationPassword')}
              type="password"
              autoComplete="new-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              error={errors.password}
              required
            />
            <TextField
              label={t('users.invitationAgain')}
              type="password"
              autoComplete="new-password"
              value={again}
              onChange={(e) => setAgain(e.target.value)}
              error={errors.again}
              required
            />
            <Button variant="primary" type="submit" loading={busy} disabled={!token}>
              {t('users.invitationGo')}
            </Button>
          </form>
        </div>
      </main>
    </div>
  );
}
