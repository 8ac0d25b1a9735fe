import { useTranslation } from 'react-i18next';
import { PALETTE_MIME } from './workflow-canvas';
import { NODE_ICONS } from './workflow-node-view';
import type { NodeType } from './workflow-model';

const PALETTE: NodeType[] = ['approval', 'condition', 'action', 'end', 'start'];

/** Step types to drag onto the canvas; a click or Enter adds one below the others (keyboard, tablet). */
export function WorkflowPalette({ onAdd }: { onAdd: (type: NodeType) => void }) {
  const { t } = useTranslation();
  return (
    <nav className="f-wf__palette" aria-label={t('workflowDesigner.palette')}>
      <h2 className="f-wf__palette-title">{t('workflowDesigner.palette')}</h2>
      <ul>
        {PALETTE.map((type) => {
          const Icon = NODE_ICONS[type];
          return (
            <li key={type}>
              <button
                type="button"
                draggable
                className={`f-wf__palette-item f-wf__palette-item--${type}`}
                data-testid={`wf-palette-${type}`}
                onDragStart={(e) => {
                  e.dataTransfer.setData(PALETTE_MIME, type);
                  e.dataTransfer.effectAllowed = 'move';
                }}
                onClick={() => onAdd(type)}
                title={t('workflowDesigner.paletteHint')}
              >
                <Icon size={16} aria-hidden="true" />
                <span>{t(`workflowDesigner.type_${type}` as const)}</span>
              </button>
            </li>
          );
        })}
      </ul>
      <p className="f-wf__palette-hint">{t('workflowDesigner.paletteHint')}</p>
    </nav>
  );
}
