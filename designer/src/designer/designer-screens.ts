// The designer's screens, loaded on demand as one chunk: end users never download the canvas,
// the code editor or the object designer (see lazy-designer.tsx).
export { AutomationEditorPage } from './automations/automation-editor-page';
export { AutomationsPage } from './automations/automations-page';
export { DocumentsPage } from './documents/documents-page';
export { TemplateEditorPage } from './documents/template-editor-page';
export { IntegrationsPage } from './integrations/integrations-page';
export { HistoryPage } from './objects/history-page';
export { ObjectEditorPage } from './objects/object-editor-page';
export { ObjectsPage } from './objects/objects-page';
export { PermissionsPage } from './permissions/permissions-page';
export { ReportLabelsPage, ReportsPage } from './reports/reports-page';
export { ReportBuilderPage } from './reports/report-builder-page';
export { SegmentEditorPage, SegmentsPage } from './segments/segments-page';
export { ScriptsPage } from './scripts/scripts-page';
export { TemplatesPage } from './templates/templates-page';
export { UsersPage } from './users/users-page';
export { WorkflowEditorPage } from './workflows/workflow-editor-page';
export { WorkflowsPage } from './workflows/workflows-page';
export { WebFormEditorPage, WebFormsPage } from './web-forms/web-forms-page';
