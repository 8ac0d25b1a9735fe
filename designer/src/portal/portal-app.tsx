import { type FormEvent, type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, Route, Routes, useNavigate, useParams } from 'react-router';
import { ArrowLeft, LogOut, Paperclip, Plus } from 'lucide-react';
import { pickLabel } from '../i18n/pick-label';
import { LanguageSwitch } from '../shell/language-switch';
import { Button, TextField } from '../ui';
import {
  type PortalApi,
  portalApi,
  type PortalCase,
  PortalError,
  type PortalMe,
  type PortalObject,
  type PortalRecord,
} from './portal-api';
import './portal.css';

type Labelled = { label: string; i18n?: unknown };
const labelOf = (node: Labelled, lang: string) =>
  pickLabel({ title: node.label, 'x-i18n': node.i18n } as never, lang, 'title', node.label);

/** A field's value as people read it: choices by their label, dates in the reader's language. */
function display(field: PortalObject['fields'][number], value: unknown, lang: string): string {
  if (value === null || value === undefined || value === '') return '—';
  if (field.options) {
    const o = field.options.find((x) => x.value === value);
    if (o) return (lang.startsWith('zh') && o.i18n?.['zh-CN']) || o.label;
  }
  if (field.kind === 'date' && typeof value === 'string') return new Date(`${value}T00:00:00`).toLocaleDateString(lang);
  if (field.kind === 'datetime' && typeof value === 'string') return new Date(value).toLocaleString(lang);
  if (typeof value === 'number' && (field.kind === 'currency' || field.kind === 'number'))
    return value.toLocaleString(lang, { minimumFractionDigits: field.kind === 'currency' ? 2 : 0 });
  if (typeof value === 'object') return (value as { label?: string }).label ?? '—';
  return String(value);
}

/** Absolute links: descendant routes under a splat resolve relative paths differently across versions. */
function usePortalBase(): string {
  const { tenant = '' } = useParams();
  return `/portal/${encodeURIComponent(tenant)}`;
}

/** Fields shown in a list row: the record's name, then a few of the rest (never lookups: ids mean nothing). */
function columns(o: PortalObject) {
  return o.fields.filter((f) => f.kind !== 'lookup' && f.kind !== 'textarea').slice(0, 5);
}

/** The customer portal at `/portal/:tenant`: sign-in by e-mailed link, the account's lists, cases. */
export function PortalApp() {
  const { tenant = '' } = useParams();
  const api = useMemo(() => portalApi(tenant), [tenant]);
  const [me, setMe] = useState<PortalMe | null | undefined>(undefined);
  // The page's first "who am I" (401 on the link's landing page) may answer after the link signed
  // the contact in, on a slow server: only the newest knowledge of the session counts.
  const generation = useRef(0);
  const know = useCallback((m: PortalMe | null) => {
    generation.current += 1;
    setMe(m);
  }, []);
  const reload = useCallback(() => {
    const asked = ++generation.current;
    api.me().then(
      (m) => asked === generation.current && setMe(m),
      () => asked === generation.current && setMe(null),
    );
  }, [api]);
  useEffect(reload, [reload]);

  return (
    <div className="f-portal">
      <Routes>
        <Route path="verify" element={<VerifyPage api={api} onSignedIn={know} />} />
        <Route path="login" element={<SignInPage api={api} />} />
        <Route
          path="*"
          element={
            me === undefined ? (
              <div className="f-portal__center" aria-busy="true" />
            ) : me === null ? (
              <Navigate to={`/portal/${encodeURIComponent(tenant)}/login`} replace />
            ) : (
              <SignedIn api={api} me={me} onSignOut={() => know(null)} />
            )
          }
        />
      </Routes>
    </div>
  );
}

function Brand({ children }: { children?: ReactNode }) {
  const { t } = useTranslation();
  return (
    <header className="f-portal__bar">
      <span className="f-portal__brand">
        <span className="f-portal__mark" aria-hidden="true">
          F
        </span>
        {t('portal.title')}
      </span>
      <span className="f-portal__bar-end">
        {children}
        <LanguageSwitch />
      </span>
    </header>
  );
}

