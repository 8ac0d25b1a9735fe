import type ts from 'typescript';
import { tsBlankSpace, typescript } from '../lazy-module';
import { SCRIPT_API_DTS } from './script-api-dts';
import type { CompileResult, Diagnostic, ScriptLanguage } from './script-types';

/**
 * Scripts are checked as the body of an async function (so top-level `await` and `return` work), the
 * way the sandbox runs them. The wrapper takes whole lines, so positions map back by a line shift.
 */
const SCRIPT_HEAD = 'async function __forma_script() {\n';
const SCRIPT_TAIL = '\n}\n';
const EXPRESSION_HEAD = 'function __forma_expression() {\nreturn (\n';
const EXPRESSION_TAIL = '\n);\n}\n';
const API_FILE = '/forma-script-api.d.ts';
const MAX_DIAGNOSTICS = 20;
const MAX_SOURCE_CHARS = 200_000;

// typescript is loaded on the first compile (lazy-module.ts), so its enums are read then too.
const compilerOptions = (): ts.CompilerOptions => ({
  target: typescript().ScriptTarget.ES2022,
  lib: ['lib.es2022.d.ts'],
  strict: true,
  noEmit: true,
  noResolve: true,
  types: [],
  allowJs: true,
  skipLibCheck: true,
});

/** Parsed lib files, shared by every type-check: parsing them is most of the cost of a program. */
const libFiles = new Map<string, ts.SourceFile>();
let baseHost: ts.CompilerHost | undefined;

function programFor(files: Record<string, string>, options: ts.CompilerOptions): ts.Program {
  const ts = typescript();
  baseHost ??= ts.createCompilerHost(compilerOptions());
  const base = baseHost;
  const host: ts.CompilerHost = {
    ...base,
    fileExists: (f) => f in files || base.fileExists(f),
    readFile: (f) => files[f] ?? base.readFile(f),
    writeFile: () => {},
    getSourceFile(fileName, languageVersion) {
      const own = files[fileName];
      if (own !== undefined) return ts.createSourceFile(fileName, own, languageVersion, true);
      let lib = libFiles.get(fileName);
      if (!lib) {
        lib = base.getSourceFile(fileName, languageVersion);
        if (lib) libFiles.set(fileName, lib);
      }
      return lib;
    },
  };
  return ts.createProgram({ rootNames: Object.keys(files), options, host });
}

/** Line count and length of the last line of the author's source, to place errors found past its end. */
function extentOf(source: string): { lastLine: number; lastColumn: number } {
  const lines = source.split('\n');
  return { lastLine: lines.length, lastColumn: (lines.at(-1) ?? '').length + 1 };
}

function toDiagnostic(d: ts.Diagnostic, lineShift: number, end: { lastLine: number; lastColumn: number }): Diagnostic {
  let line = 1;
  let column = 1;
  if (d.file && d.start !== undefined) {
    const pos = d.file.getLineAndCharacterOfPosition(d.start);
    line = pos.line + 1 - lineShift;
    column = pos.character + 1;
    // Errors found in the wrapper's own lines ("'}' expected") belong to the nearest line of the author's.
    if (line < 1) [line, column] = [1, 1];
    if (line > end.lastLine) [line, column] = [end.lastLine, end.lastColumn];
  }
  return { line, column, message: typescript().flattenDiagnosticMessageText(d.messageText, '\n') };
}

function positionOf(file: ts.SourceFile, node: ts.Node, lineShift: number): { line: number; column: number } {
  const pos = file.getLineAndCharacterOfPosition(node.getStart(file));
  return { line: Math.max(1, pos.line + 1 - lineShift), column: pos.character + 1 };
}

function sortAndCap(list: Diagnostic[]): Diagnostic[] {
  return list.sort((a, b) => a.line - b.line || a.column - b.column).slice(0, MAX_DIAGNOSTICS);
}

function tooLong(source: string): CompileResult | undefined {
  if (source.length <= MAX_SOURCE_CHARS) return undefined;
  return {
    ok: false,
    code: '',
    diagnostics: [{ line: 1, column: 1, message: `The source is longer than ${MAX_SOURCE_CHARS} characters` }],
  };
}

/**
 * Checks a script and returns the JavaScript the sandbox runs. JavaScript gets a syntax check;
 * TypeScript also a type check against the script API (unless `typeCheck: false`, the fast path the
 * engine takes at run time for scripts already checked on save) and its types blanked out in place,
 * so line and column numbers of run-time errors match the author's source.
 */
