import { useQuery } from '@tanstack/react-query';
import { X } from 'lucide-react';
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { isPicklist } from '../conditions/condition-model';
import { enumLabel, fieldLabel, objectLabel } from '../i18n/pick-label';
import { useLocale } from '../i18n/use-locale';
import type { AppMeta } from '../meta/meta-types';
import { useApi } from '../api/api-context';
import { useSession } from '../session/session-context';
import { Button } from '../ui';
import { type DashboardFilters, PERIOD_PRESETS, anyFilter } from './dashboard-filters';

interface DashboardUser {
  id: string;
  name?: string;
  email?: string;
  active?: boolean;
}

/**
 * The dashboard's filters above its widgets: a period, the owner and one picklist of the objects
 * the widgets report on. Changes go to the page's address (the caller keeps them there).
 */
export function DashboardFilterBar({
  value,
  onChange,
  objects,
  meta,
}: {
  value: DashboardFilters;
  onChange: (next: DashboardFilters) => void;
  /** The objects the dashboard's widgets report on. */
  objects: string[];
  meta: AppMeta | null | undefined;
}) {
  const { t } = useTranslation();
  const { locale } = useLocale();
  const id = useId();
  const picklists = objects.flatMap((o) => {
    const schema = meta?.objects[o];
    return Object.entries(schema?.properties ?? {})
      .filter(([, f]) => isPicklist(f) && f['x-access'] !== 'none')
      .map(([field]) => ({
        value: `${o}.${field}`,
        label: `${objectLabel(o, schema, locale)} · ${fieldLabel(schema, field, locale)}`,
      }));
  });
  const [pickObject = '', pickField = ''] = value.pick.split('.');
  const pickSchema = meta?.objects[pickObject]?.properties?.[pickField];
  const values = (pickSchema?.enum ?? []).filter((v): v is string => typeof v === 'string');
  const retired = new Set((pickSchema?.['x-enum-retired'] as string[] | undefined) ?? []);
  const set = (patch: Partial<DashboardFilters>) => onChange({ ...value, ...patch });
  const api = useApi();
  const session = useSession();
  // Someone else by name: the tenant's active users but the viewer (who has "Me").
  const users = useQuery({
    queryKey: ['users', session.tenant, 'picker'],
    queryFn: ({ signal }) => api.get<{ items: DashboardUser[] }>('/api/users', { signal }),
    staleTime: 60_000,
  });
  const others = (users.data?.items ?? [])
    .filter((u) => u.id !== session.user?.id && u.active !== false)
    .map((u) => ({ id: u.id, name: u.name || u.email || u.id }))
    .sort((a, b) => a.name.localeCompare(b.name, locale));
  const chosenUnknown =
    !!value.owner && value.owner !== 'me' && value.owner !== 'team' && !others.some((u) => u.id === value.owner);
  return (
    <section className="f-home__wide f-dash-filters" aria-label={t('dashboardFilters.title')}>
      <div className="f-dash-filters__item">
        <label htmlFor={`${id}-period`}>{t('dashboardFilters.period')}</label>
        <select
          id={`${id}-period`}
          className="f-input__control"
          value={value.period}
          onChange={(e) => set({ period: e.target.value as DashboardFilters['period'] })}
        >
          {PERIOD_PRESETS.map((p) => (
            <option key={p} value={p}>
              {t(`dashboardFilters.period_${p || 'any'}`)}
            </option>
          ))}
        </select>
      </div>
      {value.period === 'custom' && (
        <>
          <div className="f-dash-filters__item">
            <label htmlFor={`${id}-from`}>{t('dashboardFilters.from')}</label>
            <input
              id={`${id}-from`}
              type="date"
              className="f-input__control"
              value={value.from}
              max={value.to || undefined}
              onChange={(e) => set({ from: e.target.value })}
            />
          </div>
          <div className="f-dash-filters__item">
            <label htmlFor={`${id}-to`}>{t('dashboardFilters.to')}</label>
            <input
              id={`${id}-to`}
              type="date"
              className="f-input__control"
              value={value.to}
              min={value.from || undefined}
              onChange={(e) => set({ to: e.target.value })}
            />
          </div>
        </>
      )}
      <div className="f-dash-filters__item">
        <label htmlFor={`${id}-owner`}>{t('dashboardFilters.owner')}</label>
        <select
          id={`${id}-owner`}
          className="f-input__control"
          value={value.owner}
          onChange={(e) => set({ owner: e.target.value })}
        >
          <option value="">{t('dashboardFilters.owner_any')}</option>
          <option value="me">{t('dashboardFilters.owner_me')}</option>
          <option value="team">{t('dashboardFilters.owner_team')}</option>
          {others.length > 0 && (
            <optgroup label={t('dashboardFilters.owner_someone')}>
              {others.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name}
                </option>
              ))}
            </optgroup>
          )}
          {/* A shared link's user not (yet) listed: kept, never shown as an id. */}
          {chosenUnknown && <option value={value.owner}>{t('dashboardFilters.owner_other')}</option>}
        </select>
      </div>
      {picklists.length > 0 && (
        <div className="f-dash-filters__item">
          <label htmlFor={`${id}-pick`}>{t('dashboardFilters.picklist')}</label>
          <select
            id={`${id}-pick`}
            className="f-input__control"
            value={value.pick}
            onChange={(e) => set({ pick: e.target.value, value: '' })}
          >
            <option value="">{t('dashboardFilters.picklist_none')}</option>
            {picklists.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
          </select>
        </div>
      )}
      {value.pick && (
        <div className="f-dash-filters__item">
          <label htmlFor={`${id}-value`}>
            {t('dashboardFilters.value', { field: fieldLabel(meta?.objects[pickObject], pickField, locale) })}
          </label>
          <select
            id={`${id}-value`}
            className="f-input__control"
            value={value.value}
            onChange={(e) => set({ value: e.target.value })}
          >
            <option value="">{t('dashboardFilters.value_any')}</option>
            {values
              .filter((v) => !retired.has(v) || v === value.value)
              .map((v) => (
                <option key={v} value={v}>
                  {enumLabel(pickSchema, v, locale)}
                </option>
              ))}
          </select>
        </div>
      )}
      {anyFilter(value) && (
        <Button
          size="sm"
          variant="ghost"
          icon={<X size={16} aria-hidden="true" />}
          onClick={() => onChange({ period: '', from: '', to: '', owner: '', pick: '', value: '' })}
        >
          {t('dashboardFilters.clear')}
        </Button>
      )}
    </section>
  );
}
