import { useTranslation } from 'react-i18next';
import { localText, paletteTypes, useNodeCatalog } from './node-catalog';
import { accentStyle, nodeIcon } from './node-icons';
import { PALETTE_MIME } from './workflow-canvas';
import type { NodeType } from './workflow-model';

/**
 * Step types to drag onto the canvas, as the server's registry offers them (core and plugins'); a
 * click or Enter adds one below the others (keyboard, tablet).
 */
export function WorkflowPalette({ onAdd }: { onAdd: (type: NodeType) => void }) {
  const { t, i18n } = useTranslation();
  const catalog = useNodeCatalog();
  return (
    <nav className="f-wf__palette" aria-label={t('workflowDesigner.palette')}>
      <h2 className="f-wf__palette-title">{t('workflowDesigner.palette')}</h2>
      <ul>
        {paletteTypes(catalog).map(({ type, palette }) => {
          const Icon = nodeIcon(palette.icon);
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
                style={accentStyle(palette.accent)}
                onClick={() => onAdd(type)}
                title={t('workflowDesigner.paletteHint')}
              >
                <Icon size={16} aria-hidden="true" />
                <span>{localText(palette.label, i18n.language)}</span>
              </button>
            </li>
          );
        })}
      </ul>
      <p className="f-wf__palette-hint">{t('workflowDesigner.paletteHint')}</p>
    </nav>
  );
}
