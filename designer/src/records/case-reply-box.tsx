import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Mail } from 'lucide-react';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../api/api-context';
import { ApiError } from '../api/api-error';
import { apiErrorText } from '../i18n/error-text';
import { useSession } from '../session/session-context';
import { Button } from '../ui';
import { recordKeys } from './use-records-api';
import './case-reply-box.css';

/** `GET /api/records/:object/:id/reply` (docs/email-to-case.md, "Replying from a case"). */
interface ReplyTarget {
  receives: boolean;
  allowed: boolean;
  to: string | null;
  subject: string | null;
}

/** `POST /api/records/:object/:id/reply` → 201. */
interface ReplySent {
  id: string;
  to: string;
  subject: string;
  messageId: string;
}

/**
 * "Reply by e-mail" above a record's timeline. The server says whether it would take a reply here
 * (an inbound address receives the object, the user may change the record, there is a customer
 * address), so the box appears exactly where sending can work and nowhere else.
 */
export function CaseReplyBox({ object, id }: { object: string; id: string }) {
  const { t } = useTranslation();
  const api = useApi();
  const { tenant } = useSession();
  const queryClient = useQueryClient();
  const fieldId = useId();
  const [body, setBody] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [sentTo, setSentTo] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const path = `/api/records/${encodeURIComponent(object)}/${encodeURIComponent(id)}/reply`;
  const target = useQuery({
    queryKey: [...recordKeys.one(tenant, object, id), 'reply-target'],
    queryFn: ({ signal }) => api.get<ReplyTarget>(path, { signal }),
  });
  const t0 = target.data;
  // Nothing to offer (still asking, the question failed, no inbound address, no right to change it).
  if (!t0?.receives || !t0.allowed) return null;
  if (!t0.to)
    return (
      <p className="f-reply f-reply--none" role="note">
        <Mail size={14} aria-hidden="true" /> {t('caseReply.noAddress')}
      </p>
    );

  const errorText = (e: unknown): string => {
    if (!(e instanceof ApiError)) return t('caseReply.failed');
    if (e.code === 'FORBIDDEN') return t('caseReply.forbidden');
    if (e.code === 'NOT_FOUND') return t('caseReply.gone');
    if (e.fields?.body) return t(e.fields.body === 'required' ? 'caseReply.empty' : 'caseReply.tooLong');
    if (e.status === 400) {
      // The case lost its customer address or its inbound address since the box was shown.
      void target.refetch();
      return t('caseReply.cannotReply');
    }
    return apiErrorText(t, e);
  };

  const send = async () => {
    setBusy(true);
    setError(undefined);
    setSentTo(undefined);
    try {
      const sent = await api.post<ReplySent>(path, { body });
      setBody('');
      setSentTo(sent.to);
      // The timeline gets the e-mail; the recipient may have changed if the customer wrote meanwhile.
      await Promise.all(
        ['timeline', 'reply-target'].map((k) =>
          queryClient.invalidateQueries({ queryKey: [...recordKeys.one(tenant, object, id), k] }),
        ),
      );
    } catch (e) {
      // The text stays in the box whatever went wrong, so nothing typed is lost.
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const errorId = `${fieldId}-error`;
  return (
    <form
      className="f-reply"
      aria-label={t('caseReply.title')}
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <div className={error ? 'f-field f-field--invalid' : 'f-field'}>
        <label className="f-field__label" htmlFor={fieldId}>
          {t('caseReply.title')}
        </label>
        <p className="f-reply__to">
          <Mail size={14} aria-hidden="true" /> {t('caseReply.to', { address: t0.to })}
        </p>
        <textarea
          id={fieldId}
          className="f-reply__text"
          rows={4}
          maxLength={20_000}
          value={body}
          placeholder={t('caseReply.placeholder')}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          onChange={(e) => {
            setBody(e.target.value);
            setSentTo(undefined);
          }}
        />
        {error && (
          <p id={errorId} className="f-field__error" role="alert">
            {error}
          </p>
        )}
      </div>
      <div className="f-reply__actions">
        <Button type="submit" variant="primary" loading={busy}>
          {t('caseReply.send')}
        </Button>
        {sentTo && (
          <span className="f-reply__sent" role="status">
            {t('caseReply.sent', { address: sentTo })}
          </span>
        )}
      </div>
    </form>
  );
}
