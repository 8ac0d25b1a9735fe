import { useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { RefreshCw, UsersRound } from 'lucide-react';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams, useSearchParams } from 'react-router';
import { useApi } from '../../api/api-context';
import { ApiError } from '../../api/api-error';
import { ConditionBuilder } from '../../conditions/condition-builder';
import { itemLabel, objectLabel } from '../../i18n/pick-label';
import type { ObjectSchema } from '../../meta/meta-types';
import {
  Badge,
  Button,
  Card,
  type Column,
  DataTable,
  EmptyState,
  LoadingState,
  Page,
  TextField,
  useToast,
} from '../../ui';
import { type FullMetaDocument, errorsUnder, useItemDraft, useItemPublish } from '../common';
import { ItemEditorHeader } from '../common/item-editor-header';
import { ItemListPage } from '../common/item-list-page';
import { MetaDocumentGate } from '../common/meta-document-gate';
import { RoleChecks } from '../common/role-checks';
import { SelectField, TextAreaField } from '../objects/controls';
import { useMetaDocument } from '../objects/use-meta-document';
import { usePhone } from '../../shell/use-phone';
import {
  SEGMENT_SCHEDULES,
  type SegmentDefinition,
  type SegmentDraft,
  definitionOf,
  draftOf,
  filterOf,
  localProblems,
  lookupsOf,
  newDraft,
  segmentLabel,
} from './segment-model';
import { segmentsApi } from './segments-api';
import './segments.css';

const segmentsOf = (doc: FullMetaDocument | undefined) => doc?.segments ?? {};

function useWhen() {
  const { i18n } = useTranslation();
  const fmt = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeStyle: 'short' });
  return (iso: string | null | undefined) => (iso ? fmt.format(new Date(iso)) : '');
}

/** `/designer/segments`: the tenant's saved segments with their size, and a way to add one. */
export function SegmentsPage() {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const meta = useMetaDocument();
  const when = useWhen();
  const phone = usePhone();
  const lang = i18n.language;
  const objects = meta.data?.objects ?? {};
  const segments = segmentsOf(meta.data);
  const summaries = useQuery({
    queryKey: ['designer-segments'],
    queryFn: ({ signal }) => segmentsApi(api).list(signal),
  });
  const byName = new Map((summaries.data ?? []).map((s) => [s.name, s]));
  // The list names when each was refreshed; the size is each counted one's own read (a handful).
  const counted = (summaries.data ?? []).filter((s) => s.refreshedAt);
  const counts = useQueries({
    queries: counted.map((s) => ({
      queryKey: ['designer-segments', s.name],
      queryFn: ({ signal }: { signal: AbortSignal }) => segmentsApi(api).get(s.name, signal),
    })),
  });
  const countOf = new Map(counted.map((s, i) => [s.name, counts[i]?.data?.count]));
  const rows = Object.entries(segments)
    .filter((e): e is [string, SegmentDefinition] => !!e[1])
    .map(([name, def]) => ({ name, def, label: segmentLabel(def, lang), summary: byName.get(name) }))
    .sort((a, b) => a.label.localeCompare(b.label));
  type Row = (typeof rows)[number];

  return (
    <ItemListPage
      icon={<UsersRound size={22} aria-hidden="true" />}
      title={t('segmentsDesigner.title')}
      subtitle={t('segmentsDesigner.subtitle')}
      loadFailed={t('segmentsDesigner.loadFailed')}
      newItem={{
        label: t('segmentsDesigner.newSegment'),
        texts: 'segmentsDesigner',
        formId: 'f-seg-new',
        taken: Object.keys(segments),
        initialObject: objects.account ? 'account' : undefined,
        editorPath: (name, label, object) =>
          `/designer/segments/${name}?${new URLSearchParams({ object, label }).toString()}`,
      }}
    >
      {() => (
        <DataTable
          caption={t('segmentsDesigner.title')}
          rows={rows}
          rowKey={(r) => r.name}
          empty={<EmptyState title={t('segmentsDesigner.none')} body={t('segmentsDesigner.noneBody')} />}
          columns={(
            [
              {
                key: 'label',
                header: t('segmentsDesigner.segmentColumn'),
                render: (r) => (
                  <Link className="f-item-list__link" to={`/designer/segments/${r.name}`}>
                    {r.label}
                  </Link>
                ),
              },
              {
                key: 'object',
                header: t('segmentsDesigner.object'),
                render: (r) => objectLabel(r.def.object, objects[r.def.object] ?? undefined, lang),
              },
              {
                key: 'refresh',
                header: t('segmentsDesigner.refreshColumn'),
                render: (r) => <RefreshText mode={r.def.refresh?.mode} every={r.def.refresh?.every} />,
              },
              {
                key: 'count',
                header: t('segmentsDesigner.members'),
                render: (r) =>
                  r.summary?.refreshedAt ? (
                    (countOf.get(r.name)?.toLocaleString(lang) ?? '…')
                  ) : (
                    <Badge>{t('segmentsDesigner.neverRefreshed')}</Badge>
                  ),
              },
              {
                key: 'refreshedAt',
                header: t('segmentsDesigner.lastRefresh'),
                render: (r) => when(r.summary?.refreshedAt),
              },
            ] satisfies Column<Row>[]
          )
            // A phone shows the name and the size: the rest is one tap away in the editor.
            .filter((c) => !phone || c.key === 'label' || c.key === 'count')}
        />
      )}
    </ItemListPage>
  );
}