function SignInPage({ api }: { api: PortalApi }) {
  const { t } = useTranslation();
  const [email, setEmail] = useState('');
  const [state, setState] = useState<'idle' | 'sending' | 'sent' | 'error' | 'limited'>('idle');
  const [missing, setMissing] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!email.trim()) {
      setMissing(true);
      return;
    }
    setState('sending');
    try {
      await api.requestLink(email.trim());
      setState('sent');
    } catch (err) {
      setState(err instanceof PortalError && err.status === 429 ? 'limited' : 'error');
    }
  };
  return (
    <>
      <Brand />
      <main className="f-portal__center">
        <form className="f-portal__card f-portal__signin" onSubmit={submit} noValidate>
          <h1>{t('portal.title')}</h1>
          <p className="f-portal__muted">{t('portal.signInLead')}</p>
          <TextField
            label={t('portal.email')}
            type="email"
            autoComplete="email"
            value={email}
            required
            error={missing ? t('portal.required') : undefined}
            onChange={(e) => {
              setEmail(e.target.value);
              setMissing(false);
            }}
          />
          <Button variant="primary" type="submit" block disabled={state === 'sending'}>
            {t('portal.send')}
          </Button>
          {state === 'sent' && (
            <p role="status" className="f-portal__notice">
              {t('portal.sent')}
            </p>
          )}
          {state === 'limited' && (
            <p role="alert" className="f-portal__alert">
              {t('portal.tooMany')}
            </p>
          )}
          {state === 'error' && (
            <p role="alert" className="f-portal__alert">
              {t('portal.error')}
            </p>
          )}
        </form>
      </main>
    </>
  );
}

