import { Check, Copy, TriangleAlert } from 'lucide-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, Dialog } from '../../ui';

/**
 * A secret the server returns only in its create answer (a webhook's signing secret, an API key's
 * token): shown here once with a copy button; closing the dialog drops it for good.
 */
export function ShownOnceDialog({
  title,
  label,
  warning,
  value,
  onClose,
}: {
  title: string;
  label: string;
  /** Why it matters and that it is shown only now. */
  warning: string;
  value: string | null;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  async function copy() {
    if (!value) return;
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
    } catch {
      // Without clipboard permission the value stays selectable in the field.
      setCopied(false);
    }
  }
  return (
    <Dialog
      open={value !== null}
      onOpenChange={(open) => {
        if (!open) {
          setCopied(false);
          onClose();
        }
      }}
      title={title}
      closeLabel={t('common.close')}
      footer={
        <Button variant="primary" onClick={onClose}>
          {t('integrations.done')}
        </Button>
      }
    >
      <div className="f-int-once">
        <p className="f-int-once__warning" role="note">
          <TriangleAlert size={18} aria-hidden="true" className="f-int-once__icon" />
          <span>{warning}</span>
        </p>
        <label className="f-field__label" htmlFor="f-int-once-value">
          {label}
        </label>
        <div className="f-int-once__row">
          <input
            id="f-int-once-value"
            className="f-input__control f-int-once__value"
            readOnly
            value={value ?? ''}
            onFocus={(e) => e.currentTarget.select()}
          />
          <Button
            icon={copied ? <Check size={16} aria-hidden="true" /> : <Copy size={16} aria-hidden="true" />}
            onClick={() => void copy()}
          >
            {copied ? t('integrations.copied') : t('integrations.copy')}
          </Button>
        </div>
      </div>
    </Dialog>
  );
}

/** A yes/no question before something that cannot be undone (delete a webhook, revoke a key). */
export function ConfirmDialog({
  open,
  title,
  body,
  confirm,
  busy,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  title: string;
  body: string;
  confirm: string;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  return (
    <Dialog
      open={open}
      onOpenChange={(o) => !o && onCancel()}
      title={title}
      description={body}
      closeLabel={t('common.close')}
      footer={
        <>
          <Button onClick={onCancel}>{t('common.cancel')}</Button>
          <Button variant="danger" loading={busy} onClick={onConfirm}>
            {confirm}
          </Button>
        </>
      }
    />
  );
}

/** A date and time in the user's language, or a dash. */
export function when(iso: string | null | undefined, lang: string): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(lang, { dateStyle: 'medium', timeStyle: 'short' });
}
