import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Tabs } from 'radix-ui';
import { Shield } from 'lucide-react';
import { useLocale } from '../../i18n/use-locale';
import type { ObjectSchema } from '../../meta/meta-types';
import { Button, ErrorState, LoadingState, Page, PageHeader } from '../../ui';
import type { RoleDefinition } from './role-model';
import { RolesEditor } from './roles-editor';
import { useMetaDocument } from './use-meta-document';
import { ViewAsPanel } from './view-as-panel';
import './permissions-page.css';

/** `/designer/permissions`: roles × objects, field security, sharing rules, and "view as user". */
export function PermissionsPage() {
  const { t } = useTranslation();
  const { locale } = useLocale();
  const [tab, setTab] = useState('roles');
  const meta = useMetaDocument();

  let body: React.ReactNode;
  if (meta.isPending) body = <LoadingState label={t('common.loading')} />;
  else if (meta.isError)
    body = (
      <ErrorState
        headingLevel={2}
        title={t('errors.title')}
        body={meta.error.message}
        action={<Button onClick={() => void meta.refetch()}>{t('common.retry')}</Button>}
      />
    );
  else {
    const objects = Object.fromEntries(
      Object.entries(meta.data.objects ?? {}).filter((e): e is [string, ObjectSchema] => e[1] !== null),
    );
    const roles = Object.fromEntries(
      Object.entries(meta.data.roles ?? {}).filter((e): e is [string, RoleDefinition] => e[1] !== null),
    );
    body = (
      <Tabs.Root value={tab} onValueChange={setTab} className="f-perm-page">
        <Tabs.List className="f-tabs__list" aria-label={t('permissions.title')}>
          <Tabs.Trigger value="roles" className="f-tabs__tab">
            {t('permissions.rolesTab')}
          </Tabs.Trigger>
          <Tabs.Trigger value="viewAs" className="f-tabs__tab">
            {t('permissions.viewAsTab')}
          </Tabs.Trigger>
        </Tabs.List>
        {/* Kept mounted: the unpublished draft must survive a look at "view as". */}
        <Tabs.Content value="roles" forceMount hidden={tab !== 'roles'}>
          <RolesEditor saved={roles} version={meta.data.version} objects={objects} lang={locale} />
        </Tabs.Content>
        <Tabs.Content value="viewAs" forceMount hidden={tab !== 'viewAs'}>
          <ViewAsPanel objects={objects} lang={locale} />
        </Tabs.Content>
      </Tabs.Root>
    );
  }

  return (
    <Page wide>
      <PageHeader
        icon={<Shield size={22} aria-hidden="true" />}
        title={t('permissions.title')}
        subtitle={t('permissions.subtitle')}
        actions={<Link to="/designer">{t('permissions.backToDesigner')}</Link>}
      />
      {body}
    </Page>
  );
}
