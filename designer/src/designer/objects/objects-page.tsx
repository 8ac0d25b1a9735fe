import { Database, History, Plus } from 'lucide-react';
import { useQueries } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { useApi } from '../../api/api-context';
import { fieldKind } from '../../records/field-kind';
import { objectLabel } from '../../i18n/pick-label';
import { Button, DataTable, EmptyState, Page, PageHeader } from '../../ui';
import { MetaDocumentGate } from '../common/meta-document-gate';
import { NewNameDialog } from './new-name-dialog';
import { useMetaDocument } from './use-meta-document';
import './objects.css';

interface ObjectRow {
  name: string;
  label: string;
  fields: number;
  computed: number;
}

/** `/designer/objects`: every object of the tenant, and the way to create one. */
export function ObjectsPage() {
  const { t, i18n } = useTranslation();
  const meta = useMetaDocument();
  const navigate = useNavigate();
  const [creating, setCreating] = useState(false);
  const api = useApi();
  const names = Object.keys(meta.data?.objects ?? {}).filter((n) => meta.data?.objects[n]);
  // One count per object (limit 1): cheap with the owner/live indexes, and the list stays usable
  // while they arrive.
  const counts = useQueries({
    queries: names.map((name) => ({
      queryKey: ['records', name, 'count'],
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        api.get<{ total?: number }>(`/api/records/${name}`, { query: { limit: 1, count: true }, signal }),
      staleTime: 30_000,
    })),
  });
  const countOf = (name: string) => counts[names.indexOf(name)]?.data?.total;

  const rows = useMemo<ObjectRow[]>(
    () =>
      Object.entries(meta.data?.objects ?? {})
        .filter((e): e is [string, NonNullable<(typeof e)[1]>] => !!e[1])
        .map(([name, o]) => {
          const fields = Object.values(o.properties ?? {});
          return {
            name,
            label: objectLabel(name, o, i18n.language),
            fields: fields.length,
            computed: fields.filter((f) => ['formula', 'rollup', 'autonumber'].includes(fieldKind(f))).length,
          };
        })
        .sort((a, b) => a.label.localeCompare(b.label)),
    [meta.data, i18n.language],
  );

  return (
    <Page>
      <PageHeader
        icon={<Database size={22} aria-hidden="true" />}
        title={t('objectDesigner.objectsTitle')}
        subtitle={t('objectDesigner.objectsSubtitle')}
        actions={
          <>
            <Link className="f-btn f-btn--ghost f-btn--md" to="/designer/history">
              <History size={16} aria-hidden="true" />
              <span className="f-btn__label">{t('objectDesigner.historyLink')}</span>
            </Link>
            <Button variant="primary" icon={<Plus size={16} aria-hidden="true" />} onClick={() => setCreating(true)}>
              {t('objectDesigner.newObject')}
            </Button>
          </>
        }
      />
      <MetaDocumentGate loadFailed={t('objectDesigner.loadFailed')}>
        {() => (
          <DataTable<ObjectRow>
            caption={t('objectDesigner.objectsTitle')}
            rows={rows}
            rowKey={(r) => r.name}
            onRowClick={(r) => navigate(`/designer/objects/${r.name}`)}
            empty={
              <EmptyState
                title={t('objectDesigner.noObjects')}
                body={t('objectDesigner.noObjectsBody')}
                action={
                  <Button variant="primary" onClick={() => setCreating(true)}>
                    {t('objectDesigner.newObject')}
                  </Button>
                }
              />
            }
            columns={[
              {
                key: 'label',
                header: t('objectDesigner.label'),
                render: (r) => (
                  <Link className="f-od-link" to={`/designer/objects/${r.name}`}>
                    {r.label}
                  </Link>
                ),
              },
              {
                key: 'name',
                header: t('objectDesigner.apiName'),
                render: (r) => <code className="f-od-code">{r.name}</code>,
              },
              { key: 'fields', header: t('objectDesigner.fieldCount'), align: 'end' },
              { key: 'computed', header: t('objectDesigner.computedCount'), align: 'end' },
              {
                key: 'records',
                header: t('objectDesigner.recordCount'),
                align: 'end',
                render: (r) => countOf(r.name)?.toLocaleString(i18n.language) ?? '—',
              },
            ]}
          />
        )}
      </MetaDocumentGate>
      <NewNameDialog
        open={creating}
        onOpenChange={setCreating}
        what="object"
        title={t('objectDesigner.newObject')}
        description={t('objectDesigner.newObjectBody')}
        nameHint={t('objectDesigner.nameHint')}
        submitLabel={t('objectDesigner.createObject')}
        taken={Object.keys(meta.data?.objects ?? {})}
        onCreate={(name, label) =>
          navigate(`/designer/objects/${name}?${new URLSearchParams({ new: '1', label }).toString()}`)
        }
      />
    </Page>
  );
}
