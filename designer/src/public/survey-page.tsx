import type { PublicSurvey } from '@forma/metadata/api-types';
import { Star } from 'lucide-react';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { useParams } from 'react-router';
import { Button, Spinner } from '../ui';
import { browserSurveyLocale, SURVEY_TEXTS, type SurveyPageLocale } from './survey-texts';
import './survey-page.css';

type Question = PublicSurvey['questions'][number];
type Answer = number | string;
type State =
  | { kind: 'loading' }
  | { kind: 'open'; survey: PublicSurvey }
  | { kind: 'done'; thanks: string | null }
  | { kind: 'closed'; reason: 'answered' | 'expired' | 'invalid' | 'busy' | 'failed' };

interface ErrorBody {
  error?: {
    code?: string;
    message?: string;
    fields?: Record<string, string>;
    details?: { reason?: string; locale?: string };
  };
}

const asLocale = (v: unknown): SurveyPageLocale | undefined => (v === 'en' || v === 'zh-CN' ? v : undefined);

/**
 * `/s/:token`: a satisfaction survey a customer opens from an e-mail, without signing in
 * (docs/surveys.md). It speaks the invitation's language unless the customer switches; it answers
 * once and says so plainly when a link was used, has expired or is broken.
 */
export function SurveyPage() {
  const { token = '' } = useParams();
  const [locale, setLocale] = useState<SurveyPageLocale | undefined>();
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [answers, setAnswers] = useState<Record<string, Answer>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState('');
  const [busy, setBusy] = useState(false);
  const shown: SurveyPageLocale = locale ?? (state.kind === 'open' ? state.survey.locale : browserSurveyLocale());
  const t = SURVEY_TEXTS[shown];
  const url = useCallback(
    (l?: SurveyPageLocale) =>
      `/api/public/surveys/${encodeURIComponent(token)}${l ? `?locale=${encodeURIComponent(l)}` : ''}`,
    [token],
  );

  useEffect(() => {
    let live = true;
    void (async () => {
      try {
        const res = await fetch(url(locale), { credentials: 'omit' });
        const body = (await res.json().catch(() => ({}))) as ErrorBody & { survey?: PublicSurvey };
        if (!live) return;
        if (res.ok && body.survey) setState({ kind: 'open', survey: body.survey });
        else {
          if (!locale) setLocale(asLocale(body.error?.details?.locale));
          setState({ kind: 'closed', reason: closedReason(res.status, body) });
        }
      } catch {
        if (live) setState({ kind: 'closed', reason: 'failed' });
      }
    })();
    return () => {
      live = false;
    };
  }, [url, locale]);

  useEffect(() => {
    document.documentElement.lang = shown === 'zh-CN' ? 'zh-CN' : 'en';
    if (state.kind === 'open') document.title = state.survey.title;
  }, [shown, state]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (state.kind !== 'open') return;
    const missing: Record<string, string> = {};
    for (const q of state.survey.questions) if (q.required && answers[q.id] === undefined) missing[q.id] = t.required;
    setErrors(missing);
    setFormError('');
    if (Object.keys(missing).length) {
      setFormError(t.fixErrors);
      focusQuestion(Object.keys(missing)[0]!);
      return;
    }
    setBusy(true);
    try {
      const res = await fetch(url(locale), {
        method: 'POST',
        credentials: 'omit',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ answers }),
      });
      const body = (await res.json().catch(() => ({}))) as ErrorBody & { thanks?: string | null };
      if (res.status === 201) setState({ kind: 'done', thanks: body.thanks ?? null });
      else if (res.status === 400 && body.error?.fields) {
        setErrors(body.error.fields);
        setFormError(body.error.message ?? t.fixErrors);
        focusQuestion(Object.keys(body.error.fields)[0]!);
      } else if (res.status === 429) setFormError(t.busy);
      else if (res.status === 404 || res.status === 409)
        setState({ kind: 'closed', reason: closedReason(res.status, body) });
      else setFormError(t.failed);
    } catch {
      setFormError(t.failed);
    } finally {
      setBusy(false);
    }
  }

  const set = (id: string, v: Answer | undefined) => {
    setAnswers((a) => {
      const next = { ...a };
      if (v === undefined) delete next[id];
      else next[id] = v;
      return next;
    });
    setErrors(({ [id]: _gone, ...rest }) => rest);
    // The sentence above the button was about the answers now being changed.
    setFormError('');
  };

  return (
    <div className="f-survey">
      <main className="f-survey__card">
        <div className="f-survey__top">
          <fieldset className="f-survey__lang" aria-label={t.language}>
            {(['en', 'zh-CN'] as const).map((l) => (
              <button
                key={l}
                type="button"
                className="f-survey__lang-btn"
                aria-pressed={shown === l}
                lang={l}
                onClick={() => setLocale(l)}
              >
                {l === 'en' ? 'English' : '中文'}
              </button>
            ))}
          </fieldset>
        </div>
        {state.kind === 'loading' && (
          <div className="f-survey__center" aria-live="polite">
            <Spinner /> <span>{t.loading}</span>
          </div>
        )}
        {state.kind === 'closed' && <Closed reason={state.reason} t={t} />}
        {state.kind === 'done' && (
          <section className="f-survey__center" aria-live="polite" data-testid="survey-thanks">
            <h1>{t.thanksTitle}</h1>
            {state.thanks && <p>{state.thanks}</p>}
          </section>
        )}
        {state.kind === 'open' && (
          <form onSubmit={(e) => void submit(e)} noValidate>
            <h1 className="f-survey__title">{state.survey.title}</h1>
            {state.survey.intro && <p className="f-survey__intro">{state.survey.intro}</p>}
            {state.survey.questions.map((q) => (
              <QuestionField
                key={q.id}
                q={q}
                value={answers[q.id]}
                error={errors[q.id]}
                onChange={(v) => set(q.id, v)}
                t={t}
              />
            ))}
            {formError && (
              <div className="f-survey__alert" role="alert">
                {formError}
              </div>
            )}
            <Button variant="primary" type="submit" loading={busy} className="f-survey__send">
              {t.send}
            </Button>
          </form>
        )}
      </main>
    </div>
  );
}

