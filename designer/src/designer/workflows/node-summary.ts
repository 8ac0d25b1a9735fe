import type { TFunction } from 'i18next';
import { type NodeCatalog, localText } from './node-catalog';
import type { Approver, WfNode, WorkflowDefinition } from './workflow-model';

/**
 * The line under a node's title, from its type's `summary` (docs/workflows.md): each part is a data
 * key shown the way its inspector field shows values, `key:value` (only when the key has that value),
 * `$trigger` (the workflow's trigger) or `$branches` (how many edges leave the node).
 */
export function summaryOf(
  n: WfNode,
  def: WorkflowDefinition,
  catalog: NodeCatalog,
  describe: (a: Approver) => string,
  t: TFunction,
  lang: string,
): string {
  const palette = catalog.get(n.type)?.palette;
  const d = n.data as Record<string, unknown>;
  const parts: string[] = [];
  for (const part of palette?.summary?.parts ?? []) {
    if (part === '$trigger') {
      parts.push(
        def.trigger?.condition
          ? `${t('workflowDesigner.when')} ${def.trigger.condition}`
          : t('workflowDesigner.onSubmit'),
      );
      continue;
    }
    if (part === '$branches') {
      parts.push(t('workflowDesigner.branchCount', { count: def.edges.filter((e) => e.source === n.id).length }));
      continue;
    }
    const [key = '', only] = part.split(':');
    const value = d[key];
    if (only !== undefined && value !== only) continue;
    const field = palette?.fields?.find((f) => f.key === key);
    switch (field?.widget) {
      case 'approvers':
        parts.push(
          ((value as Approver[] | undefined) ?? []).map(describe).join(', ') || t('workflowDesigner.noApprovers'),
        );
        break;
      case 'field-values':
        for (const [k, v] of Object.entries((value as Record<string, unknown> | undefined) ?? {}))
          parts.push(`${k} = ${String(v)}`);
        break;
      case 'script':
        if (value) parts.push(`${t('workflowDesigner.script')}: ${String(value)}`);
        break;
      case 'select': {
        const option = field.options?.find((o) => o.value === value);
        if (option) parts.push(localText(option.label, lang));
        break;
      }
      case 'checkbox':
        if (value === true) parts.push(localText(field.label, lang));
        break;
      default:
        if (value !== undefined && value !== null && value !== '') parts.push(String(value));
    }
  }
  return parts.filter(Boolean).join(palette?.summary?.separator ?? ' · ');
}
