import { Zap } from 'lucide-react';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { objectLabel } from '../../i18n/pick-label';
import { Badge, Button, DataTable, EmptyState } from '../../ui';
import { ItemListPage } from '../common/item-list-page';
import { SelectField } from '../objects/controls';
import { useMetaDocument } from '../objects/use-meta-document';
import type { Rule } from './automation-model';
import { TriggerSummary } from './trigger-summary';
import './automations.css';

interface Row {
  name: string;
  rule: Rule;
}

/** `/designer/automations`: the automation rules, per object (`?object=`), and a way to add one. */
export function AutomationsPage() {
  const { t, i18n } = useTranslation();
  const meta = useMetaDocument();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const objectFilter = params.get('object') ?? '';
  const objects = meta.data?.objects ?? {};
  const rows = useMemo<Row[]>(
    () =>
      Object.entries(meta.data?.automations ?? {})
        .filter((e): e is [string, Record<string, unknown>] => !!e[1])
        .map(([name, rule]) => ({ name, rule: rule as unknown as Rule }))
        .filter((r) => !objectFilter || r.rule.object === objectFilter)
        .sort((a, b) => a.rule.label.localeCompare(b.rule.label)),
    [meta.data, objectFilter],
  );

  return (
    <ItemListPage
      icon={<Zap size={22} aria-hidden="true" />}
      title={t('automations.title')}
      subtitle={t('automations.subtitle')}
      loadFailed={t('automations.loadFailed')}
      newItem={{
        label: t('automations.newRule'),
        texts: 'automations',
        formId: 'f-auto-new',
        taken: Object.keys(meta.data?.automations ?? {}),
        initialObject: objectFilter,
        editorPath: (name, label, object) =>
          `/designer/automations/${name}?${new URLSearchParams({ object, label }).toString()}`,
      }}
    >
      {({ objectOptions, openNew }) => (
        <>
          <div className="f-auto-filter">
            <SelectField
              label={t('automations.object')}
              value={objectFilter}
              options={[{ value: '', label: t('automations.allObjects') }, ...objectOptions]}
              onChange={(v) => setParams(v ? { object: v } : {}, { replace: true })}
            />
          </div>
          <DataTable<Row>
            caption={t('automations.title')}
            rows={rows}
            rowKey={(r) => r.name}
            onRowClick={(r) => navigate(`/designer/automations/${r.name}`)}
            empty={
              <EmptyState
                title={t('automations.noRules')}
                body={t('automations.noRulesBody')}
                action={
                  <Button variant="primary" onClick={openNew}>
                    {t('automations.newRule')}
                  </Button>
                }
              />
            }
            columns={[
              {
                key: 'label',
                header: t('automations.label'),
                render: (r) => (
                  <Link className="f-item-list__link" to={`/designer/automations/${r.name}`}>
                    {r.rule.label}
                  </Link>
                ),
              },
              {
                key: 'object',
                header: t('automations.object'),
                render: (r) => objectLabel(r.rule.object, objects[r.rule.object] ?? undefined, i18n.language),
              },
              {
                key: 'trigger',
                header: t('automations.trigger'),
                render: (r) => (
                  <TriggerSummary
                    rule={r.rule}
                    schema={objects[r.rule.object] ?? undefined}
                    segments={meta.data?.segments}
                  />
                ),
              },
              {
                key: 'actions',
                header: t('automations.actions'),
                render: (r) => r.rule.actions.map((a) => actionName(t, a.type)).join(', '),
              },
              {
                key: 'enabled',
                header: t('automations.status'),
                render: (r) =>
                  r.rule.enabled === false ? <Badge>{t('automations.disabled')}</Badge> : t('automations.enabled'),
              },
            ]}
          />
        </>
      )}
    </ItemListPage>
  );
}

/** An action kind's name in the user's language (a plugin's kind by its name). */
export function actionName(t: unknown, type: string): string {
  // Plugin kinds have no translation: their name is shown as registered.
  const text = (t as (key: string, opts: { defaultValue: string }) => string)(`automations.action_${type}`, {
    defaultValue: '',
  });
  return text || type;
}