function closedReason(status: number, body: ErrorBody): 'answered' | 'expired' | 'invalid' | 'busy' | 'failed' {
  if (status === 409) return 'answered';
  if (status === 404) return body.error?.details?.reason === 'expired' ? 'expired' : 'invalid';
  if (status === 429) return 'busy';
  return 'failed';
}

function focusQuestion(id: string) {
  requestAnimationFrame(() => document.getElementById(`q-${id}`)?.focus());
}

function Closed({
  reason,
  t,
}: {
  reason: 'answered' | 'expired' | 'invalid' | 'busy' | 'failed';
  t: (typeof SURVEY_TEXTS)[SurveyPageLocale];
}) {
  const [title, text] =
    reason === 'answered'
      ? [t.answeredTitle, t.answered]
      : reason === 'expired'
        ? [t.expiredTitle, t.expired]
        : reason === 'invalid'
          ? [t.invalidTitle, t.invalid]
          : [t.failed, reason === 'busy' ? t.busy : ''];
  return (
    <section className="f-survey__center" role="status" data-testid={`survey-${reason}`}>
      <h1>{title}</h1>
      {text && <p>{text}</p>}
    </section>
  );
}

function QuestionField({
  q,
  value,
  error,
  onChange,
  t,
}: {
  q: Question;
  value: Answer | undefined;
  error: string | undefined;
  onChange: (v: Answer | undefined) => void;
  t: (typeof SURVEY_TEXTS)[SurveyPageLocale];
}) {
  const labelId = `q-${q.id}-label`;
  const errorId = `q-${q.id}-error`;
  const described = error ? errorId : undefined;
  return (
    <section className={`f-survey__q${error ? ' f-survey__q--error' : ''}`} data-question={q.id}>
      <div className="f-survey__label" id={labelId}>
        {q.label}
        <span className="f-survey__req">{q.required ? t.required : t.optional}</span>
      </div>
      {(q.kind === 'rating' || q.kind === 'nps') && (
        <div
          role="radiogroup"
          aria-labelledby={labelId}
          aria-describedby={described}
          aria-invalid={error ? true : undefined}
          id={`q-${q.id}`}
          tabIndex={-1}
          className={q.kind === 'rating' ? 'f-survey__stars' : 'f-survey__scale'}
        >
          {range(q.min ?? 0, q.max ?? 10).map((n) => (
            // biome-ignore lint/a11y/useSemanticElements: a row of buttons reads better on a phone than radio inputs
            <button
              key={n}
              type="button"
              role="radio"
              aria-checked={value === n}
              aria-label={q.kind === 'rating' ? t.stars(n) : String(n)}
              className={
                q.kind === 'rating'
                  ? `f-survey__star${typeof value === 'number' && n <= value ? ' is-on' : ''}`
                  : `f-survey__num${value === n ? ' is-on' : ''}`
              }
              onClick={() => onChange(value === n ? undefined : n)}
            >
              {q.kind === 'rating' ? <Star size={30} aria-hidden="true" /> : n}
            </button>
          ))}
        </div>
      )}
      {q.kind === 'nps' && (
        <div className="f-survey__ends" aria-hidden="true">
          <span>{t.notLikely}</span>
          <span>{t.veryLikely}</span>
        </div>
      )}
      {q.kind === 'choice' && (
        <div
          role="radiogroup"
          aria-labelledby={labelId}
          aria-describedby={described}
          id={`q-${q.id}`}
          tabIndex={-1}
          className="f-survey__choices"
        >
          {(q.choices ?? []).map((c) => (
            <label key={c.value} className={`f-survey__choice${value === c.value ? ' is-on' : ''}`}>
              <input
                type="radio"
                name={q.id}
                value={c.value}
                checked={value === c.value}
                onChange={() => onChange(c.value)}
              />
              <span>{c.label}</span>
            </label>
          ))}
        </div>
      )}
      {q.kind === 'text' && (
        <>
          <textarea
            id={`q-${q.id}`}
            className="f-survey__text"
            aria-labelledby={labelId}
            aria-describedby={described}
            aria-invalid={error ? true : undefined}
            rows={4}
            maxLength={q.maxLength}
            value={typeof value === 'string' ? value : ''}
            onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}
          />
          {q.maxLength && (
            <div className="f-survey__count">{t.chars(typeof value === 'string' ? value.length : 0, q.maxLength)}</div>
          )}
        </>
      )}
      {error && (
        <div className="f-survey__error" id={errorId}>
          {error}
        </div>
      )}
    </section>
  );
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
