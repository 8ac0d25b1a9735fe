import type { SectionCheck } from '../meta/section-checks';
import { compileScript } from './compile-script';

/**
 * Save-time check of `scripts.<name>`: the code must compile (TypeScript: and type-check against the
 * script API). Each diagnostic becomes an issue at `/code` with its line and column.
 */
export const checkScriptItem: SectionCheck<{ code?: unknown; language?: unknown }> = (_ctx, { item }) => {
  // A missing or non-string code is the meta-schema's to report.
  if (typeof item?.code !== 'string') return [];
  const result = compileScript(item.code, item.language === 'ts' ? 'ts' : 'js');
  return result.diagnostics.map((d) => ({
    path: '/code',
    message: `line ${d.line}, column ${d.column}: ${d.message}`,
  }));
};
