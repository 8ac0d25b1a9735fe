import { type FormEvent, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useLocation, useNavigate, useSearchParams } from 'react-router';
import { AlertCircle, CheckCircle2, Eye, EyeOff, Info } from 'lucide-react';
import { isApiError } from '../api/api-error';
import { browserStore } from '../i18n/use-locale';
import { safeNext } from '../session/safe-next';
import { useSessionApi } from '../session/session-context';
import { LanguageSwitch } from '../shell/language-switch';
import { Button, IconButton, TextField } from '../ui';
import { loginErrorMessage } from './login-error-message';
import './login-page.css';

type FieldName = 'tenant' | 'email' | 'password';
const LAST_TENANT = 'forma.lastTenant';

function lastTenant(): string {
  try {
    return browserStore()?.getItem(LAST_TENANT) ?? '';
  } catch {
    return '';
  }
}

export function LoginPage() {
  const { t } = useTranslation();
  const { state, login } = useSessionApi();
  const navigate = useNavigate();
  const location = useLocation();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const expired = (location.state as { expired?: boolean } | null)?.expired === true;

  const [values, setValues] = useState<Record<FieldName, string>>(() => ({
    tenant: params.get('tenant') ?? lastTenant(),
    email: '',
    password: '',
  }));
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [formError, setFormError] = useState<string>();
  const [submitting, setSubmitting] = useState(false);
  const [showPassword, setShowPassword] = useState(false);
  const refs = {
    tenant: useRef<HTMLInputElement>(null),
    email: useRef<HTMLInputElement>(null),
    password: useRef<HTMLInputElement>(null),
  };

  if (state.status === 'signedIn' && !submitting) return <Navigate to={next} replace />;

  const set = (name: FieldName) => (e: { target: { value: string } }) => {
    setValues((v) => ({ ...v, [name]: e.target.value }));
    if (fieldErrors[name]) setFieldErrors((f) => ({ ...f, [name]: undefined }));
  };

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const input = { tenant: values.tenant.trim().toLowerCase(), email: values.email.trim(), password: values.password };
    const missing: Partial<Record<FieldName, string>> = {};
    for (const k of ['tenant', 'email', 'password'] as const) if (!input[k]) missing[k] = t('common.required');
    setFieldErrors(missing);
    setFormError(undefined);
    const firstMissing = (['tenant', 'email', 'password'] as const).find((k) => missing[k]);
    if (firstMissing) {
      refs[firstMissing].current?.focus();
      return;
    }
    setSubmitting(true);
    try {
      await login(input);
      try {
        browserStore()?.setItem(LAST_TENANT, input.tenant);
      } catch {
        // Only a convenience for the next visit.
      }
      navigate(next, { replace: true });
    } catch (err) {
      setSubmitting(false);
      if (isApiError(err) && err.fields) {
        const mapped: Partial<Record<FieldName, string>> = {};
        for (const k of ['tenant', 'email', 'password'] as const) if (err.fields[k]) mapped[k] = err.fields[k];
        setFieldErrors(mapped);
      }
      setFormError(loginErrorMessage(t, err));
      refs.password.current?.select();
    }
  };

  return (
    <div className="f-login">
      <aside className="f-login__hero" aria-hidden="true">
        <div className="f-login__logo">
          <span className="f-login__mark">F</span>
          {t('app.name')}
        </div>
        <div className="f-login__pitch">
          <p className="f-login__hero-title">{t('login.heroTitle')}</p>
          <p className="f-login__hero-body">{t('login.heroBody')}</p>
          <ul className="f-login__points">
            {(['heroPoint1', 'heroPoint2', 'heroPoint3'] as const).map((k) => (
              <li key={k}>
                <CheckCircle2 size={18} aria-hidden="true" />
                {t(`login.${k}`)}
              </li>
            ))}
          </ul>
        </div>
        <p className="f-login__tagline">{t('app.tagline')}</p>
      </aside>
      <main className="f-login__main">
        <div className="f-login__top">
          <LanguageSwitch />
        </div>
        <div className="f-login__panel">
          <div className="f-login__mobile-logo" aria-hidden="true">
            <span className="f-login__mark">F</span>
            {t('app.name')}
          </div>
          <h1>{t('login.title')}</h1>
          <p className="f-login__subtitle">{t('login.subtitle')}</p>
          {expired && !formError && (
            <div className="f-login__notice" role="status">
              <Info size={18} aria-hidden="true" />
              <span>{t('login.sessionEnded')}</span>
            </div>
          )}
          {formError && (
            <div className="f-login__alert" role="alert" data-testid="login-error">
              <AlertCircle size={18} aria-hidden="true" />
              <span>{formError}</span>
            </div>
          )}
          <form className="f-login__form" onSubmit={onSubmit} noValidate>
            <TextField
              ref={refs.tenant}
              name="tenant"
              label={t('login.tenant')}
              hint={t('login.tenantHint')}
              autoComplete="organization"
              autoCapitalize="none"
              spellCheck={false}
              required
              value={values.tenant}
              onChange={set('tenant')}
              error={fieldErrors.tenant}
              autoFocus={!values.tenant}
            />
            <TextField
              ref={refs.email}
              name="email"
              type="email"
              label={t('login.email')}
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              required
              value={values.email}
              onChange={set('email')}
              error={fieldErrors.email}
              autoFocus={!!values.tenant}
            />
            <TextField
              ref={refs.password}
              name="password"
              type={showPassword ? 'text' : 'password'}
              label={t('login.password')}
              autoComplete="current-password"
              required
              value={values.password}
              onChange={set('password')}
              error={fieldErrors.password}
              end={
                <IconButton
                  label={showPassword ? t('login.hidePassword') : t('login.showPassword')}
                  icon={showPassword ? <EyeOff size={18} aria-hidden="true" /> : <Eye size={18} aria-hidden="true" />}
                  aria-pressed={showPassword}
                  onClick={() => setShowPassword((s) => !s)}
                />
              }
            />
            <Button type="submit" variant="primary" size="lg" block loading={submitting}>
              {submitting ? t('login.submitting') : t('login.submit')}
            </Button>
          </form>
        </div>
      </main>
    </div>
  );
}
