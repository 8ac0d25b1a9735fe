import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import {
  BarChart3,
  Code2,
  Database,
  FileInput,
  GitBranch,
  LayoutTemplate,
  PencilRuler,
  Printer,
  Plug,
  Shield,
  SquareStack,
  Users,
  UsersRound,
  Zap,
} from 'lucide-react';
import type { LucideIcon } from 'lucide-react';
import { useSession } from '../session/session-context';
import { Badge, Page, PageHeader } from '../ui';
import './designer-home-page.css';
import { tenantDisplayName } from '../api/auth-api';

type AreaKey =
  | 'objects'
  | 'forms'
  | 'workflows'
  | 'automations'
  | 'reports'
  | 'documents'
  | 'webForms'
  | 'segments'
  | 'permissions'
  | 'users'
  | 'scripts'
  | 'templates'
  | 'integrations';

/** Areas that are built; the others still show "coming soon". */
const AREA_ROUTES: Partial<Record<AreaKey, string>> = {
  objects: '/designer/objects',
  // Form layouts and list views are tabs of each object's editor.
  forms: '/designer/objects',
  workflows: '/designer/workflows',
  automations: '/designer/automations',
  reports: '/designer/reports',
  documents: '/designer/documents',
  webForms: '/designer/web-forms',
  segments: '/designer/segments',
  permissions: '/designer/permissions',
  users: '/designer/users',
  scripts: '/designer/scripts',
  templates: '/designer/templates',
  integrations: '/designer/integrations',
};

const AREAS: Array<[key: AreaKey, LucideIcon]> = [
  ['objects', Database],
  ['forms', SquareStack],
  ['workflows', GitBranch],
  ['automations', Zap],
  ['reports', BarChart3],
  ['documents', Printer],
  ['webForms', FileInput],
  ['segments', UsersRound],
  ['permissions', Shield],
  ['users', Users],
  ['scripts', Code2],
  ['templates', LayoutTemplate],
  ['integrations', Plug],
];

/** An area's name and blurb; the reports area's texts live in their own locale block. */
const areaTexts = (key: AreaKey) =>
  key === 'reports'
    ? (['reportLabels.area', 'reportLabels.areaBody'] as const)
    : key === 'documents'
      ? (['documents.area', 'documents.areaBody'] as const)
      : key === 'webForms'
        ? (['webFormsDesigner.area', 'webFormsDesigner.areaBody'] as const)
        : key === 'segments'
          ? (['segmentsDesigner.area', 'segmentsDesigner.areaBody'] as const)
          : ([`designer.${key}`, `designer.${key}Body`] as const);

/** `/designer`: the admin's entry to the visual designer; each area becomes a route of its own. */
export function DesignerHomePage() {
  const { t } = useTranslation();
  const session = useSession();
  return (
    <Page>
      <PageHeader
        icon={<PencilRuler size={22} aria-hidden="true" />}
        title={t('designer.title')}
        subtitle={t('designer.subtitle', { tenant: tenantDisplayName(session) })}
      />
      <ul className="f-designer__areas">
        {AREAS.map(([key, Icon]) => (
          <li key={key} className="f-designer__area" aria-disabled={AREA_ROUTES[key] ? undefined : 'true'}>
            <div className="f-designer__area-icon">
              <Icon size={20} aria-hidden="true" />
            </div>
            <div className="f-designer__area-text">
              <h2>
                {AREA_ROUTES[key] ? (
                  <Link className="f-designer__area-link" to={AREA_ROUTES[key]}>
                    {t(areaTexts(key)[0])}
                  </Link>
                ) : (
                  t(areaTexts(key)[0])
                )}
              </h2>
              <p>{t(areaTexts(key)[1])}</p>
              {!AREA_ROUTES[key] && <Badge>{t('common.comingSoon')}</Badge>}
            </div>
          </li>
        ))}
      </ul>
    </Page>
  );
}
