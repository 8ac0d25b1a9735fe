import { useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { CheckCircle2, Database, Download, LayoutTemplate, PackageOpen } from 'lucide-react';
import { useApi } from '../../api/api-context';
import { useSession } from '../../session/session-context';
import { Badge, Button, Card, EmptyState, ErrorState, LoadingState, Page, PageHeader, useToast } from '../../ui';
import { ApplyTemplateDialog } from './apply-template-dialog';
import { SampleUsersDialog } from './sample-users-dialog';
import {
  downloadJson,
  type ExportLayer,
  exportConfiguration,
  exportFileName,
  fetchTemplates,
  type TemplateApplyResult,
  type TemplateInfo,
} from './templates-api';
import './templates-page.css';

/** `/designer/templates`: apply an industry template (its plan first); export this configuration as one. */
export function TemplatesPage() {
  const { t } = useTranslation();
  const client = useApi();
  const toast = useToast();
  const templates = useQuery({
    queryKey: ['designer', 'templates'],
    queryFn: ({ signal }) => fetchTemplates(client, signal),
  });
  const [applying, setApplying] = useState<TemplateInfo | null>(null);
  const [applied, setApplied] = useState<{ label: string; result: TemplateApplyResult } | null>(null);

  // Applied already: the same version is applied again (repairs what was removed), a newer one updates.
  const applyText = (tpl: TemplateInfo) =>
    !tpl.applied
      ? t('templateGallery.apply')
      : tpl.applied.version === tpl.version
        ? t('templateGallery.reapply')
        : t('templateGallery.update', { version: tpl.version });
  let gallery: React.ReactNode;
  if (templates.isPending) gallery = <LoadingState label={t('common.loading')} />;
  else if (templates.isError)
    gallery = (
      <ErrorState
        headingLevel={2}
        title={t('errors.title')}
        body={templates.error.message}
        action={<Button onClick={() => void templates.refetch()}>{t('common.retry')}</Button>}
      />
    );
  else if (templates.data.length === 0)
    gallery = (
      <EmptyState
        icon={<PackageOpen size={22} aria-hidden="true" />}
        headingLevel={2}
        title={t('templateGallery.noTemplatesTitle')}
        body={t('templateGallery.noTemplatesBody')}
      />
    );
  else
    gallery = (
      <ul className="f-tpl-gallery">
        {templates.data.map((tpl) => (
          <li key={tpl.name}>
            <Card as="article" className="f-tpl-card">
              <div className="f-tpl-card__icon">
                <LayoutTemplate size={22} aria-hidden="true" />
              </div>
              <h3 className="f-tpl-card__title">{tpl.label}</h3>
              <p className="f-tpl-card__meta">
                <code>{tpl.name}</code> · {t('templateGallery.version', { version: tpl.version })}
              </p>
              {tpl.description && <p className="f-tpl-card__body">{tpl.description}</p>}
              <p className="f-tpl-card__tags">
                <Badge>
                  <Database size={12} aria-hidden="true" />{' '}
                  {t('templateGallery.objects', { count: tpl.objects.length })}
                </Badge>
                {tpl.hasSampleData && <Badge tone="primary">{t('templateGallery.hasSampleData')}</Badge>}
                {tpl.applied && (
                  <Badge tone="success">
                    <CheckCircle2 size={12} aria-hidden="true" />{' '}
                    {t('templateGallery.appliedBadge', { version: tpl.applied.version })}
                  </Badge>
                )}
              </p>
              {tpl.objects.length > 0 && <p className="f-tpl-card__objects">{tpl.objects.join(', ')}</p>}
              <div className="f-tpl-card__actions">
                <Button
                  variant={tpl.applied?.version === tpl.version ? 'secondary' : 'primary'}
                  onClick={() => setApplying(tpl)}
                  aria-label={`${applyText(tpl)} ${tpl.label}`}
                >
                  {applyText(tpl)}
                </Button>
              </div>
            </Card>
          </li>
        ))}
      </ul>
    );

  return (
    <Page wide>
      <PageHeader
        icon={<LayoutTemplate size={22} aria-hidden="true" />}
        title={t('templateGallery.title')}
        subtitle={t('templateGallery.subtitle')}
        actions={<Link to="/designer">{t('templateGallery.backToDesigner')}</Link>}
      />
      <section className="f-tpl-section" aria-labelledby="f-tpl-gallery-title">
        <h2 id="f-tpl-gallery-title" className="f-tpl-section__title">
          {t('templateGallery.gallery')}
        </h2>
        {gallery}
      </section>
      <ExportCard />
      <ApplyTemplateDialog
        template={applying}
        onOpenChange={(o) => !o && setApplying(null)}
        onApplied={(result, tpl) => {
          toast({ tone: 'success', title: t('templateGallery.applied', { label: tpl.label, version: tpl.version }) });
          void templates.refetch();
          if (result.sampleUsers?.length) setApplied({ label: tpl.label, result });
        }}
      />
      <SampleUsersDialog applied={applied} onClose={() => setApplied(null)} />
    </Page>
  );
}

function ExportCard() {
  const { t } = useTranslation();
  const client = useApi();
  const session = useSession();
  const toast = useToast();
  const id = useId();
  const [layer, setLayer] = useState<ExportLayer>('all');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const download = async () => {
    setBusy(true);
    setError(null);
    try {
      const doc = await exportConfiguration(client, layer);
      downloadJson(doc, exportFileName(session.tenant, layer, new Date()));
      toast({ tone: 'success', title: t('templateGallery.downloaded') });
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title={t('templateGallery.exportTitle')} className="f-tpl-export">
      <p className="f-tpl-card__body">{t('templateGallery.exportBody')}</p>
      <fieldset className="f-tpl-export__layers">
        <legend className="f-field__label">{t('templateGallery.exportLayer')}</legend>
        {(['all', 'own'] as const).map((l) => (
          <label key={l} htmlFor={`${id}-${l}`}>
            <input
              id={`${id}-${l}`}
              type="radio"
              name={`${id}-layer`}
              value={l}
              checked={layer === l}
              onChange={() => setLayer(l)}
            />
            {l === 'all' ? t('templateGallery.exportAll') : t('templateGallery.exportOwn')}
          </label>
        ))}
      </fieldset>
      <Button icon={<Download size={16} aria-hidden="true" />} loading={busy} onClick={() => void download()}>
        {t('templateGallery.download')}
      </Button>
      {error && (
        <p className="f-field__error" role="alert">
          {error}
        </p>
      )}
    </Card>
  );
}
