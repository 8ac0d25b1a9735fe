import { useQuery } from '@tanstack/react-query';
import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import {
  ArrowLeft,
  CheckCircle2,
  FlaskConical,
  GitBranch,
  Loader2,
  Redo2,
  Settings2,
  Undo2,
  Upload,
  XCircle,
} from 'lucide-react';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams, useSearchParams } from 'react-router';
import { useApi } from '../../api/api-context';
import { fieldLabel, objectLabel } from '../../i18n/pick-label';
import type { FormDoc } from '../../records/form-schema';
import { Button, ErrorState, IconButton, LoadingState, cx, useToast } from '../../ui';
import {
  type FullMetaDocument,
  PublishDialog,
  describePublishError,
  useUndoHistory,
  useUndoShortcuts,
  useUnsavedChangesGuard,
} from '../common';
import { IDENTIFIER } from '../objects/identifier';
import { useMetaDocument } from '../objects/use-meta-document';
import { roleLabelOf } from './approver-editor';
import { type GraphIssues, type ProblemText, graphIssues } from './graph-issues';
import { NodeCatalogProvider, catalogOf, useNodeCatalog, useNodeTypes } from './node-catalog';
import { summaryOf } from './node-summary';
import { type Selection, WorkflowCanvas } from './workflow-canvas';
import { WorkflowPalette } from './workflow-palette';
import {
  type Approver,
  type WfNode,
  type WorkflowDefinition,
  addAfter,
  addNode,
  autoLayout,
  connect,
  moveNodes,
  needsLayout,
  removeElements,
  starterWorkflow,
  updateEdge,
  updateNode,
} from './workflow-model';
import { EdgeProperties, NodeProperties, type PropertyChoices, WorkflowSettings } from './workflow-properties';
import { PublishedBanner } from './published-banner';
import { SimulationPanel } from './simulation-panel';
import { type SimulationResult, checkDraft, fetchUsers } from './workflows-api';
import { scriptLabel } from '../scripts/script-label';
import './workflow-designer.css';

/** `/designer/workflows/:name`: the canvas of one workflow (a new one with `?object=&label=`). */
export function WorkflowEditorPage() {
  const { t } = useTranslation();
  const { name = '' } = useParams();
  const [params] = useSearchParams();
  const meta = useMetaDocument();
  const nodeTypes = useNodeTypes();
  const catalog = useMemo(() => catalogOf(nodeTypes.data ?? []), [nodeTypes.data]);
  if (!IDENTIFIER.test(name)) return <ErrorState title={t('workflowDesigner.notFound')} body={name} />;
  if (meta.isPending || nodeTypes.isPending) return <LoadingState label={t('common.loading')} />;
  if (meta.isError || nodeTypes.isError)
    return (
      <ErrorState
        title={t('workflowDesigner.loadFailed')}
        body={(meta.error ?? nodeTypes.error)?.message}
        action={
          <Button onClick={() => (meta.isError ? meta.refetch() : nodeTypes.refetch())}>{t('common.retry')}</Button>
        }
      />
    );
  const stored = meta.data.workflows?.[name] as WorkflowDefinition | null | undefined;
  const object = params.get('object');
  if (!stored && !object)
    return (
      <ErrorState
        title={t('workflowDesigner.notFound')}
        body={name}
        action={
          <Link className="f-btn f-btn--ghost f-btn--md" to="/designer/workflows">
            {t('workflowDesigner.backToList')}
          </Link>
        }
      />
    );
  const initial = stored
    ? needsLayout(stored)
      ? autoLayout(stored)
      : stored
    : starterWorkflow(object ?? '', params.get('label') || name, catalog);
  return (
    <NodeCatalogProvider value={catalog}>
      <ReactFlowProvider>
        <WorkflowEditor key={name} name={name} initial={initial} isNew={!stored} doc={meta.data} />
      </ReactFlowProvider>
    </NodeCatalogProvider>
  );
}

