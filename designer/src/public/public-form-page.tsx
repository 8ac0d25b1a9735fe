import type { PublicWebForm, PublicWebFormResult } from '@forma/metadata/api-types';
import { type CSSProperties, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams, useSearchParams } from 'react-router';
import { useApi } from '../api/api-context';
import { isApiError } from '../api/api-error';
import { normalizeLocale } from '../i18n/locale-preference';
import type { ObjectSchema } from '../meta/meta-types';
import { buildRecordForm, extraErrorsOf } from '../records/form-schema';
import { RecordFormView } from '../records/record-form';
import { LanguageSwitch } from '../shell/language-switch';
import { Button } from '../ui';
import './public-form-page.css';
// The <altcha-widget> element's JSX attributes (types only: the widget loads with altcha-setup).
import type {} from 'altcha/types/react';

type Json = Record<string, unknown>;

/**
 * `/f/:tenant/:form`: a public web form (docs/public-forms.md), no sign-in. The exposed fields are
 * drawn by the same form generator as record pages; the browser solves the ALTCHA proof of work
 * while the visitor types. Embeddable in an iframe (`?lang=zh-CN` picks the language).
 */
export function PublicFormPage() {
  const { tenant = '', form: name = '' } = useParams();
  const [params] = useSearchParams();
  const { t, i18n } = useTranslation();
  const api = useApi();
  const asked = normalizeLocale(params.get('lang') ?? '');
  useEffect(() => {
    if (asked && asked !== i18n.language) void i18n.changeLanguage(asked);
  }, [asked, i18n]);
  const lang = normalizeLocale(i18n.resolvedLanguage ?? i18n.language) ?? 'en';

  // Plain state, not the query cache: the session check's 401 clears that cache, this page has no session.
  const [definition, setDefinition] = useState<{ data?: PublicWebForm; error?: unknown }>({});
  useEffect(() => {
    let live = true;
    api
      .get<PublicWebForm>(`/api/public/forms/${tenant}/${name}`, { query: { lang } })
      .then((data) => live && setDefinition({ data }))
      .catch((error: unknown) => live && setDefinition({ error }));
    return () => {
      live = false;
    };
  }, [api, tenant, name, lang]);
  const def = definition.data;
  const form = useMemo(
    () => (def ? buildRecordForm(def.schema as ObjectSchema, { uiSchema: def.uiSchema }, lang) : undefined),
    [def, lang],
  );

  const [data, setData] = useState<Json>({});
  useEffect(() => {
    if (def) setData((d) => ({ ...def.formData, ...d }));
  }, [def]);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>();
  const [formError, setFormError] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string>();
  const [honey, setHoney] = useState('');
  const pow = useProofOfWork(def?.proofOfWork === true);

  useEffect(() => {
    if (def) document.title = def.label;
  }, [def]);

  async function submit(values: Json) {
    setFieldErrors(undefined);
    setFormError('');
    const altcha = pow.payload();
    if (def?.proofOfWork && !altcha) {
      setFormError(t('publicForm.robotCheck'));
      return;
    }
    setBusy(true);
    try {
      const body: Json = { ...values, [def?.honeypot ?? 'website_url']: honey, ...(altcha ? { altcha } : {}) };
      const r = await api.post<PublicWebFormResult>(`/api/public/forms/${tenant}/${name}`, body, {
        query: { lang },
      });
      if (r.redirectUrl) {
        redirectTo(r.redirectUrl);
        return;
      }
      setDone(r.thankYou);
    } catch (err) {
      // A proof of work is spent by every try the server checked: the next try needs a new one.
      pow.reset();
      if (isApiError(err) && err.fields && Object.keys(err.fields).some((k) => k !== 'altcha')) {
        setFieldErrors(err.fields);
        setFormError(t('publicForm.fixFields'));
      } else setFormError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  const accent = def?.accentColor ? ({ '--f-public-accent': def.accentColor } as CSSProperties) : undefined;
  return (
    <div className="f-public" style={accent}>
      <header className="f-public__bar">
        <span className="f-public__brand" data-testid="public-form-brand">
          {def?.tenant.name ?? ''}
        </span>
        <LanguageSwitch />
      </header>
      <main className="f-public__main">
        <div className="f-public__card">
          {!definition.data && !definition.error && <p className="f-public__muted">{t('publicForm.loading')}</p>}
          {definition.error !== undefined && (
            <p className="f-public__alert" role="alert">
              {isApiError(definition.error, 'NOT_FOUND') ? t('publicForm.notFound') : t('publicForm.loadFailed')}
            </p>
          )}
          {def && form && done !== undefined && (
            <div className="f-public__done" role="status" data-testid="public-form-thanks">
              <h1>{t('publicForm.sentTitle')}</h1>
              <p>{done}</p>
            </div>
          )}
          {def && form && done === undefined && (
            <>
              <h1 className="f-public__title">{def.label}</h1>
              {def.description && <p className="f-public__description">{def.description}</p>}
              {formError && (
                <div className="f-public__alert" role="alert">
                  {formError}
                </div>
              )}
              <RecordFormView
                form={form}
                data={data}
                onChange={setData}
                onSubmit={(values) => void submit(values)}
                extraErrors={extraErrorsOf(fieldErrors, form)}
                disabled={busy}
              >
                {/* Humans never see this field; bots that fill every input give themselves away. */}
                <div className="f-public__honey" aria-hidden="true">
                  <label>
                    {t('publicForm.honeypot')}
                    <input
                      name={def.honeypot ?? 'website_url'}
                      tabIndex={-1}
                      autoComplete="off"
                      value={honey}
                      onChange={(e) => setHoney(e.target.value)}
                    />
                  </label>
                </div>
                {def.proofOfWork && def.challengeUrl && pow.ready && (
                  <div className="f-public__pow">
                    <altcha-widget
                      ref={pow.ref}
                      challenge={def.challengeUrl}
                      auto="onload"
                      language={lang === 'zh-CN' ? 'zh-cn' : 'en'}
                      workers={2}
                    />
                  </div>
                )}
                <div className="f-public__actions">
                  <Button type="submit" variant="primary" loading={busy} data-testid="public-form-submit">
                    {busy ? t('publicForm.sending') : def.submitLabel}
                  </Button>
                </div>
              </RecordFormView>
            </>
          )}
        </div>
        <p className="f-public__footer">{t('publicForm.poweredBy')}</p>
      </main>
    </div>
  );
}

/** The widget's solved payload (its `statechange` event), loaded only where a form needs it. */
function useProofOfWork(enabled: boolean) {
  const ref = useRef<HTMLElement | null>(null);
  const payload = useRef('');
  const [ready, setReady] = useState(false);
  useEffect(() => {
    if (!enabled) return;
    let cancelled = false;
    void import('./altcha-setup').then(() => {
      if (!cancelled) setReady(true);
    });
    return () => {
      cancelled = true;
    };
  }, [enabled]);
  useEffect(() => {
    const el = ref.current;
    if (!el || !ready) return;
    const onState = (e: Event) => {
      const detail = (e as CustomEvent<{ state: string; payload?: string }>).detail;
      payload.current = detail.state === 'verified' && detail.payload ? detail.payload : '';
    };
    el.addEventListener('statechange', onState);
    return () => el.removeEventListener('statechange', onState);
  }, [ready]);
  return {
    ref,
    /** The widget is drawn only once its algorithms are registered, so its first try can succeed. */
    ready,
    // The event's payload, else the widget's own hidden input (the event may fire before we listen).
    payload: () =>
      payload.current || (ref.current?.querySelector('input[name="altcha"]') as HTMLInputElement | null)?.value || '',
    reset: () => {
      payload.current = '';
      (ref.current as unknown as { reset?: () => void; verify?: () => unknown } | null)?.reset?.();
      void (ref.current as unknown as { verify?: () => Promise<unknown> } | null)?.verify?.();
    },
  };
}

/** Inside an iframe the whole page goes to the redirect URL (when the embedding page allows it). */
function redirectTo(url: string) {
  try {
    if (window.top && window.top !== window) {
      window.top.location.href = url;
      return;
    }
  } catch {
    // A sandboxed frame may not navigate its parent: go there inside the frame.
  }
  window.location.href = url;
}
