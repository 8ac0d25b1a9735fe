import { useQuery } from '@tanstack/react-query';
import { Mail } from 'lucide-react';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../api/api-context';
import { isApiError } from '../api/api-error';
import { fieldLabel } from '../i18n/pick-label';
import type { ObjectSchema } from '../meta/meta-types';
import { fieldKind, labelFieldOf } from '../records/field-kind';
import type { ApiFilter } from '../records/filter-model';
import { useRecordsApi } from '../records/use-records-api';
import { useSession } from '../session/session-context';
import { Button, Dialog, TextField } from '../ui';
import { documentsApi, type MergeEmailReport, type MergeInput, type MergePreviewDoc } from './documents-api';
import '../designer/documents/documents.css';

type Step = 'compose' | 'confirm' | 'done';

interface Audience {
  total: number;
  withoutEmail: number;
  names: string[];
}

/** "Mail merge this list": the whole list as filtered now (its view and the user's filters). */
export function MailMergeListButton({
  object,
  schema,
  filter,
  lang,
}: {
  object: string;
  schema: ObjectSchema;
  filter: ApiFilter | undefined;
  lang: string;
}) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  if (emailFieldsOf(schema).length === 0) return null;
  return (
    <>
      <Button icon={<Mail size={16} aria-hidden="true" />} onClick={() => setOpen(true)}>
        {t('mailMerge.wholeList')}
      </Button>
      {open && (
        <MailMergeDialog
          open={open}
          onClose={() => setOpen(false)}
          object={object}
          schema={schema}
          filter={filter ?? {}}
          lang={lang}
        />
      )}
    </>
  );
}

/** E-mail fields of an object, the addresses a merge may send to. */
export const emailFieldsOf = (schema: ObjectSchema) =>
  Object.entries(schema.properties ?? {})
    .filter(([, f]) => fieldKind(f) === 'email')
    .map(([name]) => name);

/**
 * Mail merge over `filter` (a list selection, a view, or one record): pick a template and the
 * e-mail, preview the first documents, confirm with the count and who has no address, send through
 * `POST /api/records/:object/merge`, and show what was queued, skipped and failed.
 */
