import { Handle, type Node, type NodeProps, Position } from '@xyflow/react';
import { AlertCircle, CircleCheck, CircleStop, GitFork, Play, UserCheck, Zap } from 'lucide-react';
import type { LucideIcon } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { cx } from '../../ui';
import { type NodeType, type WfNode, sourceHandlesOf } from './workflow-model';

export const NODE_ICONS: Record<NodeType, LucideIcon> = {
  start: Play,
  approval: UserCheck,
  condition: GitFork,
  action: Zap,
  end: CircleStop,
};

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
  const { t } = useTranslation();
  const { node, issues, onPath, summary } = data;
  const Icon = node.type === 'end' && node.data.outcome === 'approved' ? CircleCheck : NODE_ICONS[node.type];
  const handles = sourceHandlesOf(node.type);
  const title = node.data.label || t(`workflowDesigner.type_${node.type}` as const);
  return (
    <div
      className={cx(
        'f-wf-node',
        `f-wf-node--${node.type}`,
        node.type === 'end' && `f-wf-node--${node.data.outcome ?? 'none'}`,
        selected && 'f-wf-node--selected',
        issues.length > 0 && 'f-wf-node--invalid',
        onPath && 'f-wf-node--path',
      )}
      data-node-id={node.id}
      data-testid={`wf-node-${node.id}`}
    >
      {node.type !== 'start' && <Handle type="target" position={Position.Top} className="f-wf-handle" />}
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
          {handles.map((h) => (
            <span key={h} className={`f-wf-node__out f-wf-node__out--${h}`}>
              {t(`workflowDesigner.handle_${h}` as const)}
            </span>
          ))}
        </div>
      ) : null}
      {handles.map((h, i) => (
        <Handle
          key={h}
          id={h}
          type="source"
          position={Position.Bottom}
          className={cx('f-wf-handle', `f-wf-handle--${h}`)}
          style={handles.length > 1 ? { left: `${((i + 1) * 100) / (handles.length + 1)}%` } : undefined}
          data-testid={`wf-handle-${node.id}-${h}`}
          aria-label={t(`workflowDesigner.handle_${h}` as const)}
        />
      ))}
    </div>
  );
}
