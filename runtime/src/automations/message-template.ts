import type { MetadataIssueCode } from '@forma/metadata';
import { handlebars } from '../lazy-module';

const PLACEHOLDER = /\{\{\{?\s*(?:record|old)\.([A-Za-z0-9_]+)/g;

/**
 * Notification titles, messages and file names: Handlebars over `{record, old, rule}`, plain text
 * (no HTML escaping: the text goes into notifications and e-mail bodies, never into a page as HTML),
 * no helpers beyond the built-in ones, no prototype access (Handlebars' default).
 */
export function renderMessage(template: string, data: Record<string, unknown>): string {
  return handlebars().compile(template, { noEscape: true, strict: false, knownHelpersOnly: true })(data);
}

/** Why a template cannot be used (syntax error, unknown `record.` field), or undefined. */
export function messageProblem(template: string, fields: ReadonlySet<string>): string | undefined {
  return messageIssue(template, fields)?.message;
}

/** messageProblem's answer with a metadata issue code and its facts (the designer's words). */
export function messageIssue(
  template: string,
  fields: ReadonlySet<string>,
): { message: string; code: MetadataIssueCode; params: Record<string, string> } | undefined {
  try {
    handlebars().precompile(template, { knownHelpersOnly: true });
  } catch (e) {
    // Handlebars' sentence names the token and its place: a fact, as a compiler's is.
    const error = (e as Error).message.split('\n')[0] ?? '';
    return { message: `template error: ${error}`, code: 'message_template_syntax', params: { error } };
  }
  for (const m of template.matchAll(PLACEHOLDER)) {
    const name = m[1] as string;
    if (!fields.has(name))
      return { message: `unknown field "${name}" in {{…}}`, code: 'message_unknown_field', params: { field: name } };
  }
  return undefined;
}
