import { Outlet, type RouteObject } from 'react-router';
import { ApprovalsPage } from './pages/approvals-page';
import { HistoryPage } from './designer/objects/history-page';
import { ObjectEditorPage } from './designer/objects/object-editor-page';
import { ObjectsPage } from './designer/objects/objects-page';
import { PermissionsPage } from './designer/permissions/permissions-page';
import { ScriptsPage } from './designer/scripts/scripts-page';
import { TemplatesPage } from './designer/templates/templates-page';
import { WorkflowEditorPage } from './designer/workflows/workflow-editor-page';
import { WorkflowsPage } from './designer/workflows/workflows-page';
import { DesignerHomePage } from './pages/designer-home-page';
import { HomePage } from './pages/home-page';
import { ImportPage } from './pages/import-page';
import { LoginPage } from './pages/login-page';
import { ForbiddenPage, NotFoundPage } from './pages/not-found-page';
import { ObjectPage } from './pages/object-page';
import { RecordPage } from './pages/record-page';
import { RecycleBinPage } from './pages/recycle-bin-page';
import { RouteErrorPage } from './pages/route-error-page';
import { UiKitPage } from './pages/ui-kit-page';
import { RequireAdmin, RequireSession } from './session/require-session';
import { AppShell } from './shell/app-shell';

/**
 * One bundle, two apps: the end-user app at `/` and the designer under `/designer` (admins only).
 * Both live inside the signed-in shell; new screens add child routes here.
 */
export const appRoutes: RouteObject[] = [
  { path: '/login', element: <LoginPage />, errorElement: <RouteErrorPage /> },
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
          { path: 'objects', element: <ObjectsPage /> },
          { path: 'objects/:object', element: <ObjectEditorPage /> },
          { path: 'history', element: <HistoryPage /> },
          { path: 'permissions', element: <PermissionsPage /> },
          { path: 'scripts', element: <ScriptsPage /> },
          { path: 'templates', element: <TemplatesPage /> },
          { path: 'workflows', element: <WorkflowsPage /> },
          { path: 'workflows/:name', element: <WorkflowEditorPage /> },
        ],
      },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];
