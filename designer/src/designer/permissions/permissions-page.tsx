import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Tabs } from 'radix-ui';
import { Shield } from 'lucide-react';
import { useLocale } from '../../i18n/use-locale';
import type { ObjectSchema } from '../../meta/meta-types';
import { Page, PageHeader } from '../../ui';
import { presentEntries, QueryState } from '../common';
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

  const body = (
    <QueryState query={meta}>
      {(data) => {
        const objects = presentEntries(data.objects as Record<string, ObjectSchema | null> | undefined);
        const roles = presentEntries(data.roles as Record<string, RoleDefinition | null> | undefined);
        return (
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
              <RolesEditor saved={roles} version={data.version} objects={objects} lang={locale} />
            </Tabs.Content>
            <Tabs.Content value="viewAs" forceMount hidden={tab !== 'viewAs'}>
              <ViewAsPanel objects={objects} lang={locale} />
            </Tabs.Content>
          </Tabs.Root>
        );
      }}
    </QueryState>
  );

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
