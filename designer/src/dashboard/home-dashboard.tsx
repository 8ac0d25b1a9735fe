import { useQueryClient } from '@tanstack/react-query';
import { ArrowDown, ArrowUp, LayoutDashboard, Plus, Trash2 } from 'lucide-react';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { fieldLabel, itemLabel } from '../i18n/pick-label';
import { useLocale } from '../i18n/use-locale';
import type { AppMeta } from '../meta/meta-types';
import { useSession } from '../session/session-context';
import { Button, Card, IconButton, LoadingState, useToast } from '../ui';
import { DashboardCharts } from './dashboard-charts';
import { DashboardFilterBar } from './dashboard-filter-bar';
import { narrowingFor } from './dashboard-filters';
import { ReportWidget } from './report-widget';
import { useDashboardFilters } from './use-dashboard-filters';
import {
  type DashboardWidget,
  type ReportRun,
  dashboardKeys,
  useHomeDashboard,
  useReportList,
  useReportsApi,
} from './reports-api';
import './home-dashboard.css';

type EditedWidget = DashboardWidget & { label: string; key: string };

let nextKey = 0;
/** Stable React keys: the same report may appear twice, and widgets move while editing. */
const withKeys = (widgets: Array<DashboardWidget & { label: string }>): EditedWidget[] =>
  widgets.map((w) => ({ ...w, key: `w${++nextKey}` }));

/**
 * The home dashboard: the user's dashboard by role, its report widgets drawn with recharts; without
 * one, the charts found from the metadata. Admins edit it in place: add a widget from the report
 * list, remove, reorder, save (stored in the `dashboards` metadata section).
 */
export function HomeDashboard({ meta }: { meta: AppMeta | null | undefined }) {
  const { t } = useTranslation();
  const { locale } = useLocale();
  const session = useSession();
  const home = useHomeDashboard();
  const [editing, setEditing] = useState<EditedWidget[] | null>(null);
  const dashboard = home.data?.dashboard ?? null;
  const shown = useMemo(() => withKeys(dashboard?.widgets ?? []), [dashboard]);
  const [filters, setFilters] = useDashboardFilters();
  const reports = useReportList(!!dashboard);
  const objectOf = (report: string) => reports.data?.items.find((r) => r.name === report)?.object;
  const widgetObjects = [
    ...new Set((dashboard?.widgets ?? []).map((w) => objectOf(w.report)).filter(Boolean)),
  ] as string[];
  const today = localToday();
  if (home.isPending) return <LoadingState compact label={t('common.loading')} />;
  const widgets = editing ?? shown;
  const editButton = session.isAdmin && !editing && (
    <div className="f-home__wide f-dashboard__bar">
      <Button
        size="sm"
        variant="ghost"
        icon={<LayoutDashboard size={16} aria-hidden="true" />}
        onClick={() => setEditing(shown)}
      >
        {t('homeDashboard.edit')}
      </Button>
    </div>
  );
  return (
    <>
      {editButton}
      {editing && (
        <DashboardEditor
          name={dashboard?.name ?? 'home'}
          widgets={editing}
          onChange={setEditing}
          onDone={() => setEditing(null)}
        />
      )}
      {dashboard && !editing && widgets.length > 0 && (
        <DashboardFilterBar value={filters} onChange={setFilters} objects={widgetObjects} meta={meta} />
      )}
      {!dashboard && !editing ? (
        <DashboardCharts meta={meta} />
      ) : (
        widgets.map((w) => {
          const object = objectOf(w.report);
          // While editing, widgets show unfiltered: the editor arranges the dashboard everyone gets.
          const { narrowing, pickNotApplied } = editing
            ? { narrowing: {}, pickNotApplied: false }
            : narrowingFor(filters, object, session.user.id, today);
          const [pickObject = '', pickField = ''] = filters.pick.split('.');
          const note = (run: ReportRun) => {
            const lines: string[] = [];
            if (narrowing.period && !run.periodField) lines.push(t('dashboardFilters.periodNotApplied'));
            else if (narrowing.period && run.periodField)
              lines.push(
                t('dashboardFilters.periodOn', {
                  field: fieldAt(meta, run.object, run.periodField, locale, t('dashboardFilters.createdAt')),
                }),
              );
            if (pickNotApplied)
              lines.push(
                t('dashboardFilters.pickNotApplied', {
                  field: fieldLabel(meta?.objects[pickObject], pickField, locale),
                }),
              );
            return lines.join(' · ') || undefined;
          };
          return (
            <ReportWidget
              key={w.key}
              widget={w}
              meta={meta}
              narrowing={narrowing}
              note={note}
              className={w.width === 'full' ? 'f-home__chart f-home__wide' : 'f-home__chart'}
            />
          );
        })
      )}
    </>
  );
}

