import { useQueries } from '@tanstack/react-query';
import { GitBranch, Plus } from 'lucide-react';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { useApi } from '../../api/api-context';
import { objectLabel } from '../../i18n/pick-label';
import { Badge, Button, DataTable, EmptyState, Page, PageHeader } from '../../ui';
import { MetaDocumentGate } from '../common/meta-document-gate';
import { NewObjectItemDialog } from '../common/new-object-item-dialog';
import { useMetaDocument } from '../objects/use-meta-document';
import type { WorkflowDefinition } from './workflow-model';
import { fetchWorkflowVersions } from './workflows-api';
import './workflow-designer.css';

interface Row {
  name: string;
  def: WorkflowDefinition;
}

/** `/designer/workflows`: every approval workflow, its trigger, version and running instances. */
export function WorkflowsPage() {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const meta = useMetaDocument();
  const navigate = useNavigate();
  const [creating, setCreating] = useState(false);
  const rows = useMemo<Row[]>(
    () =>
      Object.entries(meta.data?.workflows ?? {})
        .filter((e): e is [string, Record<string, unknown>] => !!e[1])
        .map(([name, def]) => ({ name, def: def as unknown as WorkflowDefinition }))
        .sort((a, b) => a.def.label.localeCompare(b.def.label)),
    [meta.data],
  );
  const versions = useQueries({
    queries: rows.map((r) => ({
      queryKey: ['workflow-versions', r.name, meta.data?.version],
      queryFn: ({ signal }: { signal: AbortSignal }) => fetchWorkflowVersions(api, r.name, signal),
    })),
  });
  const versionsOf = new Map(rows.map((r, i) => [r.name, versions[i]?.data]));
  const objects = meta.data?.objects ?? {};

  return (
    <Page>
      <PageHeader
        icon={<GitBranch size={22} aria-hidden="true" />}
        title={t('workflowDesigner.title')}
        subtitle={t('workflowDesigner.subtitle')}
        actions={
          <Button variant="primary" icon={<Plus size={16} aria-hidden="true" />} onClick={() => setCreating(true)}>
            {t('workflowDesigner.newWorkflow')}
          </Button>
        }
      />
      <MetaDocumentGate loadFailed={t('workflowDesigner.loadFailed')}>
        {() => (
          <DataTable<Row>
            caption={t('workflowDesigner.title')}
            rows={rows}
            rowKey={(r) => r.name}
            onRowClick={(r) => navigate(`/designer/workflows/${r.name}`)}
            empty={
              <EmptyState
                title={t('workflowDesigner.noWorkflows')}
                body={t('workflowDesigner.noWorkflowsBody')}
                action={
                  <Button variant="primary" onClick={() => setCreating(true)}>
                    {t('workflowDesigner.newWorkflow')}
                  </Button>
                }
              />
            }
            columns={[
              {
                key: 'label',
                header: t('workflowDesigner.label'),
                render: (r) => (
                  <Link className="f-wf-link" to={`/designer/workflows/${r.name}`}>
                    {r.def.label}
                  </Link>
                ),
              },
              { key: 'name', header: t('workflowDesigner.apiName'), render: (r) => <code>{r.name}</code> },
              {
                key: 'object',
                header: t('workflowDesigner.object'),
                render: (r) => objectLabel(r.def.object, objects[r.def.object] ?? undefined, i18n.language),
              },
              {
                key: 'trigger',
                header: t('workflowDesigner.trigger'),
                render: (r) => (
                  <span className="f-wf-trigger">
                    {t(`workflowDesigner.on_${r.def.trigger?.on ?? 'submit'}` as const)}
                    {r.def.trigger?.condition && <code>{r.def.trigger.condition}</code>}
                  </span>
                ),
              },
              {
                key: 'active',
                header: t('workflowDesigner.status'),
                render: (r) =>
                  r.def.active === false ? (
                    <Badge>{t('workflowDesigner.inactive')}</Badge>
                  ) : (
                    t('workflowDesigner.activeShort')
                  ),
              },
              {
                key: 'version',
                header: t('workflowDesigner.publishedVersion'),
                align: 'end',
                render: (r) => {
                  const v = versionsOf.get(r.name);
                  const own = v?.workflowVersion ?? v?.current;
                  return own ? `v${own}` : '';
                },
              },
              {
                key: 'instances',
                header: t('workflowDesigner.runningInstances'),
                render: (r) => {
                  const v = versionsOf.get(r.name);
                  const running = (v?.versions ?? []).filter((x) => x.pending > 0);
                  if (!v) return '';
                  if (!running.length) return <span className="f-wf-muted">{t('workflowDesigner.noneRunning')}</span>;
                  return (
                    <span className="f-wf-running">
                      {running.map((x) => (
                        <Badge key={x.version}>
                          {t('workflowDesigner.runningOn', {
                            count: x.pending,
                            version: x.workflowVersion ?? x.version,
                          })}
                        </Badge>
                      ))}
                    </span>
                  );
                },
              },
            ]}
          />
        )}
      </MetaDocumentGate>
      <NewObjectItemDialog
        texts="workflowDesigner"
        title={t('workflowDesigner.newWorkflow')}
        formId="f-wf-new"
        open={creating}
        onOpenChange={setCreating}
        taken={Object.keys(meta.data?.workflows ?? {})}
        objects={Object.entries(objects)
          .filter(([, o]) => !!o)
          .map(([n, o]) => ({ value: n, label: objectLabel(n, o ?? undefined, i18n.language) }))}
        onCreate={(name, label, object) =>
          navigate(`/designer/workflows/${name}?${new URLSearchParams({ object, label }).toString()}`)
        }
      />
    </Page>
  );
}
