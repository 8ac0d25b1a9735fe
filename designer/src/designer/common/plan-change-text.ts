import type { TFunction } from 'i18next';
import type { PlanChange } from './meta-write-api';
import { sectionLabel } from './publish-problems';

export interface PlanChangeLine {
  key: string;
  text: string;
}

/** The metadata's translation of a label for `lang` (zh-CN, zh-cn, zh), if it has one. */
function localized(change: PlanChange, lang: string): Record<string, string> {
  const labels = change.labels ?? {};
  const lowered = new Map(Object.entries(labels).map(([k, v]) => [k.toLowerCase(), v]));
  const base = lang.split('-')[0] ?? lang;
  return labels[lang] ?? lowered.get(lang.toLowerCase()) ?? lowered.get(base) ?? {};
}

function kindText(t: TFunction, kind: unknown): string {
  const key = `objectDesigner.kind_${String(kind)}`;
  return kind && t(key as 'objectDesigner.kind_text', { defaultValue: '' })
    ? t(key as 'objectDesigner.kind_text')
    : String(kind ?? '');
}

/** One change as a clause of a sentence ("may now delete own Deal records"), in the admin's language. */
function clause(t: TFunction, c: PlanChange, p: Record<string, string | number | boolean>): string {
  const op = () => t(`planChanges.op_${p.operation}` as 'planChanges.op_read');
  const scope = (s: unknown) => t(`planChanges.scope_${s}` as 'planChanges.scope_all');
  const object = p.objectLabel;
  const field = p.fieldLabel;
  switch (c.code) {
    case 'granted':
      return p.operation === 'create'
        ? t('planChanges.grantedCreate', { object })
        : t('planChanges.granted', { operation: op(), scope: scope(p.scope), object });
    case 'revoked':
      return t('planChanges.revoked', { operation: op(), object });
    case 'scopeChanged':
      return t('planChanges.scopeChanged', { operation: op(), scope: scope(p.scope), object, from: scope(p.from) });
    case 'fieldAccess':
      return t(`planChanges.access_${p.access}` as 'planChanges.access_none', { object, field, role: p.roleLabel });
    case 'sharingChanged':
      return t('planChanges.sharingChanged');
    case 'sendEmail':
      return t(p.allowed ? 'planChanges.sendEmail_allowed' : 'planChanges.sendEmail_denied');
    case 'labelChanged':
      return t('planChanges.labelChanged', { from: p.from, to: p.to });
    case 'renamed':
      return t('planChanges.renamed', { from: p.from });
    case 'fieldRequired':
      return t(p.required ? 'planChanges.fieldRequired_yes' : 'planChanges.fieldRequired_no', { field });
    case 'kindChanged':
      return t('planChanges.kindChanged', { from: kindText(t, p.from), to: kindText(t, p.to) });
    case 'codeChanged':
      return t('planChanges.codeChanged');
    case 'activeChanged':
      return t(p.active ? 'planChanges.activeChanged_on' : 'planChanges.activeChanged_off');
    case 'runsOn': {
      const event = (e: unknown) =>
        t(`planChanges.event_${e}` as 'planChanges.event_validate', { defaultValue: String(e) });
      return p.fromEvent === undefined
        ? t('planChanges.runsOn', { event: event(p.event), object })
        : t('planChanges.runsOnMoved', {
            event: event(p.event),
            object,
            fromEvent: event(p.fromEvent),
            fromObject: p.fromObjectLabel,
          });
    }
    case 'stepsChanged':
      return t('planChanges.stepsChanged', { count: Number(p.count) });
    case 'added':
      return c.section === 'fields' && p.kind
        ? t('planChanges.fieldAdded', { kind: kindText(t, p.kind) })
        : t('planChanges.added');
    case 'removed':
      return c.section === 'fields' && p.kind
        ? t('planChanges.fieldRemoved', { kind: kindText(t, p.kind) })
        : t('planChanges.removed');
    default:
      return t('planChanges.changed');
  }
}

/**
 * The plan's changes as sentences, one per item changed, its changes joined:
 * "Role Sales rep: may now delete own Deal records; Deal Amount hidden from Sales rep".
 */
export function planChangeLines(
  t: TFunction,
  lang: string,
  changes: readonly PlanChange[] | undefined,
): PlanChangeLine[] {
  const groups = new Map<string, { subject: string; clauses: string[] }>();
  for (const c of changes ?? []) {
    const own = localized(c, lang);
    const params = { ...c.params, ...own };
    const key = `${c.section}:${c.name}`;
    let g = groups.get(key);
    if (!g) {
      g = {
        subject: t('planChanges.subject', { section: sectionLabel(t, c.section), label: own.label ?? c.label }),
        clauses: [],
      };
      groups.set(key, g);
    }
    g.clauses.push(clause(t, c, params));
  }
  return [...groups].map(([key, g]) => ({
    key,
    text: t('planChanges.line', { subject: g.subject, changes: g.clauses.join(t('planChanges.separator')) }),
  }));
}