/** The e-mailed link lands here; its token is in the fragment (never sent to servers or in logs). */
function VerifyPage({ api, onSignedIn }: { api: PortalApi; onSignedIn: (me: PortalMe) => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const base = usePortalBase();
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    const token = new URLSearchParams(window.location.hash.slice(1)).get('token');
    // The link is spent by this POST, not by opening the page: mail scanners that fetch links spend nothing.
    history.replaceState(null, '', window.location.pathname);
    if (!token) {
      setFailed(true);
      return;
    }
    let live = true;
    api.redeem(token).then(
      (r) => {
        if (!live) return;
        onSignedIn(r.me);
        navigate(base, { replace: true });
      },
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [api, navigate, onSignedIn, base]);
  return (
    <>
      <Brand />
      <main className="f-portal__center">
        <div className="f-portal__card">
          {failed ? (
            <>
              <p role="alert" className="f-portal__alert">
                {t('portal.linkInvalid')}
              </p>
              <Link className="f-btn f-btn--primary f-btn--md" to={`${base}/login`}>
                {t('portal.askAgain')}
              </Link>
            </>
          ) : (
            <p aria-busy="true">{t('portal.verifying')}</p>
          )}
        </div>
      </main>
    </>
  );
}

function SignedIn({ api, me, onSignOut }: { api: PortalApi; me: PortalMe; onSignOut: () => void }) {
  const { t } = useTranslation();
  const signOut = async () => {
    await api.logout().catch(() => undefined);
    onSignOut();
  };
  return (
    <>
      <Brand>
        <span className="f-portal__who">{me.account.name}</span>
        <Button variant="ghost" size="sm" onClick={signOut}>
          <LogOut size={16} aria-hidden="true" />
          <span className="f-portal__hide-sm">{t('portal.signOut')}</span>
        </Button>
      </Brand>
      <main className="f-portal__main">
        <Routes>
          <Route index element={<Home api={api} me={me} />} />
          <Route path="cases/new" element={<NewCase api={api} me={me} />} />
          <Route path="cases/:id" element={<CasePage api={api} me={me} />} />
          <Route path="*" element={<p className="f-portal__alert">{t('portal.notFound')}</p>} />
        </Routes>
      </main>
    </>
  );
}

function Home({ api, me }: { api: PortalApi; me: PortalMe }) {
  const { t, i18n } = useTranslation();
  const base = usePortalBase();
  const [tab, setTab] = useState(me.lists[0]?.name ?? '');
  const current = me.lists.find((l) => l.name === tab);
  return (
    <>
      <div className="f-portal__head">
        <h1>{t('portal.hello', { name: me.contact.name })}</h1>
        {me.cases && (
          <Link className="f-btn f-btn--primary f-btn--md" to={`${base}/cases/new`}>
            <Plus size={16} aria-hidden="true" />
            {t('portal.newCase')}
          </Link>
        )}
      </div>
      <div className="f-portal__tabs" role="tablist">
        {me.lists.map((l) => (
          <button
            key={l.name}
            type="button"
            role="tab"
            aria-selected={l.name === tab}
            className="f-portal__tab"
            onClick={() => setTab(l.name)}
          >
            {labelOf(l, i18n.language)}
          </button>
        ))}
      </div>
      {current && (
        <List key={current.name} api={api} object={current} isCases={current.name === me.cases?.name} base={base} />
      )}
    </>
  );
}

function List({
  api,
  object,
  isCases,
  base,
}: {
  api: PortalApi;
  object: PortalObject;
  isCases: boolean;
  base: string;
}) {
  const { t, i18n } = useTranslation();
  const [items, setItems] = useState<PortalRecord[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  const load = useCallback(
    (after?: string) =>
      api.list(object.name, after).then(
        (page) => {
          setItems((old) => [...(after ? (old ?? []) : []), ...page.items]);
          setCursor(page.nextCursor);
        },
        () => setFailed(true),
      ),
    [api, object.name],
  );
  useEffect(() => {
    void load();
  }, [load]);
  if (failed) return <p className="f-portal__alert">{t('portal.error')}</p>;
  if (!items) return <div aria-busy="true" />;
  if (!items.length) return <p className="f-portal__muted f-portal__empty">{t('portal.empty')}</p>;
  const cols = columns(object);
  const title = object.fields.find((f) => f.name === object.labelField);
  return (
    <>
      <ul className="f-portal__list">
        {items.map((r) => {
          const name = title ? display(title, r[title.name], i18n.language) : '';
          const body = (
            <>
              <span className="f-portal__row-title">{name}</span>
              <span className="f-portal__row-meta">
                {cols
                  .filter((f) => f.name !== object.labelField)
                  .map((f) => (
                    <span key={f.name}>
                      <span className="f-portal__muted">{labelOf(f, i18n.language)}: </span>
                      {display(f, r[f.name], i18n.language)}
                    </span>
                  ))}
              </span>
            </>
          );
          return (
            <li key={r.id} className="f-portal__row">
              {isCases ? (
                <Link to={`${base}/cases/${r.id}`} className="f-portal__row-link">
                  {body}
                </Link>
              ) : (
                <div className="f-portal__row-link">{body}</div>
              )}
            </li>
          );
        })}
      </ul>
      {cursor && (
        <Button variant="secondary" onClick={() => load(cursor)}>
          {t('portal.loadMore')}
        </Button>
      )}
    </>
  );
}

function NewCase({ api, me }: { api: PortalApi; me: PortalMe }) {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const base = usePortalBase();
  const form = (me.cases?.fields ?? []).filter((f) => f.editable);
  const [values, setValues] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failed, setFailed] = useState(false);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const missing: Record<string, string> = {};
    for (const f of form) if (f.required && !values[f.name]?.trim()) missing[f.name] = t('portal.required');
    setErrors(missing);
    if (Object.keys(missing).length) return;
    setBusy(true);
    setFailed(false);
    try {
      const body = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== ''));
      const created = await api.openCase(body);
      navigate(`${base}/cases/${created.id}`);
    } catch (err) {
      setBusy(false);
      if (err instanceof PortalError && err.fields) setErrors(err.fields);
      else setFailed(true);
    }
  };
  return (
    <form className="f-portal__card f-portal__form" onSubmit={submit} noValidate>
      <Link to={base} className="f-portal__back">
        <ArrowLeft size={16} aria-hidden="true" />
        {t('portal.back')}
      </Link>
      <h1>{t('portal.newCase')}</h1>
      {form.map((f) => {
        const label = labelOf(f, i18n.language);
        const set = (v: string) => setValues((old) => ({ ...old, [f.name]: v }));
        if (f.options)
          return (
            <label key={f.name} className="f-portal__control">
              <span className="f-field__label">{label}</span>
              <select value={values[f.name] ?? ''} onChange={(e) => set(e.target.value)} className="f-portal__input">
                <option value="">—</option>
                {f.options.map((o) => (
                  <option key={o.value} value={o.value}>
                    {(i18n.language.startsWith('zh') && o.i18n?.['zh-CN']) || o.label}
                  </option>
                ))}
              </select>
            </label>
          );
        if (f.kind === 'textarea')
          return (
            <label key={f.name} className="f-portal__control">
              <span className="f-field__label">{label}</span>
              <textarea
                rows={5}
                maxLength={f.maxLength}
                value={values[f.name] ?? ''}
                onChange={(e) => set(e.target.value)}
                className="f-portal__input"
              />
              {errors[f.name] && <span className="f-portal__field-error">{errors[f.name]}</span>}
            </label>
          );
        return (
          <TextField
            key={f.name}
            label={label}
            required={f.required}
            maxLength={f.maxLength}
            value={values[f.name] ?? ''}
            error={errors[f.name]}
            onChange={(e) => set(e.target.value)}
          />
        );
      })}
      {failed && (
        <p role="alert" className="f-portal__alert">
          {t('portal.error')}
        </p>
      )}
      <div className="f-portal__actions">
        <Link to={base} className="f-btn f-btn--secondary f-btn--md">
          {t('portal.cancel')}
        </Link>
        <Button variant="primary" type="submit" disabled={busy}>
          {t('portal.submitCase')}
        </Button>
      </div>
    </form>
  );
}

