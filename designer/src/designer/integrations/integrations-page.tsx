import { Plug } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { Page, PageHeader } from '../../ui';
import { QueryState } from '../common/query-state';
import { useMetaDocument } from '../objects/use-meta-document';
import { ApiKeysPanel } from './api-keys-panel';
import { WebhooksPanel } from './webhooks-panel';
import './integrations.css';

const TABS = ['webhooks', 'keys'] as const;

/** `/designer/integrations`: outbound webhooks (`?tab=webhooks`) and API keys (`?tab=keys`). */
export function IntegrationsPage() {
  const { t } = useTranslation();
  const meta = useMetaDocument();
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') === 'keys' ? 'keys' : 'webhooks';
  return (
    <Page>
      <PageHeader
        icon={<Plug size={22} aria-hidden="true" />}
        title={t('integrations.title')}
        subtitle={t('integrations.subtitle')}
      />
      <div className="f-int-tabs" role="tablist" aria-label={t('integrations.title')}>
        {TABS.map((k) => (
          <button
            key={k}
            type="button"
            role="tab"
            id={`f-int-tab-${k}`}
            aria-selected={tab === k}
            aria-controls="f-int-panel"
            className="f-int-tab"
            onClick={() => setParams(k === 'webhooks' ? {} : { tab: k }, { replace: true })}
          >
            {t(k === 'webhooks' ? 'integrations.webhooks' : 'integrations.apiKeys')}
          </button>
        ))}
      </div>
      <div id="f-int-panel" role="tabpanel" aria-labelledby={`f-int-tab-${tab}`}>
        <QueryState query={meta}>
          {(doc) => (tab === 'keys' ? <ApiKeysPanel meta={doc} /> : <WebhooksPanel meta={doc} />)}
        </QueryState>
      </div>
    </Page>
  );
}