export function compileScript(
  source: string,
  language: ScriptLanguage = 'js',
  opts: { typeCheck?: boolean } = {},
): CompileResult {
  if (typeof source !== 'string') {
    return { ok: false, code: '', diagnostics: [{ line: 1, column: 1, message: 'The source must be a string' }] };
  }
  const long = tooLong(source);
  if (long) return long;
  const isTs = language === 'ts';
  const fileName = isTs ? '/script.ts' : '/script.js';
  const wrapped = SCRIPT_HEAD + source + SCRIPT_TAIL;
  const lineShift = 1;
  const end = extentOf(source);
  const files: Record<string, string> = { [fileName]: wrapped };
  const typeCheck = isTs && opts.typeCheck !== false;
  if (typeCheck) files[API_FILE] = SCRIPT_API_DTS;
  const ts = typescript();
  const program = programFor(files, typeCheck ? compilerOptions() : { ...compilerOptions(), noLib: true });
  const file = program.getSourceFile(fileName)!;

  const diagnostics = program.getSyntacticDiagnostics(file).map((d) => toDiagnostic(d, lineShift, end));
  if (diagnostics.length === 0) {
    const [only, ...rest] = file.statements;
    if (!only || rest.length > 0 || !ts.isFunctionDeclaration(only)) {
      diagnostics.push({
        line: rest[0] ? positionOf(file, rest[0], lineShift).line : 1,
        column: 1,
        message: 'The script closes a block it did not open',
      });
    }
  }
  if (diagnostics.length === 0 && typeCheck) {
    for (const d of program.getSemanticDiagnostics(file)) diagnostics.push(toDiagnostic(d, lineShift, end));
  }
  if (diagnostics.length > 0) return { ok: false, code: '', diagnostics: sortAndCap(diagnostics) };

  if (!isTs) return { ok: true, code: source, diagnostics: [] };
  const unsupported: Diagnostic[] = [];
  const blanked = tsBlankSpace().blankSourceFile(file, (node) =>
    unsupported.push({
      ...positionOf(file, node, lineShift),
      message: ts.isTypeAssertionExpression(node)
        ? 'Write `value as Type` instead of `<Type>value` in scripts'
        : 'This TypeScript syntax generates code (enum, namespace, parameter property…) and is not supported in scripts',
    }),
  );
  if (unsupported.length > 0) return { ok: false, code: '', diagnostics: sortAndCap(unsupported) };
  return { ok: true, code: blanked.slice(SCRIPT_HEAD.length, blanked.length - SCRIPT_TAIL.length), diagnostics: [] };
}

/**
 * Checks an expression (an `x-formula`, a workflow trigger or condition edge): JavaScript that reads
 * `record`, `old` and `user` and must be exactly one expression, so it cannot smuggle in statements.
 */
export function compileExpression(expression: string): CompileResult {
  if (typeof expression !== 'string' || expression.trim() === '') {
    return { ok: false, code: '', diagnostics: [{ line: 1, column: 1, message: 'The expression is empty' }] };
  }
  const long = tooLong(expression);
  if (long) return long;
  const fileName = '/expression.js';
  const lineShift = 2;
  const end = extentOf(expression);
  const ts = typescript();
  const program = programFor(
    { [fileName]: EXPRESSION_HEAD + expression + EXPRESSION_TAIL },
    { ...compilerOptions(), noLib: true },
  );
  const file = program.getSourceFile(fileName)!;
  const diagnostics = program.getSyntacticDiagnostics(file).map((d) => toDiagnostic(d, lineShift, end));
  if (diagnostics.length === 0) {
    const fn = file.statements[0];
    const body = fn && ts.isFunctionDeclaration(fn) ? fn.body?.statements : undefined;
    const ret = body?.[0];
    if (
      file.statements.length !== 1 ||
      body?.length !== 1 ||
      !ret ||
      !ts.isReturnStatement(ret) ||
      !ret.expression ||
      !ts.isParenthesizedExpression(ret.expression)
    ) {
      diagnostics.push({ line: 1, column: 1, message: 'An expression must be a single JavaScript expression' });
    }
  }
  if (diagnostics.length > 0) return { ok: false, code: '', diagnostics: sortAndCap(diagnostics) };
  return { ok: true, code: expression, diagnostics: [] };
}

/** `line 3, column 5: message; …`: diagnostics as one line for an error message. */
export function formatDiagnostics(diagnostics: Diagnostic[]): string {
  return diagnostics.map((d) => `line ${d.line}, column ${d.column}: ${d.message}`).join('; ');
}