function CasePage({ api, me }: { api: PortalApi; me: PortalMe }) {
  const { t, i18n } = useTranslation();
  const { id = '' } = useParams();
  const base = usePortalBase();
  const [data, setData] = useState<PortalCase | null>(null);
  const [missing, setMissing] = useState(false);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);
  const load = useCallback(() => api.getCase(id).then(setData, () => setMissing(true)), [api, id]);
  useEffect(() => {
    void load();
  }, [load]);
  if (missing) return <p className="f-portal__alert">{t('portal.notFound')}</p>;
  if (!data || !me.cases) return <div aria-busy="true" />;
  const object = me.cases;
  const title = object.fields.find((f) => f.name === object.labelField);
  const send = async (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return;
    setBusy(true);
    setFailed(false);
    try {
      await api.comment(id, text.trim());
      setText('');
      await load();
    } catch {
      setFailed(true);
    }
    setBusy(false);
  };
  const upload = async (file: File | undefined) => {
    if (!file) return;
    setFailed(false);
    try {
      await api.upload(id, file);
      await load();
    } catch {
      setFailed(true);
    }
  };
  const details = object.fields.filter((f) => f.name !== object.labelField && f.kind !== 'lookup');
  return (
    <article className="f-portal__case">
      <Link to={base} className="f-portal__back">
        <ArrowLeft size={16} aria-hidden="true" />
        {t('portal.back')}
      </Link>
      <h1>{title ? display(title, data.record[title.name], i18n.language) : ''}</h1>
      <dl className="f-portal__details">
        {details.map((f) => (
          <div key={f.name} className={f.kind === 'textarea' ? 'f-portal__wide' : undefined}>
            <dt>{labelOf(f, i18n.language)}</dt>
            <dd>{display(f, data.record[f.name], i18n.language)}</dd>
          </div>
        ))}
      </dl>
      <section className="f-portal__card">
        <h2>{t('portal.files')}</h2>
        {data.files.length ? (
          <ul className="f-portal__files">
            {data.files.map((f) => (
              <li key={f.id}>
                <a href={api.fileUrl(id, f.id)}>{f.name}</a>
              </li>
            ))}
          </ul>
        ) : (
          <p className="f-portal__muted">{t('portal.noFiles')}</p>
        )}
        <label className="f-btn f-btn--secondary f-btn--md f-portal__upload">
          <Paperclip size={16} aria-hidden="true" />
          {t('portal.attach')}
          <input type="file" className="f-portal__file-input" onChange={(e) => upload(e.target.files?.[0])} />
        </label>
      </section>
      <section className="f-portal__card">
        <h2>{t('portal.conversation')}</h2>
        {data.comments.length ? (
          <ol className="f-portal__comments">
            {data.comments.map((c) => (
              <li key={c.id} className={c.mine ? 'f-portal__comment f-portal__comment--mine' : 'f-portal__comment'}>
                <span className="f-portal__comment-who">
                  {c.mine ? t('portal.you') : t('portal.team')} · {new Date(c.createdAt).toLocaleString(i18n.language)}
                </span>
                <p>{c.body}</p>
              </li>
            ))}
          </ol>
        ) : (
          <p className="f-portal__muted">{t('portal.noComments')}</p>
        )}
        <form onSubmit={send} className="f-portal__reply">
          <label className="f-portal__control">
            <span className="f-field__label">{t('portal.comment')}</span>
            <textarea
              rows={3}
              maxLength={4000}
              value={text}
              onChange={(e) => setText(e.target.value)}
              className="f-portal__input"
            />
          </label>
          {failed && (
            <p role="alert" className="f-portal__alert">
              {t('portal.error')}
            </p>
          )}
          <Button variant="primary" type="submit" disabled={busy || !text.trim()}>
            {t('portal.sendComment')}
          </Button>
        </form>
      </section>
    </article>
  );
}
