import type Handlebars from 'handlebars';
import { badRequest } from '../errors';
import { handlebars } from '../lazy-module';

let environment: typeof Handlebars | undefined;

/**
 * One Handlebars environment with the document helpers; escaping stays on (`{{ }}` escapes HTML).
 * Made on the first template compiled, when Handlebars is loaded (lazy-module.ts).
 */
function documentHandlebars(): typeof Handlebars {
  if (environment) return environment;
  const hbs = handlebars().create();
  hbs.registerHelper(
    'date',
    fieldOr('date', (value: unknown) => {
      if (value === null || value === undefined || value === '') return '';
      const d = new Date(String(value));
      return Number.isNaN(d.getTime()) ? String(value) : d.toISOString().slice(0, 10);
    }),
  );
  hbs.registerHelper(
    'number',
    fieldOr('number', (value: unknown, decimals: unknown) => {
      if (value === null || value === undefined || value === '') return '';
      const n = Number(value);
      const digits = typeof decimals === 'number' ? Math.min(Math.max(0, decimals), 6) : 2;
      return Number.isFinite(n)
        ? new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n)
        : String(value);
    }),
  );
  environment = hbs;
  return hbs;
}

/**
 * Handlebars calls a helper for a bare `{{number}}` even when the record has a field of that name
 * (an auto-number is often called `number`), handing it only its options: the template checker
 * accepts it as the field, so print the field of the current context, as a plain mustache would.
 */
function fieldOr(name: string, helper: (...args: unknown[]) => unknown) {
  return function (this: unknown, ...args: unknown[]) {
    if (args.length > 1) return helper(...args);
    const scope = this as Record<string, unknown> | null;
    const value = scope && typeof scope === 'object' && Object.hasOwn(scope, name) ? scope[name] : undefined;
    return value ?? '';
  };
}
const compileOptions = { knownHelpersOnly: true, knownHelpers: { date: true, number: true } } as const;
/** A template compiled with the document helpers (also used by mail merge). */
export const compileTemplate = (source: string) => rendersOr400(documentHandlebars().compile(source, compileOptions));
/** A plain-text template (an e-mail body): same helpers, no HTML escaping since nothing renders it as HTML. */
export const compileTextTemplate = (source: string) =>
  rendersOr400(documentHandlebars().compile(source, { ...compileOptions, noEscape: true }));

/**
 * Saving refuses what cannot render (print-template-check.ts); a template stored before a check
 * existed still answers 400 naming the problem, never a 500.
 */
function rendersOr400(template: HandlebarsTemplateDelegate): (data: unknown) => string {
  return (data) => {
    try {
      return template(data);
    } catch (err) {
      throw badRequest(`The template cannot be printed: ${String((err as Error)?.message ?? err).split('\n')[0]}`);
    }
  };
}