/** Today in the viewer's calendar (YYYY-MM-DD): "this month" is the month they are in. */
function localToday(): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The label of the date field a period was applied to (a path's last field; created_at by name). */
function fieldAt(meta: AppMeta | null | undefined, object: string, path: string, locale: string, created: string) {
  if (path === 'created_at') return created;
  const segs = path.split('.');
  let schema = meta?.objects[object];
  for (const seg of segs.slice(0, -1)) {
    const ref = schema?.properties?.[seg]?.['x-ref'];
    schema = ref ? meta?.objects[ref] : undefined;
  }
  return fieldLabel(schema, segs[segs.length - 1] ?? path, locale);
}

function DashboardEditor({
  name,
  widgets,
  onChange,
  onDone,
}: {
  name: string;
  widgets: EditedWidget[];
  onChange: (w: EditedWidget[]) => void;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const { locale } = useLocale();
  const toast = useToast();
  const session = useSession();
  const queryClient = useQueryClient();
  const reportsApi = useReportsApi();
  const reports = useReportList(true);
  const [choice, setChoice] = useState('');
  const [saving, setSaving] = useState(false);
  const move = (i: number, by: number) => {
    const next = [...widgets];
    const [w] = next.splice(i, 1);
    if (w) next.splice(Math.max(0, Math.min(next.length, i + by)), 0, w);
    onChange(next);
  };
  const add = () => {
    const r = reports.data?.items.find((x) => x.name === choice);
    if (!r) return;
    onChange([
      ...widgets,
      ...withKeys([
        { report: r.name, label: r.label, ...(r['x-i18n'] ? { 'x-i18n': r['x-i18n'] } : {}), width: 'half' },
      ]),
    ]);
    setChoice('');
  };
  // A widget's own title in English and Chinese; without one it shows its report's labels.
  const zhTitle = (w: EditedWidget) =>
    w.title ? String((w['x-i18n']?.['zh-CN'] as { title?: unknown } | undefined)?.title ?? '') : '';
  const reportLabel = (w: EditedWidget) => reports.data?.items.find((r) => r.name === w.report)?.label ?? w.label;
  const retitle = (i: number, en: string, zh: string) =>
    onChange(
      widgets.map((w, j) => {
        if (j !== i) return w;
        const report = reports.data?.items.find((r) => r.name === w.report);
        const { title: _title, 'x-i18n': _i18n, ...rest } = w;
        if (!en.trim() && !zh.trim())
          return { ...rest, label: reportLabel(w), ...(report?.['x-i18n'] ? { 'x-i18n': report['x-i18n'] } : {}) };
        // A Chinese title alone still needs the English one the server falls back to: the report's.
        const title = en.trim() ? en : reportLabel(w);
        return { ...rest, title, label: title, ...(zh.trim() ? { 'x-i18n': { 'zh-CN': { title: zh } } } : {}) };
      }),
    );
  const save = async () => {
    setSaving(true);
    try {
      const current = (await reportsApi.definition(name)) ?? { label: t('homeDashboard.defaultLabel'), widgets: [] };
      await reportsApi.save(name, {
        ...current,
        // Only what the editor shows: the server adds labels and defaults on read.
        // A widget without a title shows its report's translations: they are not the widget's own.
        widgets: widgets.map(({ label: _label, key: _key, 'x-i18n': i18n, ...w }) =>
          w.title && i18n ? { ...w, 'x-i18n': i18n } : w,
        ),
      });
      await queryClient.invalidateQueries({ queryKey: dashboardKeys.home(session.tenant, session.user.id) });
      toast({ tone: 'success', title: t('homeDashboard.saved') });
      onDone();
    } catch (err) {
      toast({ tone: 'error', title: t('homeDashboard.saveFailed'), description: (err as Error).message });
    } finally {
      setSaving(false);
    }
  };
  return (
    <Card title={t('homeDashboard.editing')} className="f-home__wide">
      <ol className="f-dashboard__widgets" aria-label={t('homeDashboard.widgets')}>
        {widgets.map((w, i) => (
          <li key={w.key} className="f-dashboard__widget">
            <span className="f-dashboard__widget-label">{itemLabel(w, locale)}</span>
            <input
              className="f-input__control f-dashboard__title"
              aria-label={t('homeDashboard.titleEn', { name: itemLabel(w, locale) })}
              placeholder={t('homeDashboard.titleEnPlaceholder')}
              maxLength={200}
              value={w.title ?? ''}
              onChange={(e) => retitle(i, e.target.value, zhTitle(w))}
            />
            <input
              className="f-input__control f-dashboard__title"
              lang="zh-CN"
              aria-label={t('homeDashboard.titleZh', { name: itemLabel(w, locale) })}
              placeholder={t('homeDashboard.titleZhPlaceholder')}
              maxLength={200}
              value={zhTitle(w)}
              onChange={(e) => retitle(i, w.title && w.title !== reportLabel(w) ? w.title : '', e.target.value)}
            />
            <IconButton
              label={t('homeDashboard.moveUp', { name: itemLabel(w, locale) })}
              icon={<ArrowUp size={16} />}
              disabled={i === 0}
              onClick={() => move(i, -1)}
            />
            <IconButton
              label={t('homeDashboard.moveDown', { name: itemLabel(w, locale) })}
              icon={<ArrowDown size={16} />}
              disabled={i === widgets.length - 1}
              onClick={() => move(i, 1)}
            />
            <IconButton
              label={t('homeDashboard.remove', { name: itemLabel(w, locale) })}
              icon={<Trash2 size={16} />}
              onClick={() => onChange(widgets.filter((_, j) => j !== i))}
            />
          </li>
        ))}
        {widgets.length === 0 && <li className="f-dashboard__empty">{t('homeDashboard.empty')}</li>}
      </ol>
      <div className="f-dashboard__add">
        <label htmlFor="f-dashboard-report">{t('homeDashboard.addLabel')}</label>
        <select id="f-dashboard-report" value={choice} onChange={(e) => setChoice(e.target.value)}>
          <option value="">{t('homeDashboard.choose')}</option>
          {(reports.data?.items ?? []).map((r) => (
            <option key={r.name} value={r.name}>
              {itemLabel(r, locale)}
            </option>
          ))}
        </select>
        <Button size="sm" icon={<Plus size={16} aria-hidden="true" />} disabled={!choice} onClick={add}>
          {t('homeDashboard.add')}
        </Button>
        <span className="f-dashboard__spacer" />
        <Button size="sm" variant="ghost" onClick={onDone} disabled={saving}>
          {t('homeDashboard.cancel')}
        </Button>
        <Button size="sm" variant="primary" loading={saving} onClick={save}>
          {t('homeDashboard.save')}
        </Button>
      </div>
    </Card>
  );
}
