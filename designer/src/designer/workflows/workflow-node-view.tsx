import { Handle, type Node, type NodeProps, Position } from '@xyflow/react';
import { AlertCircle } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { cx } from '../../ui';
import { localText, typeLabel, useNodeCatalog } from './node-catalog';
import { accentStyle, nodeIcon } from './node-icons';
import type { WfNode } from './workflow-model';

export interface CanvasNodeData extends Record<string, unknown> {
  node: WfNode;
  /** One line under the title: approvers, branches, fields set, outcome. */
  summary: string;
  issues: string[];
  onPath: boolean;
}

export type CanvasNode = Node<CanvasNodeData>;

/** One workflow step on the canvas: icon, title, summary, its problems, and typed handles. */
export function WorkflowNodeView({ data, selected }: NodeProps<CanvasNode>) {
  const { i18n } = useTranslation();
  const lang = i18n.language;
  const catalog = useNodeCatalog();
  const { node, issues, onPath, summary } = data;
  const palette = catalog.get(node.type)?.palette;
  // A variant (an end node's outcome) styles the node and may change its icon.
  const variant = palette?.variant ? String(node.data[palette.variant.key] ?? 'none') : undefined;
  const Icon = nodeIcon((variant && palette?.variant?.icons?.[variant]) || palette?.icon);
  const accent = (variant && palette?.variant?.accents?.[variant]) || palette?.accent;
  const handles = palette?.handles ?? [];
  const handleLabel = (id: string) => localText(handles.find((h) => h.id === id)?.label, lang) || id;
  const title = node.data.label || typeLabel(catalog, node.type, lang);
  return (
    <div
      className={cx(
        'f-wf-node',
        `f-wf-node--${node.type}`,
        variant && `f-wf-node--${variant}`,
        selected && 'f-wf-node--selected',
        issues.length > 0 && 'f-wf-node--invalid',
        onPath && 'f-wf-node--path',
      )}
      style={accentStyle(accent)}
      data-node-id={node.id}
      data-testid={`wf-node-${node.id}`}
    >
      {!palette?.entry && <Handle type="target" position={Position.Top} className="f-wf-handle" />}
      <div className="f-wf-node__head">
        <span className="f-wf-node__icon">
          <Icon size={16} aria-hidden="true" />
        </span>
        <span className="f-wf-node__title" title={`${title} (${node.id})`}>
          {title}
        </span>
      </div>
      {summary && <p className="f-wf-node__summary">{summary}</p>}
      {issues.length > 0 && (
        <p className="f-wf-node__issue" role="note">
          <AlertCircle size={13} aria-hidden="true" />
          <span title={issues.join('\n')}>{issues[0]}</span>
          {issues.length > 1 && <span className="f-wf-node__more">+{issues.length - 1}</span>}
        </p>
      )}
      {handles.length > 1 ? (
        <div className="f-wf-node__outs">
          {handles.map(({ id }) => (
            <span key={id} className={`f-wf-node__out f-wf-node__out--${id}`}>
              {handleLabel(id)}
            </span>
          ))}
        </div>
      ) : null}
      {handles.map(({ id: h }, i) => (
        <Handle
          key={h}
          id={h}
          type="source"
          position={Position.Bottom}
          className={cx('f-wf-handle', `f-wf-handle--${h}`)}
          style={handles.length > 1 ? { left: `${((i + 1) * 100) / (handles.length + 1)}%` } : undefined}
          data-testid={`wf-handle-${node.id}-${h}`}
          aria-label={handleLabel(h)}
        />
      ))}
    </div>
  );
}
