import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useApi } from '../../api/api-context';
import { useToast } from '../../ui';
import { PublishDialog } from './publish-dialog';
import { type PublishProblem, describePublishError, itemIssues } from './publish-problems';
import { useUnsavedChangesGuard } from './use-unsaved-changes-guard';

/** The locale sections of the editors of one publishable item (`fixProblems`, `published`, …). */
export type ItemTexts = 'automations' | 'segmentsDesigner' | 'webFormsDesigner';

/** The metadata sections those editors publish into. */
export type ItemSection = 'automations' | 'segments' | 'webForms';

/** An editor's draft of one item and whether it holds changes not yet published. */
export interface ItemDraft<D> {
  draft: D;
  /** The item exists on the server (it can be deleted; a new one is marked not published). */
  stored: boolean;
  dirty: boolean;
  /** Merges a change into the draft. */
  update: (patch: Partial<D>) => void;
  /** Replaces the draft (a change that leaves a key out). */
  replace: (next: D) => void;
  /** A change the editor keeps beside the draft (the automation editor's conditions). */
  touch: () => void;
  /** Published: nothing is left to lose. */
  settle: () => void;
}

/** The draft of an item: a new one (`stored` false) counts as unsaved from the start. */
export function useItemDraft<D>(initial: D, stored: boolean): ItemDraft<D> {
  const [draft, setDraft] = useState<D>(initial);
  const [dirty, setDirty] = useState(!stored);
  return {
    draft,
    stored,
    dirty,
    update: (patch) => {
      setDraft((d) => ({ ...d, ...patch }));
      setDirty(true);
    },
    replace: (next) => {
      setDraft(next);
      setDirty(true);
    },
    touch: () => setDirty(true),
    settle: () => setDirty(false),
  };
}

export interface ItemPublishOptions<P> {
  section: ItemSection;
  texts: ItemTexts;
  name: string;
  /** The version of the document the editor started from (publishing applies against it). */
  version: number;
  /** What the check and publishing send for the item. */
  definition: object;
  /** The item's name in the publish dialog's title. */
  label: string;
  /** The editor's own problems, in words, by their path in the item: shown once a check was asked for. */
  localText: Record<string, string>;
  /** The condition builder's problems: they too stop a check before it asks the server. */
  builderProblems?: P[];
  /** A server problem in the admin's language (without it, the server's message). */
  say?: (problem: PublishProblem) => string;
  /** Where to go once published: the list after a delete; the item's own page after a save (none: stay). */
  after: { deleted: string; published?: string };
  /** Published (or deleted), before the editor goes on: caches to refresh. */
  onPublished?: () => void;
}

/**
 * The check-then-publish flow every item editor shares: "Publish" first shows the editor's own
 * problems and, when there are none, asks the server to plan the item (nothing changes) so its
 * refusals land at the fields; only then the publish dialog opens. Also the unsaved-changes guard.
 * Render `guard` and `dialog` once in the editor and spread `header` into its `ItemEditorHeader`.
 */
export function useItemPublish<D, P = unknown>(item: ItemDraft<D>, opts: ItemPublishOptions<P>) {
  const { t } = useTranslation();
  const api = useApi();
  const toast = useToast();
  const navigate = useNavigate();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [showLocal, setShowLocal] = useState(false);
  const [checking, setChecking] = useState(false);
  const [publishing, setPublishing] = useState<null | 'save' | 'delete'>(null);
  const guard = useUnsavedChangesGuard(item.dirty && publishing === null);
  const { section, texts, name, say } = opts;
  const builderProblems: P[] = opts.builderProblems ?? [];
  const shown: Record<string, string> = showLocal ? { ...errors, ...opts.localText } : errors;

  async function check(): Promise<boolean> {
    setShowLocal(true);
    if (Object.keys(opts.localText).length || builderProblems.length) {
      toast({ tone: 'error', title: t(`${texts}.fixProblems`) });
      return false;
    }
    setChecking(true);
    try {
      // The same check publishing runs (nothing changes): its refusals land at the fields.
      await api.post('/api/meta/plan', { [section]: { [name]: opts.definition } });
      setErrors({});
      return true;
    } catch (e) {
      const failure = describePublishError(e);
      if (failure.kind === 'invalid') {
        const problems = say ? failure.problems.map((p) => ({ ...p, message: say(p) })) : failure.problems;
        setErrors(itemIssues(section, name, problems));
        toast({ tone: 'error', title: t(`${texts}.fixProblems`) });
      } else toast({ tone: 'error', title: failure.message });
      return false;
    } finally {
      setChecking(false);
    }
  }

  const dialog: ReactNode = (
    <PublishDialog
      open={publishing !== null}
      onOpenChange={(o) => !o && setPublishing(null)}
      title={
        publishing === 'delete'
          ? t(`${texts}.deleteTitle`, { label: opts.label })
          : t(`${texts}.publishTitle`, { label: opts.label })
      }
      document={{ version: opts.version, [section]: { [name]: publishing === 'delete' ? null : opts.definition } }}
      onPublished={() => {
        item.settle();
        opts.onPublished?.();
        if (publishing === 'delete') {
          toast({ tone: 'success', title: t(`${texts}.deleted`) });
          navigate(opts.after.deleted);
        } else {
          toast({ tone: 'success', title: t(`${texts}.published`) });
          if (opts.after.published) navigate(opts.after.published, { replace: true });
        }
      }}
    />
  );

  return {
    /** The server's problems, and the editor's own once a check was asked for, by path. */
    shown,
    /** The condition builder's problems to show (none before a check was asked for). */
    shownBuilderProblems: showLocal ? builderProblems : [],
    check,
    guard,
    dialog,
    header: {
      texts,
      stored: item.stored,
      checking,
      onDelete: () => setPublishing('delete'),
      onPublish: async () => {
        if (await check()) setPublishing('save');
      },
    },
  };
}
