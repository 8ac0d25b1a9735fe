import { Outlet, type RouteObject } from 'react-router';
import { DashboardPage } from './dashboard/dashboard-page';
import { ApprovalsPage } from './pages/approvals-page';
import { lazyDesignerScreen } from './designer/lazy-designer';
import { DesignerHomePage } from './pages/designer-home-page';
import { HomePage } from './pages/home-page';
import { ImportPage } from './pages/import-page';
import { InvitationPage } from './pages/invitation-page';
import { LoginPage } from './pages/login-page';
import { PublicFormPage } from './public/public-form-page';
import { ForbiddenPage, NotFoundPage } from './pages/not-found-page';
import { ObjectPage } from './pages/object-page';
import { RecordPage } from './pages/record-page';
import { RecycleBinPage } from './pages/recycle-bin-page';
import { RouteErrorPage } from './pages/route-error-page';
import { UiKitPage } from './pages/ui-kit-page';
import { SurveyPage } from './public/survey-page';
import { PortalApp } from './portal/portal-app';
import { RequireAdmin, RequireSession } from './session/require-session';
import { AppShell } from './shell/app-shell';
import { BriefcasePage } from './offline/briefcase-page';
import { BriefcaseRecordPage } from './offline/briefcase-record-page';
import { ConflictPage } from './offline/conflict-page';

/**
 * One bundle, two apps: the end-user app at `/` and the designer under `/designer` (admins only).
 * Both live inside the signed-in shell; new screens add child routes here.
 */
export const appRoutes: RouteObject[] = [
  { path: '/login', element: <LoginPage />, errorElement: <RouteErrorPage /> },
  { path: '/invitation', element: <InvitationPage />, errorElement: <RouteErrorPage /> },
  // A customer's satisfaction survey from an e-mailed link: public, no session (docs/surveys.md).
  { path: '/s/:token', element: <SurveyPage />, errorElement: <RouteErrorPage /> },
  // Public web forms: no session, embeddable (docs/public-forms.md).
  { path: '/f/:tenant/:form', element: <PublicFormPage />, errorElement: <RouteErrorPage /> },
  // The customer portal (docs/portal.md): its own sign-in and session, outside the staff shell.
  { path: '/portal/:tenant/*', element: <PortalApp />, errorElement: <RouteErrorPage /> },
  {
    path: '/',
    element: (
      <RequireSession>
        <AppShell />
      </RequireSession>
    ),
    errorElement: <RouteErrorPage />,
    children: [
      { index: true, element: <HomePage /> },
      { path: 'o/:object', element: <ObjectPage /> },
      { path: 'o/:object/new', element: <RecordPage /> },
      { path: 'o/:object/import', element: <ImportPage /> },
      { path: 'o/:object/bin', element: <RecycleBinPage /> },
      { path: 'o/:object/:id', element: <RecordPage /> },
      { path: 'approvals', element: <ApprovalsPage /> },
      // The phone's briefcase: records kept on the device, offline changes and their sync (docs/mobile.md).
      { path: 'briefcase', element: <BriefcasePage /> },
      { path: 'briefcase/conflict/:seq', element: <ConflictPage /> },
      { path: 'briefcase/:object/:id', element: <BriefcaseRecordPage /> },
      { path: 'd/:name', element: <DashboardPage /> },
      {
        path: 'designer',
        element: (
          <RequireAdmin fallback={<ForbiddenPage />}>
            <Outlet />
          </RequireAdmin>
        ),
        children: [
          { index: true, element: <DesignerHomePage /> },
          { path: 'ui', element: <UiKitPage /> },
          { path: 'objects', element: lazyDesignerScreen('ObjectsPage') },
          { path: 'objects/:object', element: lazyDesignerScreen('ObjectEditorPage') },
          { path: 'history', element: lazyDesignerScreen('HistoryPage') },
          { path: 'permissions', element: lazyDesignerScreen('PermissionsPage') },
          { path: 'scripts', element: lazyDesignerScreen('ScriptsPage') },
          { path: 'users', element: lazyDesignerScreen('UsersPage') },
          { path: 'templates', element: lazyDesignerScreen('TemplatesPage') },
          { path: 'workflows', element: lazyDesignerScreen('WorkflowsPage') },
          { path: 'workflows/:name', element: lazyDesignerScreen('WorkflowEditorPage') },
          { path: 'automations', element: lazyDesignerScreen('AutomationsPage') },
          { path: 'automations/:name', element: lazyDesignerScreen('AutomationEditorPage') },
          { path: 'integrations', element: lazyDesignerScreen('IntegrationsPage') },
          { path: 'reports', element: lazyDesignerScreen('ReportsPage') },
          { path: 'reports/new', element: lazyDesignerScreen('ReportBuilderPage') },
          { path: 'reports/:name', element: lazyDesignerScreen('ReportLabelsPage') },
          { path: 'reports/:name/build', element: lazyDesignerScreen('ReportBuilderPage') },
          { path: 'documents', element: lazyDesignerScreen('DocumentsPage') },
          { path: 'documents/:object/:name', element: lazyDesignerScreen('TemplateEditorPage') },
          { path: 'web-forms', element: lazyDesignerScreen('WebFormsPage') },
          { path: 'web-forms/:name', element: lazyDesignerScreen('WebFormEditorPage') },
          { path: 'segments', element: lazyDesignerScreen('SegmentsPage') },
          { path: 'segments/:name', element: lazyDesignerScreen('SegmentEditorPage') },
        ],
      },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];
