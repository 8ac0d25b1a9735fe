import { ArrowLeft, BarChart3, Upload, Wrench } from 'lucide-react';
import { useMemo, useState } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { itemLabel, objectLabel } from '../../i18n/pick-label';
import type { ObjectSchema } from '../../meta/meta-types';
import { Button, Card, DataTable, EmptyState, Page, PageHeader, TextField, useToast } from '../../ui';
import { type FullMetaDocument, PublishDialog, useUnsavedChangesGuard } from '../common';
import { ItemListPage } from '../common/item-list-page';
import { MetaDocumentGate } from '../common/meta-document-gate';
import { useMetaDocument } from '../objects/use-meta-document';
import { type LabelRow, type ReportDefinition, applyLabels, labelProblems, labelsOf, pathLabel } from './report-labels';
import './reports.css';

type ReportsSection = Record<string, ReportDefinition | null>;
const reportsOf = (doc: FullMetaDocument | undefined): ReportsSection => doc?.reports ?? {};

interface Row {
  name: string;
  def: ReportDefinition;
}

/** `/designer/reports`: the tenant's reports, each opening its labels editor. */
export function ReportsPage() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const meta = useMetaDocument();
  const navigate = useNavigate();
  const objects = meta.data?.objects ?? {};
  const rows = useMemo<Row[]>(
    () =>
      Object.entries(reportsOf(meta.data))
        .filter((e): e is [string, ReportDefinition] => !!e[1])
        .map(([name, def]) => ({ name, def }))
        .sort((a, b) => itemLabel(a.def, lang, a.name).localeCompare(itemLabel(b.def, lang, b.name))),
    [meta.data, lang],
  );
  return (
    <ItemListPage
      icon={<BarChart3 size={22} aria-hidden="true" />}
      title={t('reportLabels.title')}
      subtitle={t('reportLabels.subtitle')}
      loadFailed={t('reportLabels.loadFailed')}
      newItem={{
        label: t('reportBuilder.newReport'),
        texts: 'reportBuilder',
        formId: 'f-rep-new',
        taken: Object.keys(reportsOf(meta.data)),
        disabled: !meta.data,
        editorPath: (name, label, object) =>
          `/designer/reports/new?${new URLSearchParams({ name, label, object }).toString()}`,
      }}
    >
      {() => (
        <DataTable<Row>
          caption={t('reportLabels.title')}
          rows={rows}
          rowKey={(r) => r.name}
          onRowClick={(r) => navigate(`/designer/reports/${r.name}`)}
          empty={<EmptyState title={t('reportLabels.none')} body={t('reportLabels.noneBody')} />}
          columns={[
            {
              key: 'label',
              header: t('reportLabels.label'),
              render: (r) => (
                <Link className="f-item-list__link" to={`/designer/reports/${r.name}`}>
                  {itemLabel(r.def, lang, r.name)}
                </Link>
              ),
            },
            {
              key: 'object',
              header: t('reportLabels.object'),
              render: (r) =>
                objectLabel(r.def.object, (objects[r.def.object] ?? undefined) as ObjectSchema | undefined, lang),
            },
            { key: 'chart', header: t('reportLabels.chart'), render: (r) => t(`reportLabels.chart_${r.def.chart}`) },
            {
              key: 'build',
              header: t('reportBuilder.buildColumn'),
              render: (r) => (
                <Link
                  className="f-rep-link"
                  to={`/designer/reports/${r.name}/build`}
                  onClick={(e) => e.stopPropagation()}
                  aria-label={t('reportBuilder.buildLink', { label: itemLabel(r.def, lang, r.name) })}
                >
                  {t('reportBuilder.build')}
                </Link>
              ),
            },
          ]}
        />
      )}
    </ItemListPage>
  );
}

/** `/designer/reports/:name`: one report's labels in English and Chinese, published through the plan dialog. */
export function ReportLabelsPage() {
  const { t } = useTranslation();
  const { name = '' } = useParams();
  return (
    <MetaDocumentGate loadFailed={t('reportLabels.loadFailed')}>
      {(doc) => {
        const def = reportsOf(doc)[name];
        if (!def)
          return (
            <Page>
              <BackLink />
              <EmptyState title={t('reportLabels.notFound')} body={t('reportLabels.notFoundBody')} />
            </Page>
          );
        return <LabelsEditor key={`${name}:${doc.version}`} name={name} def={def} doc={doc} />;
      }}
    </MetaDocumentGate>
  );
}

function BackLink() {
  const { t } = useTranslation();
  return (
    <Link className="f-rep-back" to="/designer/reports">
      <ArrowLeft size={16} aria-hidden="true" /> {t('reportLabels.back')}
    </Link>
  );
}

/** A path (`account.region.name`) read as its fields' labels in `lang`: "Account › Region › Name". */
function readablePath(
  objects: Record<string, ObjectSchema | null | undefined>,
  object: string,
  path: string,
  lang: string,
  t: TFunction,
): string {
  return pathLabel(objects, object, path, lang, (f) =>
    t(`reportLabels.userField_${f}` as 'reportLabels.userField_name', { lng: lang, defaultValue: f }),
  );
}