function WorkflowEditor({
  name,
  initial,
  isNew,
  doc,
}: {
  name: string;
  initial: WorkflowDefinition;
  isNew: boolean;
  doc: FullMetaDocument;
}) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const toast = useToast();
  const catalog = useNodeCatalog();
  const flow = useReactFlow();
  const history = useUndoHistory<WorkflowDefinition>(initial);
  const def = history.value;
  const [saved, setSaved] = useState(() => (isNew ? '' : JSON.stringify(initial)));
  const dirty = JSON.stringify(def) !== saved;
  const guard = useUnsavedChangesGuard(dirty);
  useUndoShortcuts(history);
  const [selection, setSelection] = useState<Selection>({});
  const [tab, setTab] = useState<'properties' | 'simulate'>('properties');
  const [publishing, setPublishing] = useState(false);
  const [published, setPublished] = useState<number | null>(null);
  const [simulation, setSimulation] = useState<SimulationResult | null>(null);
  const [check, setCheck] = useState<{ state: 'checking' | 'ok' | 'invalid' | 'unknown'; issues: GraphIssues }>({
    state: 'checking',
    issues: { byElement: new Map(), general: [] },
  });

  // Coded problems in the admin's language; a code without a text (a plugin's) keeps the server's words.
  const problemText = useCallback<ProblemText>(
    (code, params) => {
      // Graph codes first, then the metadata codes the workflow check shares (roles, fields, expressions).
      for (const section of ['workflowIssues', 'metaIssues']) {
        const key = `${section}.${code}`;
        if (i18n.exists(key)) return t(key as 'workflowIssues.unreachable', params);
      }
      return undefined;
    },
    [t, i18n],
  );

  // The server's own checks on the draft (a dry-run plan), shortly after each change.
  useEffect(() => {
    const ac = new AbortController();
    setCheck((c) => ({ ...c, state: 'checking' }));
    const timer = setTimeout(() => {
      checkDraft(api, name, def, ac.signal).then(
        () => setCheck({ state: 'ok', issues: { byElement: new Map(), general: [] } }),
        (e) => {
          if (ac.signal.aborted) return;
          const failure = describePublishError(e);
          setCheck(
            failure.kind === 'invalid'
              ? { state: 'invalid', issues: graphIssues(def, failure.problems, problemText) }
              : { state: 'unknown', issues: { byElement: new Map(), general: [failure.message] } },
          );
        },
      );
    }, 400);
    return () => {
      clearTimeout(timer);
      ac.abort();
    };
  }, [api, name, def, problemText]);

  // A simulated path belongs to the graph it ran on.
  // biome-ignore lint/correctness/useExhaustiveDependencies: cleared whenever the draft changes.
  useEffect(() => setSimulation(null), [def]);

  const users = useQuery({ queryKey: ['users', 'all'], queryFn: ({ signal }) => fetchUsers(api, signal) });
  const object = doc.objects?.[def.object] ?? undefined;
  const choices = useMemo<PropertyChoices>(() => {
    const props = Object.entries(object?.properties ?? {});
    return {
      objects: Object.entries(doc.objects ?? {})
        .filter(([, o]) => !!o)
        .map(([n, o]) => ({ name: n, label: objectLabel(n, o ?? undefined, i18n.language) })),
      fields: props
        .filter(([, f]) => !f.readOnly && !f['x-formula'] && !f['x-rollup'])
        .map(([n, f]) => ({
          name: n,
          label: fieldLabel(object ?? undefined, n, i18n.language),
          ...(Array.isArray(f.enum) ? { enum: f.enum } : {}),
          ...(typeof f.type === 'string' ? { type: f.type } : {}),
        })),
      // Any field can send an approved record back: formulas, roll-ups and line items included.
      watchFields: props
        .filter(([, f]) => !f['x-autonumber'])
        .map(([n]) => ({ name: n, label: fieldLabel(object ?? undefined, n, i18n.language) })),
      userFields: props
        .filter(([, f]) => f['x-ref'] === 'user')
        .map(([n]) => ({ name: n, label: fieldLabel(object ?? undefined, n, i18n.language) })),
      roles: ['admin', ...Object.keys(doc.roles ?? {}).filter((r) => doc.roles[r])],
      roleLabels: Object.fromEntries(
        Object.entries(doc.roles ?? {}).flatMap(([r, def]) =>
          def && typeof (def as { label?: unknown }).label === 'string' ? [[r, (def as { label: string }).label]] : [],
        ),
      ),
      users: (users.data ?? [])
        .filter((u) => u.active !== false)
        .map((u) => ({ id: u.id, label: u.name ? `${u.name}${u.email ? ` (${u.email})` : ''}` : (u.email ?? u.id) })),
      scripts: Object.entries(doc.scripts ?? {})
        .filter(([, s]) => s && s.object === def.object && s.event === 'action')
        .map(([n, s]) => ({ value: n, label: scriptLabel(s, i18n.language, n) })),
    };
  }, [doc, object, def.object, users.data, i18n.language]);

  const summaries = useMemo(() => {
    const describe = (a: Approver) =>
      'managerOf' in a
        ? t('workflowDesigner.approver_managerOf')
        : 'role' in a
          ? `${t('workflowDesigner.approver_role')}: ${roleLabelOf(choices, a.role)}`
          : 'field' in a
            ? `${t('workflowDesigner.approver_field')}: ${fieldLabel(object ?? undefined, a.field, i18n.language)}`
            : (choices.users.find((u) => u.id === a.user)?.label.replace(/ \(.*\)$/, '') ?? a.user);
    const out = new Map<string, string>();
    for (const n of def.nodes) out.set(n.id, summaryOf(n, def, catalog, describe, t, i18n.language));
    return out;
  }, [def, catalog, choices, object, i18n.language, t]);

  const path = useMemo(
    () => (simulation ? { nodes: new Set(simulation.path), edges: new Set(simulation.edges) } : null),
    [simulation],
  );

  const selectedNode = selection.node ? def.nodes.find((n) => n.id === selection.node) : undefined;
  const selectedEdge = selection.edge ? def.edges.find((e) => e.id === selection.edge) : undefined;
  const problemCount = check.issues.general.length + check.issues.byElement.size;

  function drop(type: WfNode['type'], position: { x: number; y: number }) {
    const { definition, id } = addNode(def, catalog, type, position);
    history.set(definition);
    setSelection({ node: id });
    setTab('properties');
  }

  // A clicked (or Enter-ed) palette step continues from the selected node, and the canvas moves to
  // it: a step placed out of view looks to the admin as if nothing happened.
  function addFromPalette(type: WfNode['type']) {
    const { definition, id } = addAfter(def, catalog, type, selection.node);
    history.set(definition);
    setSelection({ node: id });
    setTab('properties');
    const at = definition.nodes.find((n) => n.id === id)?.position;
    if (at) void flow.setCenter(at.x + NODE_WIDTH / 2, at.y + NODE_HEIGHT / 2, { zoom: flow.getZoom() });
  }

  return (
    <div className="f-wf">
      {guard}
      <header className="f-wf__bar">
        <Link
          className="f-btn f-btn--ghost f-btn--icon"
          to="/designer/workflows"
          aria-label={t('workflowDesigner.backToList')}
          title={t('workflowDesigner.backToList')}
        >
          <ArrowLeft size={18} aria-hidden="true" />
        </Link>
        <GitBranch size={20} aria-hidden="true" className="f-wf__bar-icon" />
        <div className="f-wf__bar-title">
          <h1>{def.label || name}</h1>
          <p>
            <code>{name}</code> · {objectLabel(def.object, object ?? undefined, i18n.language)} ·{' '}
            {dirty
              ? t('workflowDesigner.unsaved')
              : isNew && published === null
                ? t('workflowDesigner.draft')
                : t('workflowDesigner.saved')}
          </p>
        </div>
        <span className={cx('f-wf__check', `f-wf__check--${check.state}`)} role="status" aria-live="polite">
          {check.state === 'checking' ? (
            <Loader2 size={15} aria-hidden="true" className="f-wf__spin" />
          ) : check.state === 'ok' ? (
            <CheckCircle2 size={15} aria-hidden="true" />
          ) : (
            <XCircle size={15} aria-hidden="true" />
          )}
          {check.state === 'checking'
            ? t('workflowDesigner.checking')
            : check.state === 'ok'
              ? t('workflowDesigner.valid')
              : t('workflowDesigner.problemCount', { count: problemCount })}
        </span>
        <div className="f-wf__bar-actions">
          <IconButton
            label={t('workflowDesigner.undo')}
            icon={<Undo2 size={17} aria-hidden="true" />}
            onClick={history.undo}
            disabled={!history.canUndo}
          />
          <IconButton
            label={t('workflowDesigner.redo')}
            icon={<Redo2 size={17} aria-hidden="true" />}
            onClick={history.redo}
            disabled={!history.canRedo}
          />
          <Button onClick={() => history.set(autoLayout(def))}>{t('workflowDesigner.autoLayout')}</Button>
          <Button
            variant="primary"
            icon={<Upload size={16} aria-hidden="true" />}
            onClick={() => setPublishing(true)}
            disabled={!dirty && !isNew}
          >
            {t('workflowDesigner.publish')}
          </Button>
        </div>
      </header>
      {published !== null && <PublishedBanner name={name} version={published} onClose={() => setPublished(null)} />}
      <div className="f-wf__body">
        <WorkflowPalette onAdd={addFromPalette} />
        <div className="f-wf__canvas">
          <WorkflowCanvas
            def={def}
            summaries={summaries}
            issues={check.issues.byElement}
            path={path}
            selection={selection}
            onSelect={(s) => {
              setSelection(s);
              if (s.node || s.edge) setTab('properties');
            }}
            onMove={(positions) => history.set((d) => moveNodes(d, positions))}
            onConnect={(source, target, handle) => history.set((d) => connect(d, catalog, source, target, handle))}
            onDelete={(nodes, edges) => {
              history.set((d) => removeElements(d, nodes, edges));
              setSelection({});
            }}
            onDropNode={drop}
          />
        </div>
        <aside className="f-wf__side" aria-label={t('workflowDesigner.sidePanel')}>
          <div className="f-wf__tabs" role="tablist">
            <button
              type="button"
              role="tab"
              aria-selected={tab === 'properties'}
              className="f-wf__tab"
              onClick={() => setTab('properties')}
            >
              <Settings2 size={15} aria-hidden="true" /> {t('workflowDesigner.properties')}
            </button>
            <button
              type="button"
              role="tab"
              aria-selected={tab === 'simulate'}
              className="f-wf__tab"
              onClick={() => setTab('simulate')}
            >
              <FlaskConical size={15} aria-hidden="true" /> {t('workflowDesigner.simulate')}
            </button>
          </div>
          <div className="f-wf__side-body" role="tabpanel">
            {tab === 'simulate' ? (
              <SimulationPanel
                name={name}
                def={def}
                object={object ?? undefined}
                form={(doc.forms?.[def.object] ?? undefined) as FormDoc | undefined}
                result={simulation}
                onResult={(r) => setSimulation(r)}
              />
            ) : selectedNode ? (
              <NodeProperties
                key={selectedNode.id}
                def={def}
                node={selectedNode}
                issues={check.issues.byElement.get(selectedNode.id) ?? []}
                choices={choices}
                onNode={(data) => history.set((d) => updateNode(d, selectedNode.id, (n) => ({ ...n, data })))}
                onEdge={(id, data) => history.set((d) => updateEdge(d, id, data))}
                onDelete={() => {
                  history.set((d) => removeElements(d, [selectedNode.id], []));
                  setSelection({});
                }}
              />
            ) : selectedEdge ? (
              <EdgeProperties
                key={selectedEdge.id}
                def={def}
                edge={selectedEdge}
                issues={check.issues.byElement.get(selectedEdge.id) ?? []}
                onChange={(data) => history.set((d) => updateEdge(d, selectedEdge.id, data ?? {}))}
                onDelete={() => {
                  history.set((d) => removeElements(d, [], [selectedEdge.id]));
                  setSelection({});
                }}
              />
            ) : (
              <WorkflowSettings def={def} onChange={history.set} choices={choices} issues={check.issues.general} />
            )}
          </div>
        </aside>
      </div>
      <PublishDialog
        open={publishing}
        onOpenChange={setPublishing}
        document={{ workflows: { [name]: def } }}
        title={t('workflowDesigner.publishTitle', { name: def.label || name })}
        onPublished={(version) => {
          setSaved(JSON.stringify(def));
          history.reset(def);
          setPublished(version);
          toast({ tone: 'success', title: t('workflowDesigner.publishedToast', { version }) });
        }}
      />
    </div>
  );
}

/** A node card's size on the canvas (workflow-designer.css `.f-wf-node`), to centre on its middle. */
const NODE_WIDTH = 200;
const NODE_HEIGHT = 80;
