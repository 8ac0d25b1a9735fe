import { ApiError } from '../../api/api-error';

/** A problem in the script's source, 1-based like the server's messages. */
export interface SourceProblem {
  line: number;
  column: number;
  message: string;
}

const AT = /^line (\d+), column (\d+): ([\s\S]*)$/;

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/**
 * The compile problems of a refused save (400 with `details.issues` at `…/code`, each message
 * "line L, column C: …", docs/scripts.md) or the failure of a test run (422 with `details.line` and
 * `column`). Empty when the error says nothing about a place in the source.
 */
export function sourceProblemsOf(e: unknown): SourceProblem[] {
  if (!(e instanceof ApiError)) return [];
  const details = asRecord(e.details);
  if (e.code === 'SCRIPT_FAILED') {
    const line = Number(details?.line);
    if (!Number.isInteger(line) || line < 1) return [];
    const column = Number(details?.column);
    return [{ line, column: Number.isInteger(column) && column >= 1 ? column : 1, message: e.message }];
  }
  const issues = Array.isArray(details?.issues) ? details.issues : [];
  const fromIssues = issues.flatMap((i) => {
    const r = asRecord(i);
    if (!r || typeof r.message !== 'string' || (typeof r.path === 'string' && !r.path.endsWith('/code'))) return [];
    const m = AT.exec(r.message);
    return m ? [{ line: Number(m[1]), column: Number(m[2]), message: m[3] ?? '' }] : [];
  });
  if (fromIssues.length) return fromIssues;
  // Older answers only carry the first problem per path in `fields`.
  return Object.entries(e.fields ?? {}).flatMap(([path, message]) => {
    const m = path.endsWith('/code') ? AT.exec(message) : null;
    return m ? [{ line: Number(m[1]), column: Number(m[2]), message: m[3] ?? '' }] : [];
  });
}

const SCRIPT_CODE = /^\/scripts\/([^/]+)\/code$/;

/**
 * The compile problems of a refused plan or apply of several scripts, by script name (issues at
 * `/scripts/<name>/code`, else the `fields` of older answers). Problems elsewhere are left out: the
 * publish dialog says them.
 */
export function sourceProblemsByScript(e: unknown): Record<string, SourceProblem[]> {
  if (!(e instanceof ApiError) || e.code !== 'VALIDATION_FAILED') return {};
  const out: Record<string, SourceProblem[]> = {};
  const add = (path: unknown, message: unknown) => {
    const name = typeof path === 'string' ? SCRIPT_CODE.exec(path)?.[1] : undefined;
    const m = name && typeof message === 'string' ? AT.exec(message) : null;
    if (!name || !m) return;
    const list = out[name] ?? [];
    list.push({ line: Number(m[1]), column: Number(m[2]), message: m[3] ?? '' });
    out[name] = list;
  };
  const issues = asRecord(e.details)?.issues;
  if (Array.isArray(issues) && issues.length) for (const i of issues) add(asRecord(i)?.path, asRecord(i)?.message);
  else for (const [path, message] of Object.entries(e.fields ?? {})) add(path, message);
  return out;
}

/**
 * The character range a problem underlines in `text`: from its column to the end of the word there
 * (at least one character), clamped into the text so a stale position never throws.
 */
export function problemRange(text: string, p: SourceProblem): { from: number; to: number } {
  const lines = text.split('\n');
  const lineIndex = Math.min(Math.max(p.line, 1), lines.length) - 1;
  let start = 0;
  for (let i = 0; i < lineIndex; i++) start += (lines[i]?.length ?? 0) + 1;
  const lineText = lines[lineIndex] ?? '';
  const col = Math.min(Math.max(p.column, 1) - 1, lineText.length);
  const word = /^[\w$]+/.exec(lineText.slice(col));
  const from = start + col;
  const to = Math.min(start + lineText.length, from + Math.max(word?.[0].length ?? 1, 1));
  return { from, to: Math.max(to, from) };
}