function LabelsEditor({ name, def, doc }: { name: string; def: ReportDefinition; doc: FullMetaDocument }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const toast = useToast();
  const [rows, setRows] = useState<LabelRow[]>(() => labelsOf(def));
  const objects = doc.objects as Record<string, ObjectSchema | null | undefined>;
  const readable = (path: string, in_: string = lang) => readablePath(objects, def.object, path, in_, t);
  // Each column is called by its published label in the admin's language (its name when it has
  // none), not by what is being typed, so field names stay put while editing.
  const names = useMemo(
    () =>
      labelsOf(def).map((r) =>
        r.role === 'report'
          ? t('reportLabels.theReport')
          : itemLabel(
              { label: r.en, 'x-i18n': { 'zh-CN': { label: r.zh } } },
              lang,
              r.role === 'group' && r.source ? readablePath(objects, def.object, r.source, lang, t) : r.key,
            ),
      ),
    [def, lang, t, objects],
  );
  const [dirty, setDirty] = useState(false);
  const [publishing, setPublishing] = useState(false);
  const [checked, setChecked] = useState(false);
  const guard = useUnsavedChangesGuard(dirty && !publishing);
  const problems = labelProblems(rows);
  const shown = (k: string) => {
    const p = problems[k];
    return p && (checked || p === 'required') ? t(`reportLabels.problem_${p}`) : undefined;
  };
  const set = (i: number, patch: Partial<LabelRow>) => {
    setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...patch } : r)));
    setDirty(true);
  };
  const schema = (doc.objects[def.object] ?? undefined) as ObjectSchema | undefined;
  const title = rows[0]?.en.trim() || def.label;
  const groups: Array<{ role: LabelRow['role']; heading: string }> = [
    { role: 'report', heading: t('reportLabels.reportCard') },
    { role: 'group', heading: t('reportLabels.groups') },
    { role: 'measure', heading: t('reportLabels.measures') },
    { role: 'derived', heading: t('reportLabels.derived') },
  ];

  return (
    <Page>
      {guard}
      <BackLink />
      <PageHeader
        icon={<BarChart3 size={22} aria-hidden="true" />}
        title={itemLabel({ ...def, label: title }, lang, name)}
        subtitle={t('reportLabels.editorSubtitle', {
          object: objectLabel(def.object, schema, lang),
          chart: t(`reportLabels.chart_${def.chart}`),
        })}
        actions={
          <Button
            variant="primary"
            icon={<Upload size={16} aria-hidden="true" />}
            disabled={!dirty}
            onClick={() => {
              setChecked(true);
              if (Object.keys(problems).length) toast({ tone: 'error', title: t('reportLabels.fixProblems') });
              else setPublishing(true);
            }}
          >
            {t('reportLabels.publish')}
          </Button>
        }
      />
      <p className="f-rep-hint">
        {t('reportLabels.hint')}{' '}
        <Link className="f-rep-link" to={`/designer/reports/${name}/build`}>
          <Wrench size={14} aria-hidden="true" /> {t('reportBuilder.openBuilder')}
        </Link>
      </p>
      <div className="f-rep-cards">
        {groups.map(({ role, heading }) => {
          const members = rows.map((r, i) => [r, i] as const).filter(([r]) => r.role === role);
          if (!members.length) return null;
          return (
            <Card key={role} title={heading}>
              <div className="f-rep-rows">
                {members.map(([r, i]) => {
                  const what = names[i] ?? r.key;
                  // Without a label the server names a group by its path's English labels.
                  const fallback = r.role === 'group' && r.source ? readable(r.source, 'en') : r.key;
                  return (
                    <div className="f-rep-row" key={`${r.role}:${r.key}`}>
                      {r.role !== 'report' && <div className="f-rep-row__name">{what}</div>}
                      {r.source && (
                        <div className="f-rep-row__source">
                          {t('reportLabels.reads', { path: readable(r.source) })}
                          <code>{r.source}</code>
                        </div>
                      )}
                      <TextField
                        label={t('reportLabels.english', { name: what })}
                        value={r.en}
                        required={r.role === 'report'}
                        maxLength={200}
                        placeholder={r.role === 'report' ? undefined : fallback}
                        hint={r.role === 'report' ? undefined : t('reportLabels.blankEnglishHint', { name: fallback })}
                        error={shown(`${i}.en`)}
                        onChange={(e) => set(i, { en: e.target.value })}
                      />
                      <TextField
                        label={t('reportLabels.chinese', { name: what })}
                        lang="zh-CN"
                        value={r.zh}
                        maxLength={200}
                        error={shown(`${i}.zh`)}
                        onChange={(e) => set(i, { zh: e.target.value })}
                      />
                    </div>
                  );
                })}
              </div>
            </Card>
          );
        })}
      </div>
      <PublishDialog
        open={publishing}
        onOpenChange={(o) => !o && setPublishing(false)}
        document={{ version: doc.version, reports: { [name]: applyLabels(def, rows) } }}
        onPublished={() => {
          setDirty(false);
          toast({ tone: 'success', title: t('reportLabels.published') });
        }}
        title={t('reportLabels.publishTitle', { label: title })}
      />
    </Page>
  );
}
