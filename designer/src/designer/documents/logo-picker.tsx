import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ImagePlus, Trash2 } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/api-context';
import { isApiError } from '../../api/api-error';
import { documentsApi } from '../../documents/documents-api';
import { useSession } from '../../session/session-context';
import { Button, Dialog, IconButton } from '../../ui';

const LOGO = 'logo';
const MAX_BYTES = 1024 * 1024;
/** What "Insert logo" puts into the body: right-aligned, 160 px wide, at the top of a letter. */
export const LOGO_TAG = `<img src="image:${LOGO}" width="160" align="right">`;

/**
 * The company logo print templates draw: shown, uploaded or replaced (PNG or JPEG up to 1 MB),
 * removed, and inserted into the body as `<img src="image:logo">`. One logo serves every template.
 */
export function LogoPicker({ onInsert }: { onInsert: (tag: string) => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const session = useSession();
  const queryClient = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const key = ['document-images', session.tenant];
  const images = useQuery({ queryKey: key, queryFn: () => documentsApi(api).images() });
  const logo = images.data?.find((i) => i.name === LOGO);
  const url = useLogoUrl(logo?.updatedAt);

  const upload = async (file: File) => {
    setError(undefined);
    if (file.size > MAX_BYTES) {
      setError(t('documents.logoTooLarge'));
      return;
    }
    setBusy(true);
    try {
      await documentsApi(api).uploadImage(LOGO, file);
      await queryClient.invalidateQueries({ queryKey: key });
    } catch (e) {
      setError(
        isApiError(e, 'TOO_LARGE')
          ? t('documents.logoTooLarge')
          : isApiError(e, 'VALIDATION_FAILED')
            ? t('documents.logoRefused', { reason: e.message })
            : e instanceof Error
              ? e.message
              : String(e),
      );
    } finally {
      setBusy(false);
      if (input.current) input.current.value = '';
    }
  };

  const remove = async () => {
    setConfirmRemove(false);
    try {
      await documentsApi(api).removeImage(LOGO);
      await queryClient.invalidateQueries({ queryKey: key });
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <section className="f-doc-logo" aria-label={t('documents.logo')}>
      <h2 className="f-doc-subtitle">{t('documents.logo')}</h2>
      {logo && url ? (
        <img className="f-doc-logo__img" src={url} alt={t('documents.logoAlt')} />
      ) : (
        <p className="f-doc-hint">{images.isPending ? t('common.loading') : t('documents.noLogo')}</p>
      )}
      <input
        ref={input}
        type="file"
        accept="image/png,image/jpeg"
        hidden
        aria-label={t('documents.logoFile')}
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (file) void upload(file);
        }}
      />
      <div className="f-doc-logo__actions">
        <Button icon={<ImagePlus size={16} aria-hidden="true" />} loading={busy} onClick={() => input.current?.click()}>
          {logo ? t('documents.replaceLogo') : t('documents.uploadLogo')}
        </Button>
        {logo && (
          <>
            <Button variant="primary" onClick={() => onInsert(LOGO_TAG)}>
              {t('documents.insertLogo')}
            </Button>
            <IconButton
              label={t('documents.removeLogo')}
              icon={<Trash2 size={16} aria-hidden="true" />}
              onClick={() => setConfirmRemove(true)}
            />
          </>
        )}
      </div>
      <p className="f-doc-hint">{t('documents.logoHint')}</p>
      {error && (
        <p className="f-field__error" role="alert">
          {error}
        </p>
      )}
      <Dialog
        open={confirmRemove}
        onOpenChange={setConfirmRemove}
        title={t('documents.removeLogoTitle')}
        description={t('documents.removeLogoBody')}
        closeLabel={t('common.close')}
        footer={
          <>
            <Button onClick={() => setConfirmRemove(false)}>{t('common.cancel')}</Button>
            <Button variant="danger" onClick={() => void remove()}>
              {t('documents.removeLogo')}
            </Button>
          </>
        }
      />
    </section>
  );
}

/** The stored logo as an object URL (the image route needs the session's bearer token, an <img> cannot send it). */
function useLogoUrl(version: string | undefined): string | undefined {
  const api = useApi();
  const [url, setUrl] = useState<string>();
  useEffect(() => {
    if (!version) {
      setUrl(undefined);
      return;
    }
    let live = true;
    let made: string | undefined;
    void documentsApi(api)
      .imageBlob(LOGO)
      .then((blob) => {
        if (!live) return;
        made = URL.createObjectURL(blob);
        setUrl(made);
      })
      .catch(() => live && setUrl(undefined));
    return () => {
      live = false;
      if (made) URL.revokeObjectURL(made);
    };
  }, [api, version]);
  return url;
}
