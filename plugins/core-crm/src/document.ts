import type { MetadataDocument } from '@forma/platform/plugin-api';
import { automations } from './automations';
import { dashboards } from './dashboards';
import { forms } from './forms';
import { contract, order, payment, receivable } from './objects/contracts';
import { activity, campaign, caseComment, serviceCase, survey } from './objects/engagement';
import { expenseClaim, expenseLine } from './objects/expenses';
import { account, contact, deal, lead } from './objects/sales';
import { price_list, price_list_entry, product, quote, quote_line } from './objects/quotes';
import { reports } from './reports';
import { roles } from './roles';
import { scripts } from './scripts';
import { surveyAutomations, surveyReports, surveyResponse, surveys, surveyViews } from './surveys';
import { views } from './views';
import { webForms } from './web-forms';
import { segments } from './segments';
import { workflows } from './workflows';

/** The core CRM's metadata document: what the `core-crm` template applies to a tenant. */
export function coreCrmDocument(): Omit<MetadataDocument, 'version'> {
  return structuredClone({
    objects: {
      account,
      contact,
      campaign,
      lead,
      deal,
      product,
      price_list,
      price_list_entry,
      quote,
      quote_line,
      contract,
      order,
      receivable,
      payment,
      service_case: serviceCase,
      case_comment: caseComment,
      survey,
      survey_response: surveyResponse,
      activity,
      expense_claim: expenseClaim,
      expense_line: expenseLine,
    },
    roles,
    workflows,
    scripts,
    forms,
    views: { ...views, ...surveyViews },
    automations: { ...automations, ...surveyAutomations },
    reports: { ...reports, ...surveyReports },
    dashboards,
    surveys,
    webForms,
    segments,
  }) as unknown as Omit<MetadataDocument, 'version'>;
}
