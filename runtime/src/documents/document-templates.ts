import Handlebars from 'handlebars';

/** One Handlebars environment with the document helpers; escaping stays on (`{{ }}` escapes HTML). */
const hbs = Handlebars.create();
hbs.registerHelper('date', (value: unknown) => {
  if (value === null || value === undefined || value === '') return '';
  const d = new Date(String(value));
  return Number.isNaN(d.getTime()) ? String(value) : d.toISOString().slice(0, 10);
});
hbs.registerHelper('number', (value: unknown, decimals: unknown) => {
  if (value === null || value === undefined || value === '') return '';
  const n = Number(value);
  const digits = typeof decimals === 'number' ? Math.min(Math.max(0, decimals), 6) : 2;
  return Number.isFinite(n)
    ? new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n)
    : String(value);
});
const compileOptions = { knownHelpersOnly: true, knownHelpers: { date: true, number: true } } as const;
/** A template compiled with the document helpers (also used by mail merge). */
export const compileTemplate = (source: string) => hbs.compile(source, compileOptions);
/** A plain-text template (an e-mail body): same helpers, no HTML escaping since nothing renders it as HTML. */
export const compileTextTemplate = (source: string) => hbs.compile(source, { ...compileOptions, noEscape: true });
