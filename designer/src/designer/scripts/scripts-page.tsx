import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Code2, Plus, Save, Trash2 } from 'lucide-react';
import { useApi } from '../../api/api-context';
import { useLocale } from '../../i18n/use-locale';
import type { ObjectSchema } from '../../meta/meta-types';
import { Button, Dialog, EmptyState, Page, PageHeader, useToast } from '../../ui';
import { describePublishError, presentEntries, QueryState, useUnsavedChangesGuard } from '../common';
import { sameJson } from '../permissions/role-model';
import { useMetaDocument } from '../permissions/use-meta-document';
import { CodeEditor, type CodeEditorHandle } from './code-editor';
import { NewScriptDialog } from './new-script-dialog';
import { ScriptList } from './script-list';
import { ScriptProblems } from './script-problems';
import { ScriptSettings } from './script-settings';
import { sampleFor } from './sample-json';
import { type SourceProblem, sourceProblemsOf } from './script-diagnostics';
import { ScriptTestPanel } from './script-test-panel';
import { deleteScript, type ScriptDefinition, saveScript } from './scripts-api';
import './scripts-page.css';

/** `/designer/scripts`: the tenant's scripts, edited in CodeMirror, saved with errors at their line, tried on samples. */
export function ScriptsPage() {
  const { t } = useTranslation();
  const { locale } = useLocale();
  const meta = useMetaDocument();
  const body = (
    <QueryState query={meta}>
      {(data) => (
        <ScriptsWorkspace
          saved={presentEntries(data.scripts as Record<string, ScriptDefinition | null> | undefined)}
          version={data.version}
          objects={presentEntries(data.objects as Record<string, ObjectSchema | null> | undefined)}
          lang={locale}
        />
      )}
    </QueryState>
  );
  return (
    <Page wide>
      <PageHeader
        icon={<Code2 size={22} aria-hidden="true" />}
        title={t('scriptEditor.title')}
        subtitle={t('scriptEditor.subtitle')}
        actions={<Link to="/designer">{t('scriptEditor.backToDesigner')}</Link>}
      />
      {body}
    </Page>
  );
}

interface WorkspaceProps {
  saved: Record<string, ScriptDefinition>;
  version: number;
  objects: Record<string, ObjectSchema>;
  lang: string;
}

/**
 * Edits are kept per script until saved, so moving between scripts loses nothing; leaving the
 * screen with any unsaved edit asks first.
 */
