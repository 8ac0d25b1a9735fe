import type { SurveyService } from '../../surveys/survey-service';
import { parseIsoDuration } from '../../workflows/iso-duration';
import type { AutomationActionType } from './action-type';

export interface SendSurveyAction {
  type: 'send_survey';
  survey: string;
  /** Lookup field of the rule's record to the contact who gets the survey. */
  contact: string;
  emailField?: string;
  /** ISO-8601 duration: the e-mail waits this long in the outbox. */
  delay?: string;
  locale?: 'en' | 'zh-CN';
  subject?: string;
}

/** The port this action needs (the survey service, given to the automation engine). */
export type SurveyInviter = Pick<SurveyService, 'invite'>;

/**
 * E-mails a satisfaction survey (metadata section `surveys`) to the record's contact: a signed
 * single-use link, queued in the e-mail outbox after `delay` (docs/surveys.md). A record without a
 * contact or a contact without an e-mail address is skipped, visibly in the run's summary.
 */
export const sendSurveyAction: AutomationActionType<SendSurveyAction> = {
  type: 'send_survey',
  // The invitation and the e-mail are rows of the run's transaction: a test run rolls them back.
  transactional: true,
  check(action, c) {
    const survey = c.model.document.surveys?.[action.survey];
    if (!survey) c.add(`${c.path}/survey`, `unknown survey "${action.survey}"`);
    else if (survey.object !== c.object.name)
      c.add(`${c.path}/survey`, `survey "${action.survey}" is about ${survey.object}, not ${c.object.name}`);
    const contact = c.object.fields.get(action.contact);
    if (!contact?.ref || contact.ref === 'user')
      c.add(`${c.path}/contact`, `"${action.contact}" is not a lookup of ${c.object.name} to a contact`);
    else {
      const target = c.model.objects.get(contact.ref);
      const email = action.emailField ?? 'email';
      if (target && !target.fields.has(email))
        c.add(`${c.path}/emailField`, `unknown field "${email}" of ${contact.ref}`);
    }
    if (action.delay !== undefined && !parseIsoDuration(action.delay))
      c.add(`${c.path}/delay`, 'must be an ISO-8601 duration such as PT1H or P1D');
  },
  async run(action, { services, run, record }) {
    const result = await services.surveys.invite(run.tx, run.model, {
      survey: action.survey,
      object: run.object,
      record,
      contact: action.contact,
      rule: run.rule,
      ...(action.emailField ? { emailField: action.emailField } : {}),
      ...(action.delay ? { delay: action.delay } : {}),
      ...(action.locale ? { locale: action.locale } : {}),
      ...(action.subject ? { subject: action.subject } : {}),
    });
    return {
      summary:
        'skipped' in result
          ? { survey: action.survey, skipped: result.skipped }
          : { survey: action.survey, to: result.to, sendAt: result.sendAt.toISOString(), locale: result.locale },
    };
  },
};