export function MailMergeDialog({
  open,
  onClose,
  object,
  schema,
  filter,
  lang,
}: {
  open: boolean;
  onClose(): void;
  object: string;
  schema: ObjectSchema;
  filter: ApiFilter;
  lang: string;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const records = useRecordsApi();
  const session = useSession();
  const emails = emailFieldsOf(schema);
  const templates = useQuery({
    queryKey: ['print-templates', session.tenant, object],
    queryFn: () => documentsApi(api).list(object),
    enabled: open,
  });
  const [template, setTemplate] = useState('');
  const [to, setTo] = useState(emails[0] ?? '');
  const labelField = labelFieldOf(schema);
  const [subject, setSubject] = useState(labelField ? `{{${labelField}}}` : '');
  const [attach, setAttach] = useState(true);
  const [step, setStep] = useState<Step>('compose');
  const [preview, setPreview] = useState<MergePreviewDoc[] | undefined>();
  const [audience, setAudience] = useState<Audience | undefined>();
  const [report, setReport] = useState<MergeEmailReport | undefined>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const chosen = templates.data?.find((x) => x.name === (template || templates.data?.[0]?.name));

  const input = useMemo((): MergeInput | undefined => {
    if (!chosen) return undefined;
    return {
      ...(chosen.kind === 'docx' ? { wordTemplate: chosen.name } : { template: chosen.name }),
      filter,
      email: { to, subject, attach },
    };
  }, [chosen, filter, to, subject, attach]);

  const close = () => {
    setStep('compose');
    setPreview(undefined);
    setAudience(undefined);
    setReport(undefined);
    setErrors({});
    onClose();
  };

  const refused = (e: unknown) => {
    if (isApiError(e) && e.fields && Object.keys(e.fields).length > 0) {
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(e.fields))
        out[k.startsWith('email.subject') ? 'subject' : k.startsWith('email.to') ? 'to' : 'form'] = `${v} (${k})`;
      setErrors(out);
    } else setErrors({ form: e instanceof Error ? e.message : String(e) });
  };

  const check = (): boolean => {
    const out: Record<string, string> = {};
    if (!chosen) out.template = t('documents.required');
    if (!to) out.to = t('mailMerge.noEmailField');
    if (!subject.trim()) out.subject = t('documents.required');
    setErrors(out);
    return Object.keys(out).length === 0;
  };

  const runPreview = async () => {
    if (!check() || !input) return;
    setBusy(true);
    try {
      setPreview((await documentsApi(api).mergePreview(object, input)).documents);
    } catch (e) {
      refused(e);
    } finally {
      setBusy(false);
    }
  };

  const confirm = async () => {
    if (!check() || !input) return;
    setBusy(true);
    try {
      // Validates the merge (template, subject, address field) before counting anyone.
      await documentsApi(api).mergePreview(object, input);
      const all = await records.list(object, { filter, limit: 1, count: true });
      const missing = await records.list(object, {
        filter:
          Object.keys(filter).length > 0 ? { and: [filter, { [to]: { isNull: true } }] } : { [to]: { isNull: true } },
        limit: 20,
        count: true,
        ...(labelField ? { fields: [labelField] } : {}),
      });
      setAudience({
        total: all.total ?? all.items.length,
        withoutEmail: missing.total ?? missing.items.length,
        names: missing.items.map((r) => String((labelField && r[labelField]) ?? r.id)),
      });
      setStep('confirm');
    } catch (e) {
      refused(e);
    } finally {
      setBusy(false);
    }
  };

  const send = async () => {
    if (!input) return;
    setBusy(true);
    try {
      setReport(await documentsApi(api).mergeEmail(object, input));
      setStep('done');
    } catch (e) {
      setStep('compose');
      refused(e);
    } finally {
      setBusy(false);
    }
  };

  const footer =
    step === 'compose' ? (
      <>
        <Button onClick={close}>{t('common.cancel')}</Button>
        <Button loading={busy} disabled={!chosen} onClick={() => void runPreview()}>
          {t('mailMerge.preview')}
        </Button>
        <Button
          variant="primary"
          loading={busy}
          disabled={!chosen || emails.length === 0}
          onClick={() => void confirm()}
        >
          {t('mailMerge.next')}
        </Button>
      </>
    ) : step === 'confirm' ? (
      <>
        <Button onClick={() => setStep('compose')} disabled={busy}>
          {t('mailMerge.back')}
        </Button>
        <Button
          variant="primary"
          loading={busy}
          disabled={!audience || audience.total - audience.withoutEmail === 0}
          onClick={() => void send()}
        >
          {t('mailMerge.sendCount', { count: audience ? audience.total - audience.withoutEmail : 0 })}
        </Button>
      </>
    ) : (
      <Button variant="primary" onClick={close}>
        {t('common.close')}
      </Button>
    );

  return (
    <Dialog
      open={open}
      onOpenChange={(o) => !o && !busy && close()}
      title={t('mailMerge.title')}
      closeLabel={t('common.close')}
      width={640}
      footer={footer}
    >
      {step === 'compose' && (
        <div className="f-doc-form">
          {templates.data && templates.data.length === 0 && <p role="alert">{t('mailMerge.noTemplates')}</p>}
          {emails.length === 0 && (
            <p className="f-field__error" role="alert">
              {t('mailMerge.noEmailField')}
            </p>
          )}
          <label className="f-field">
            <span className="f-field__label">{t('mailMerge.template')}</span>
            <select className="f-select" value={chosen?.name ?? ''} onChange={(e) => setTemplate(e.target.value)}>
              {(templates.data ?? []).map((x) => (
                <option key={x.name} value={x.name}>
                  {x.kind === 'docx' ? t('mailMerge.wordOption', { label: x.label }) : x.label}
                </option>
              ))}
            </select>
            {errors.template && <span className="f-field__error">{errors.template}</span>}
          </label>
          {emails.length > 0 && (
            <label className={`f-field${errors.to ? ' f-field--invalid' : ''}`}>
              <span className="f-field__label">{t('mailMerge.to')}</span>
              <select className="f-select" value={to} onChange={(e) => setTo(e.target.value)}>
                {emails.map((f) => (
                  <option key={f} value={f}>
                    {fieldLabel(schema, f, lang)}
                  </option>
                ))}
              </select>
              {errors.to && <span className="f-field__error">{errors.to}</span>}
            </label>
          )}
          <TextField
            label={t('mailMerge.subject')}
            value={subject}
            hint={t('mailMerge.subjectHint', { example: labelField ? `{{${labelField}}}` : '{{name}}' })}
            error={errors.subject}
            onChange={(e) => {
              setSubject(e.target.value);
              setErrors(({ subject: _s, ...rest }) => rest);
            }}
          />
          <label className="f-doc-check">
            <input type="checkbox" checked={attach} onChange={(e) => setAttach(e.target.checked)} />{' '}
            {t('mailMerge.attach')}
          </label>
          {errors.form && (
            <p className="f-field__error" role="alert">
              {errors.form}
            </p>
          )}
          {preview && (
            <section aria-label={t('mailMerge.previewTitle')}>
              <h3 className="f-doc-subtitle">{t('mailMerge.previewTitle', { count: preview.length })}</h3>
              {preview.map((d) => (
                <article key={d.id} className="f-doc-merge-doc">
                  <strong>{d.label}</strong>
                  {d.email && (
                    <div>
                      {t('mailMerge.previewTo', {
                        to: d.email.to || t('mailMerge.noAddress'),
                        subject: d.email.subject,
                      })}
                    </div>
                  )}
                  <div>{d.text}</div>
                </article>
              ))}
            </section>
          )}
        </div>
      )}
      {step === 'confirm' && audience && (
        <div role="status">
          <p>{t('mailMerge.confirmCount', { count: audience.total - audience.withoutEmail, total: audience.total })}</p>
          {audience.withoutEmail > 0 && (
            <>
              <p>{t('mailMerge.confirmMissing', { count: audience.withoutEmail })}</p>
              <ul className="f-doc-merge-list">
                {audience.names.map((n) => (
                  <li key={n}>{n}</li>
                ))}
                {audience.withoutEmail > audience.names.length && (
                  <li>{t('mailMerge.andMore', { count: audience.withoutEmail - audience.names.length })}</li>
                )}
              </ul>
            </>
          )}
        </div>
      )}
      {step === 'done' && report && (
        <div role="status">
          <p>{t('mailMerge.queued', { count: report.queued })}</p>
          {report.missingCount > 0 && (
            <>
              <p>{t('mailMerge.skipped', { count: report.missingCount })}</p>
              <ul className="f-doc-merge-list">
                {report.missing.map((m) => (
                  <li key={m.id}>{m.label}</li>
                ))}
              </ul>
            </>
          )}
          {report.failedCount > 0 && (
            <>
              <p className="f-field__error">{t('mailMerge.failed', { count: report.failedCount })}</p>
              <ul className="f-doc-merge-list">
                {report.failed.map((m) => (
                  <li key={m.id}>
                    {m.label}: {m.error}
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
    </Dialog>
  );
}