function ScriptsWorkspace({ saved, version, objects, lang }: WorkspaceProps) {
  const { t } = useTranslation();
  const client = useApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const id = useId();
  const editor = useRef<CodeEditorHandle>(null);
  const [drafts, setDrafts] = useState<Record<string, ScriptDefinition>>({});
  const [selected, setSelected] = useState<string | undefined>(() => Object.keys(saved).sort()[0]);
  const [problems, setProblems] = useState<SourceProblem[]>([]);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [creating, setCreating] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);

  const names = [...new Set([...Object.keys(saved), ...Object.keys(drafts)])].sort();
  const isDirty = (n: string) => n in drafts && !sameJson(drafts[n], saved[n]);
  const dirtyNames = names.filter(isDirty);
  const guard = useUnsavedChangesGuard(dirtyNames.length > 0);

  const current = selected && names.includes(selected) ? selected : undefined;
  const script = current ? (drafts[current] ?? saved[current]) : undefined;
  const edit = (patch: Partial<ScriptDefinition>) => {
    if (!current || !script) return;
    setDrafts((d) => ({ ...d, [current]: { ...script, ...patch } }));
  };
  const select = (n: string) => {
    setSelected(n);
    setProblems([]);
    setSaveError(null);
  };
  /**
   * The saved version is the new baseline. A draft saved (or deleted) as version n is dropped only
   * once this component renders version n: dropping it as soon as the refetch resolves could render
   * the old saved script for a moment, since query observers are told on a later tick.
   */
  const [settled, setSettled] = useState<Record<string, number>>({});
  const settle = async (name: string, newVersion: number) => {
    setSettled((s) => ({ ...s, [name]: newVersion }));
    await queryClient.invalidateQueries({ queryKey: ['meta'] });
  };
  useEffect(() => {
    const done = Object.keys(settled).filter((n) => (settled[n] ?? Number.POSITIVE_INFINITY) <= version);
    if (done.length === 0) return;
    const drop = <T,>(m: Record<string, T>) => Object.fromEntries(Object.entries(m).filter(([n]) => !done.includes(n)));
    setDrafts(drop);
    setSettled(drop);
  }, [settled, version]);

  async function save() {
    if (!current || !script) return;
    setSaving(true);
    setSaveError(null);
    try {
      const res = await saveScript(client, current, script, version);
      setProblems([]);
      await settle(current, res.version);
      toast({ tone: 'success', title: t('scriptEditor.saved', { version: res.version }) });
    } catch (e) {
      const found = sourceProblemsOf(e);
      setProblems(found);
      setSaveError(
        found.length ? t('scriptEditor.problems', { count: found.length }) : describePublishError(e).message,
      );
      if (found[0]) editor.current?.reveal(found[0]);
    } finally {
      setSaving(false);
    }
  }

  async function remove() {
    if (!current) return;
    setConfirmDelete(false);
    if (!saved[current]) {
      setDrafts(({ [current]: _gone, ...rest }) => rest);
      return;
    }
    try {
      const res = await deleteScript(client, current, version);
      await settle(current, res.version);
      toast({ tone: 'success', title: t('scriptEditor.deleted') });
    } catch (e) {
      setSaveError(describePublishError(e).message);
    }
  }

  return (
    <div className="f-scripts">
      {guard}
      <ScriptList
        names={names}
        scriptOf={(n) => drafts[n] ?? saved[n]}
        isDirty={isDirty}
        current={current}
        onSelect={select}
        onNew={() => setCreating(true)}
      />
      <section className="f-scripts__main" aria-label={current ?? t('scriptEditor.scripts')}>
        {!current || !script ? (
          <EmptyState
            icon={<Code2 size={22} aria-hidden="true" />}
            headingLevel={2}
            title={names.length ? t('scriptEditor.pickScript') : t('scriptEditor.noScriptsTitle')}
            action={
              <Button variant="primary" icon={<Plus size={16} aria-hidden="true" />} onClick={() => setCreating(true)}>
                {t('scriptEditor.newScript')}
              </Button>
            }
          />
        ) : (
          <>
            <header className="f-perm-editor__head">
              <div>
                <h2>{script.label || current}</h2>
                <p className="f-perm-rolelist__name">{current}</p>
              </div>
              <Button
                variant="danger"
                size="sm"
                icon={<Trash2 size={14} aria-hidden="true" />}
                onClick={() => setConfirmDelete(true)}
              >
                {t('scriptEditor.delete')}
              </Button>
              <Button
                variant="primary"
                icon={<Save size={16} aria-hidden="true" />}
                loading={saving}
                disabled={saved[current] !== undefined && !isDirty(current)}
                onClick={() => void save()}
              >
                {t('scriptEditor.save')}
              </Button>
            </header>
            <ScriptSettings
              id={id}
              script={script}
              objects={objects}
              lang={lang}
              onChange={(next) => setDrafts((d) => ({ ...d, [current]: next }))}
            />
            <div className="f-scripts__editor">
              <CodeEditor
                key={current}
                ref={editor}
                value={script.code}
                language={script.language ?? 'js'}
                problems={problems}
                label={t('scriptEditor.code')}
                onChange={(code) => edit({ code })}
              />
            </div>
            <ScriptProblems error={saveError} problems={problems} onReveal={(p) => editor.current?.reveal(p)} />
            <ScriptTestPanel
              key={`test-${current}`}
              name={current}
              script={script}
              initialRecord={sampleFor(objects[script.object]?.properties)}
              onProblems={setProblems}
            />
          </>
        )}
      </section>
      <NewScriptDialog
        open={creating}
        onOpenChange={setCreating}
        objects={objects}
        taken={names}
        lang={lang}
        onCreate={(name, def) => {
          setDrafts((d) => ({ ...d, [name]: def }));
          select(name);
        }}
      />
      <Dialog
        open={confirmDelete}
        onOpenChange={setConfirmDelete}
        title={t('scriptEditor.deleteTitle', { name: current ?? '' })}
        description={t('scriptEditor.deleteBody')}
        closeLabel={t('common.close')}
        width={440}
        footer={
          <>
            <Button onClick={() => setConfirmDelete(false)} autoFocus>
              {t('common.cancel')}
            </Button>
            <Button variant="danger" onClick={() => void remove()}>
              {t('scriptEditor.delete')}
            </Button>
          </>
        }
      />
    </div>
  );
}
