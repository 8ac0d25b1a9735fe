import {
  Background,
  Controls,
  type Edge,
  MarkerType,
  MiniMap,
  type NodeChange,
  ReactFlow,
  applyNodeChanges,
  useReactFlow,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { type DragEvent, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { handleOfEdge, handlesOf, typeLabel, useNodeCatalog } from './node-catalog';
import { RoutedEdge } from './routed-edge';
import { type CanvasNode, type CanvasNodeData, WorkflowNodeView } from './workflow-node-view';
import { type NodeType, type WfEdge, type WorkflowDefinition, edgeLabel } from './workflow-model';

export const PALETTE_MIME = 'application/x-forma-workflow-node';

const nodeTypes = { step: WorkflowNodeView };
const edgeTypes = { routed: RoutedEdge };

/**
 * The minimap is an SVG (no CSS variables): each type's colour comes from its palette entry; this is
 * for a type without one (and an unknown type).
 */
const MINIMAP_DEFAULT = '#cbd5e1';

export interface Selection {
  node?: string;
  edge?: string;
}

/**
 * The canvas: nodes and edges drawn from the definition. Moves are kept locally while dragging and
 * committed as one undoable step when the drag ends; connections, drops and deletions go straight
 * to the definition through the callbacks.
 */
export function WorkflowCanvas({
  def,
  summaries,
  issues,
  path,
  selection,
  onSelect,
  onMove,
  onConnect,
  onDelete,
  onDropNode,
}: {
  def: WorkflowDefinition;
  summaries: Map<string, string>;
  issues: Map<string, string[]>;
  path: { nodes: Set<string>; edges: Set<string> } | null;
  selection: Selection;
  onSelect: (s: Selection) => void;
  onMove: (positions: Map<string, { x: number; y: number }>) => void;
  onConnect: (source: string, target: string, handle: string | null) => void;
  onDelete: (nodes: string[], edges: string[]) => void;
  onDropNode: (type: NodeType, position: { x: number; y: number }) => void;
}) {
  const { t, i18n } = useTranslation();
  const catalog = useNodeCatalog();
  const flow = useReactFlow();
  const [nodes, setNodes] = useState<CanvasNode[]>([]);

  useEffect(() => {
    setNodes((prev) => {
      const before = new Map(prev.map((n) => [n.id, n]));
      return def.nodes.map((n) => {
        const old = before.get(n.id);
        return {
          ...(old ?? {}),
          id: n.id,
          type: 'step',
          position: old?.dragging ? old.position : n.position,
          deletable: !catalog.get(n.type)?.palette.entry,
          selected: selection.node === n.id,
          ariaLabel: `${typeLabel(catalog, n.type, i18n.language)} ${n.data.label ?? n.id}`,
          data: {
            node: n,
            summary: summaries.get(n.id) ?? '',
            issues: issues.get(n.id) ?? [],
            onPath: path?.nodes.has(n.id) ?? false,
          },
        };
      });
    });
  }, [def, summaries, issues, path, selection.node, catalog, i18n.language]);

  const edges = useMemo<Edge[]>(() => {
    const types = new Map(def.nodes.map((n) => [n.id, n.type]));
    // Outcomes and the default branch read in the user's language; conditions stay code.
    const shownLabel = (e: WfEdge) =>
      e.data?.label ||
      (e.data?.outcome
        ? t(`workflowDesigner.outcome_${e.data.outcome}` as const)
        : e.data?.default
          ? t('workflowDesigner.otherwise')
          : edgeLabel(e));
    return def.edges.map((e) => {
      const handle = handleOfEdge(e, handlesOf(catalog, types.get(e.source) ?? ''));
      const kind =
        e.data?.outcome ?? (e.data?.default ? 'default' : e.data?.condition !== undefined ? 'branch' : 'plain');
      const bad = issues.has(e.id);
      const onPath = path?.edges.has(e.id) ?? false;
      return {
        id: e.id,
        source: e.source,
        target: e.target,
        sourceHandle: handle,
        type: 'routed',
        label: shownLabel(e) || undefined,
        selected: selection.edge === e.id,
        animated: onPath,
        className: `f-wf-edge f-wf-edge--${kind}${bad ? ' f-wf-edge--invalid' : ''}${onPath ? ' f-wf-edge--path' : ''}`,
        markerEnd: { type: MarkerType.ArrowClosed },
        labelBgPadding: [6, 3] as [number, number],
        labelBgBorderRadius: 4,
        ariaLabel: `${e.source} → ${e.target} ${edgeLabel(e)}`,
      };
    });
  }, [def, issues, path, selection.edge, t, catalog]);

  function onNodesChange(changes: NodeChange<CanvasNode>[]) {
    // Local only (drags in progress, measured sizes): the definition changes once, on drag stop.
    setNodes((ns) => applyNodeChanges(changes, ns));
  }

  function onDrop(e: DragEvent) {
    const type = e.dataTransfer.getData(PALETTE_MIME) as NodeType;
    if (!type || !catalog.has(type)) return;
    e.preventDefault();
    onDropNode(type, flow.screenToFlowPosition({ x: e.clientX - 90, y: e.clientY - 24 }));
  }

  return (
    <ReactFlow<CanvasNode, Edge>
      className="f-wf-flow"
      ariaLabelConfig={{
        'controls.zoomIn.ariaLabel': t('workflowDesigner.zoomIn'),
        'controls.zoomOut.ariaLabel': t('workflowDesigner.zoomOut'),
        'controls.fitView.ariaLabel': t('workflowDesigner.fitView'),
      }}
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      edgeTypes={edgeTypes}
      onNodesChange={onNodesChange}
      onNodeDragStop={(_e, _n, dragged) => onMove(new Map(dragged.map((n) => [n.id, n.position])))}
      onConnect={(c) => c.source && c.target && onConnect(c.source, c.target, c.sourceHandle ?? null)}
      onDelete={({ nodes: ns, edges: es }) =>
        onDelete(
          ns.map((n) => n.id),
          es.map((e) => e.id),
        )
      }
      onNodeClick={(_e, n) => onSelect({ node: n.id })}
      onEdgeClick={(_e, ed) => onSelect({ edge: ed.id })}
      onPaneClick={() => onSelect({})}
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes(PALETTE_MIME)) {
          e.preventDefault();
          e.dataTransfer.dropEffect = 'move';
        }
      }}
      onDrop={onDrop}
      deleteKeyCode={['Delete', 'Backspace']}
      fitView
      fitViewOptions={{ padding: 0.25, maxZoom: 1 }}
      minZoom={0.2}
      maxZoom={2}
      proOptions={{ hideAttribution: true }}
      aria-label={t('workflowDesigner.canvas')}
    >
      <Background gap={20} />
      <Controls showInteractive={false} />
      <MiniMap
        pannable
        zoomable
        ariaLabel={t('workflowDesigner.minimap')}
        nodeColor={(n) => {
          const d = n.data as CanvasNodeData;
          return d.issues.length ? '#fca5a5' : (catalog.get(d.node.type)?.palette.color ?? MINIMAP_DEFAULT);
        }}
        nodeBorderRadius={4}
      />
    </ReactFlow>
  );
}