function RefreshText({ mode, every }: { mode: string | undefined; every: string | undefined }) {
  const { t } = useTranslation();
  if (mode !== 'schedule') return <>{t('segmentsDesigner.manual')}</>;
  const i = (SEGMENT_SCHEDULES as readonly string[]).indexOf(every ?? '');
  return <>{i >= 0 ? t(`segmentsDesigner.schedule_${i}` as 'segmentsDesigner.schedule_0') : every}</>;
}

/** `/designer/segments/:name`: one segment (a new one with `?object=&label=`). */
export function SegmentEditorPage() {
  const { name = '' } = useParams();
  const { t } = useTranslation();
  return (
    <MetaDocumentGate loadFailed={t('segmentsDesigner.loadFailed')}>
      {(doc) => <SegmentEditor key={`${name}:${doc.version}`} name={name} doc={doc} />}
    </MetaDocumentGate>
  );
}

/** A value that settles: the preview asks the server once typing pauses, not on every key. */
function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(id);
  }, [value, ms]);
  return settled;
}

function SegmentEditor({ name, doc }: { name: string; doc: FullMetaDocument }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const toast = useToast();
  const queryClient = useQueryClient();
  const when = useWhen();
  const [params] = useSearchParams();
  const lang = i18n.language;
  const objects = doc.objects as Record<string, ObjectSchema | null | undefined>;
  const lookups = useMemo(() => lookupsOf(objects), [objects]);
  const stored = segmentsOf(doc)[name] ?? undefined;
  const initial = useMemo<SegmentDraft>(
    () =>
      stored
        ? draftOf(stored, objects[stored.object] ?? undefined, lookups)
        : newDraft(params.get('object') ?? Object.keys(objects)[0] ?? '', params.get('label') ?? ''),
    [stored, params, objects, lookups],
  );
  const item = useItemDraft(initial, !!stored);
  const { draft, update } = item;
  const [refreshing, setRefreshing] = useState(false);

  const schema = objects[draft.object] ?? undefined;
  const built = filterOf(draft, schema, lookups);
  const definition = definitionOf(draft, stored, built.filter ?? {});
  const local = localProblems(draft, built.rawInvalid);
  const localText = Object.fromEntries(
    Object.entries(local).map(([p, code]) => [p, t(`segmentsDesigner.problem_${code}`)]),
  );
  const title = segmentLabel(definition, lang) || t('segmentsDesigner.untitled');
  const flow = useItemPublish(item, {
    section: 'segments',
    texts: 'segmentsDesigner',
    name,
    version: doc.version,
    definition,
    label: title,
    localText,
    builderProblems: built.problems,
    after: { deleted: '/designer/segments', published: `/designer/segments/${name}` },
    onPublished: () => void queryClient.invalidateQueries({ queryKey: ['designer-segments'] }),
  });
  const { shown } = flow;
  const under = (path: string) => errorsUnder(shown, path);

  const previewKey = built.filter ? JSON.stringify([draft.object, built.filter]) : null;
  const settledKey = useSettled(previewKey, 400);
  const preview = useQuery({
    queryKey: ['segment-preview', settledKey],
    enabled: settledKey !== null && !!draft.object,
    queryFn: ({ signal }) => {
      const [object, filter] = JSON.parse(settledKey as string) as [string, Record<string, unknown>];
      return segmentsApi(api).preview(object, filter, signal);
    },
    retry: false,
  });
  const history = useQuery({
    queryKey: ['segment-history', name],
    enabled: stored !== undefined,
    queryFn: ({ signal }) => segmentsApi(api).history(name, signal),
  });

  const objectOptions = Object.entries(objects)
    .filter(([, o]) => !!o)
    .map(([n, o]) => ({ value: n, label: objectLabel(n, o ?? undefined, lang) }))
    .sort((a, b) => a.label.localeCompare(b.label));
  const roles = Object.entries(doc.roles ?? {})
    .filter(([, r]) => !!r)
    .map(([n, r]) => ({ value: n, label: itemLabel(r ?? undefined, lang, n) }))
    .sort((a, b) => a.label.localeCompare(b.label));
  const scheduleChoice = (SEGMENT_SCHEDULES as readonly string[]).includes(draft.every) ? draft.every : 'custom';

  async function refreshNow() {
    setRefreshing(true);
    try {
      const run = await segmentsApi(api).refresh(name);
      toast({
        tone: 'success',
        title: t('segmentsDesigner.refreshed', { count: run.count, entered: run.entered, left: run.left }),
      });
      await Promise.all([history.refetch(), queryClient.invalidateQueries({ queryKey: ['designer-segments'] })]);
    } catch (e) {
      toast({ tone: 'error', title: e instanceof ApiError ? e.message : String(e) });
    } finally {
      setRefreshing(false);
    }
  }

  return (
    <Page wide>
      {flow.guard}
      <ItemEditorHeader
        {...flow.header}
        back={'/designer/segments'}
        icon={<UsersRound size={22} aria-hidden="true" />}
        title={title}
        subtitle={t('segmentsDesigner.editorSubtitle', { object: objectLabel(draft.object, schema, lang) })}
      />
      {shown['/'] && (
        <p className="f-field__error" role="alert">
          {shown['/']}
        </p>
      )}
      <div className="f-item-editor__layout f-seg-layout">
        <div className="f-item-editor__main">
          <Card title={t('segmentsDesigner.basics')}>
            <div className="f-item-editor__form">
              <div className="f-item-editor__inline">
                <TextField
                  label={t('segmentsDesigner.labelEn')}
                  value={draft.label}
                  onChange={(e) => update({ label: e.target.value })}
                  error={under('/label')}
                  required
                />
                <TextField
                  label={t('segmentsDesigner.labelZh')}
                  value={draft.labelZh}
                  onChange={(e) => update({ labelZh: e.target.value })}
                  error={under('/x-i18n')}
                />
              </div>
              <TextAreaField
                label={t('segmentsDesigner.description')}
                rows={2}
                value={draft.description}
                onChange={(description) => update({ description })}
                error={under('/description')}
              />
              <div className={under('/object') ? 'f-field--invalid' : undefined}>
                <SelectField
                  label={t('segmentsDesigner.object')}
                  value={draft.object}
                  options={objectOptions}
                  // Conditions name the object's fields: another object starts them afresh.
                  onChange={(object) => update({ object, group: { kind: 'group', join: 'and', items: [] }, raw: null })}
                />
                {under('/object') && (
                  <p className="f-field__error" role="alert">
                    {under('/object')}
                  </p>
                )}
              </div>
            </div>
          </Card>

          <Card title={t('segmentsDesigner.conditions')}>
            <p className="f-item-editor__muted">{t('segmentsDesigner.conditionsHint')}</p>
            {draft.raw === null ? (
              <ConditionBuilder
                label={t('segmentsDesigner.conditions')}
                schema={schema ?? {}}
                value={draft.group}
                lookups={lookups}
                onChange={(group) => update({ group })}
                problems={flow.shownBuilderProblems}
              />
            ) : (
              <TextAreaField
                label={t('segmentsDesigner.rawFilter')}
                mono
                rows={8}
                value={draft.raw}
                hint={t('segmentsDesigner.rawFilterHint')}
                onChange={(raw) => update({ raw })}
              />
            )}
            {under('/filter') && (
              <p className="f-field__error" role="alert">
                {under('/filter')}
              </p>
            )}
          </Card>

          <Card title={t('segmentsDesigner.refresh')}>
            <div className="f-item-editor__form">
              <div className="f-item-editor__inline">
                <SelectField
                  label={t('segmentsDesigner.refreshMode')}
                  value={draft.mode}
                  options={[
                    { value: 'manual', label: t('segmentsDesigner.manual') },
                    { value: 'schedule', label: t('segmentsDesigner.scheduled') },
                  ]}
                  onChange={(mode) => update({ mode: mode as SegmentDraft['mode'] })}
                />
                {draft.mode === 'schedule' && (
                  <SelectField
                    label={t('segmentsDesigner.every')}
                    value={scheduleChoice}
                    options={[
                      ...SEGMENT_SCHEDULES.map((s, i) => ({
                        value: s,
                        label: t(`segmentsDesigner.schedule_${i}` as 'segmentsDesigner.schedule_0'),
                      })),
                      { value: 'custom', label: t('segmentsDesigner.scheduleCustom') },
                    ]}
                    onChange={(v) => update({ every: v === 'custom' ? '' : v })}
                  />
                )}
              </div>
              {draft.mode === 'schedule' && scheduleChoice === 'custom' && (
                <TextField
                  label={t('segmentsDesigner.cron')}
                  hint={t('segmentsDesigner.cronHint')}
                  value={draft.every}
                  onChange={(e) => update({ every: e.target.value })}
                  error={under('/refresh')}
                />
              )}
              {draft.mode === 'schedule' && scheduleChoice !== 'custom' && under('/refresh') && (
                <p className="f-field__error" role="alert">
                  {under('/refresh')}
                </p>
              )}
            </div>
          </Card>

          <Card title={t('segmentsDesigner.access')}>
            <p className="f-item-editor__muted">{t('segmentsDesigner.accessHint')}</p>
            <div className="f-seg-roles">
              <RoleChecks roles={roles} value={draft.roles} onChange={(next) => update({ roles: next })} />
            </div>
            {under('/roles') && (
              <p className="f-field__error" role="alert">
                {under('/roles')}
              </p>
            )}
          </Card>
        </div>

        <aside className="f-item-editor__side f-seg-side">
          <Card title={t('segmentsDesigner.preview')}>
            <div className="f-seg-preview" aria-live="polite" data-testid="segment-preview">
              {!built.filter ? (
                <p className="f-item-editor__muted">{t('segmentsDesigner.previewFinish')}</p>
              ) : preview.isError ? (
                <p className="f-field__error" role="alert">
                  {preview.error.message}
                </p>
              ) : preview.data && settledKey === previewKey ? (
                <>
                  <p className="f-seg-count">{preview.data.count.toLocaleString(lang)}</p>
                  <p className="f-item-editor__muted">
                    {t('segmentsDesigner.previewCount', {
                      count: preview.data.count,
                      object: objectLabel(draft.object, schema, lang),
                    })}
                  </p>
                </>
              ) : (
                <p className="f-item-editor__muted">{t('segmentsDesigner.counting')}</p>
              )}
            </div>
          </Card>
          <Card
            title={t('segmentsDesigner.history')}
            actions={
              stored ? (
                <Button
                  size="sm"
                  icon={<RefreshCw size={14} aria-hidden="true" />}
                  disabled={refreshing}
                  onClick={refreshNow}
                >
                  {refreshing ? t('segmentsDesigner.refreshing') : t('segmentsDesigner.refreshNow')}
                </Button>
              ) : undefined
            }
          >
            {!stored ? (
              <p className="f-item-editor__muted">{t('segmentsDesigner.historyAfterPublish')}</p>
            ) : history.isPending ? (
              <LoadingState label={t('common.loading')} />
            ) : history.isError ? (
              <p className="f-field__error">{history.error.message}</p>
            ) : !history.data.length ? (
              <p className="f-item-editor__muted">{t('segmentsDesigner.historyNone')}</p>
            ) : (
              <table className="f-seg-history">
                <caption className="f-seg-sr">{t('segmentsDesigner.history')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('segmentsDesigner.historyAt')}</th>
                    <th scope="col">{t('segmentsDesigner.members')}</th>
                    <th scope="col">{t('segmentsDesigner.entered')}</th>
                    <th scope="col">{t('segmentsDesigner.left')}</th>
                  </tr>
                </thead>
                <tbody>
                  {history.data.map((h) => (
                    <tr key={h.id}>
                      <td>
                        {when(h.at)}
                        <span className="f-item-editor__muted">
                          {' · '}
                          {h.trigger === 'schedule' ? t('segmentsDesigner.byScheduler') : t('segmentsDesigner.byHand')}
                        </span>
                      </td>
                      <td>{h.count.toLocaleString(lang)}</td>
                      <td>+{h.entered.toLocaleString(lang)}</td>
                      <td>−{h.left.toLocaleString(lang)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Card>
        </aside>
      </div>

      {flow.dialog}
    </Page>
  );
}
