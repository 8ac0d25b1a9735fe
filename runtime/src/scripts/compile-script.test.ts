import { describe, expect, it } from 'vitest';
import { compileExpression, compileScript, formatDiagnostics } from './compile-script';

describe('compileScript (JavaScript)', () => {
  it('accepts a rule using the script API, top-level await and return', () => {
    const source =
      "const open = await query('deal', { stage: { eq: 'new' } });\nif (open.length > 3) error('too many');\nreturn 1;";
    expect(compileScript(source, 'js')).toEqual({ ok: true, code: source, diagnostics: [] });
  });

  it('refuses a syntax error with the line and column of the author’s source', () => {
    const r = compileScript("log('a');\nif (record.amount > 1 {\n  error('x');\n}", 'js');
    expect(r.ok).toBe(false);
    expect(r.code).toBe('');
    expect(r.diagnostics[0]).toEqual({ line: 2, column: 23, message: "')' expected." });
  });

  it('places an error at the end of the source on its last line', () => {
    const r = compileScript('if (record.x) {\n  log(1);', 'js');
    expect(r.ok).toBe(false);
    expect(r.diagnostics.at(-1)).toMatchObject({ line: 2, column: 10 });
  });

  it('refuses code that closes the wrapper to run statements outside it', () => {
    const r = compileScript('}); while (true) {} (function () {', 'js');
    expect(r.ok).toBe(false);
    expect(r.diagnostics.length).toBeGreaterThan(0);
  });

  it('refuses TypeScript syntax in a JavaScript script', () => {
    const r = compileScript('const a: number = 1;', 'js');
    expect(r.ok).toBe(false);
    expect(r.diagnostics[0]).toMatchObject({ line: 1, column: 10 });
    expect(r.diagnostics[0]!.message).toMatch(/TypeScript/);
  });

  it('refuses a non-string or huge source', () => {
    expect(compileScript(42 as unknown as string).ok).toBe(false);
    expect(compileScript('x'.repeat(200_001)).diagnostics[0]!.message).toMatch(/longer than/);
  });
});

describe('compileScript (TypeScript)', () => {
  it('blanks the types out in place, so positions do not move', () => {
    const source =
      'interface Deal { amount: number }\nconst d = record as Deal;\nconst n: number = d.amount;\nerror(String(n));';
    const r = compileScript(source, 'ts');
    expect(r.ok).toBe(true);
    expect(r.code.length).toBe(source.length);
    expect(r.code.split('\n')).toHaveLength(4);
    expect(r.code).toContain('const n         = d.amount;');
    expect(r.code).not.toContain('interface');
  });

  it('type-checks against the script API', () => {
    const r = compileScript("const x: number = 'a';\nreocrd.amount;\nset('tier');\nerror(42);\nold.amount;", 'ts');
    expect(r.ok).toBe(false);
    expect(r.diagnostics).toEqual([
      { line: 1, column: 7, message: "Type 'string' is not assignable to type 'number'." },
      { line: 2, column: 1, message: "Cannot find name 'reocrd'. Did you mean 'record'?" },
      { line: 3, column: 1, message: 'Expected 2 arguments, but got 1.' },
      expect.objectContaining({ line: 4, column: 7 }),
      { line: 5, column: 1, message: "'old' is possibly 'null'." },
    ]);
  });

  it('knows nothing of Node or the DOM', () => {
    const r = compileScript("process.exit(1);\nsetTimeout(() => {}, 1);\nrequire('fs');", 'ts');
    expect(r.diagnostics.map((d) => d.line)).toEqual([1, 2, 3]);
    expect(r.diagnostics[0]!.message).toMatch(/Cannot find name 'process'/);
  });

  it('types query() results and allows top-level await', () => {
    const r = compileScript(
      "const deals = await query('deal', { stage: { eq: 'won' } }, { sort: '-amount', limit: 5 });\nconst total: number = deals.reduce((s, d) => s + Number(d.amount), 0);\nif (total > 10) set('tier', 'gold');",
      'ts',
    );
    expect(r).toMatchObject({ ok: true, diagnostics: [] });
  });

  it('refuses TypeScript that would need code generation, saying where', () => {
    const r = compileScript('const a = 1;\nenum Tier { Gold }', 'ts');
    expect(r.ok).toBe(false);
    expect(r.diagnostics[0]).toMatchObject({ line: 2, column: 1 });
    const cast = compileScript('const a = <number>record.x;', 'ts');
    expect(cast.diagnostics[0]!.message).toMatch(/as Type/);
  });

  it('skips the type check on the run-time path', () => {
    expect(compileScript("const x: number = 'a';", 'ts', { typeCheck: false }).ok).toBe(true);
  });
});

describe('compileExpression', () => {
  it('accepts one expression', () => {
    expect(compileExpression('record.amount * (1 - (record.discount || 0) / 100)')).toMatchObject({ ok: true });
    expect(compileExpression('user.roles.includes("x") && old !== null')).toMatchObject({ ok: true });
  });

  it.each([
    ['statements smuggled in', '1); while (true) {} ('],
    ['a statement', 'if (record.a) 1'],
    ['two expressions', 'record.a; record.b'],
    ['an empty string', '   '],
    ['an unfinished expression', 'record.amount +'],
  ])('refuses %s', (_label, expression) => {
    const r = compileExpression(expression);
    expect(r.ok).toBe(false);
    expect(r.diagnostics[0]!.line).toBe(1);
  });
});

describe('formatDiagnostics', () => {
  it('joins diagnostics into one line', () => {
    expect(
      formatDiagnostics([
        { line: 1, column: 2, message: 'a' },
        { line: 3, column: 4, message: 'b' },
      ]),
    ).toBe('line 1, column 2: a; line 3, column 4: b');
  });
});
