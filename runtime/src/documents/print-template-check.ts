import { validationFailed } from '../errors';
import { handlebars } from '../lazy-module';
import type { FieldModel, Model, ObjectModel } from '../model/load-model';

type AST = hbs.AST.Node;
type Path = hbs.AST.PathExpression;

/** Helpers templates may call; anything else in helper position is an unknown placeholder. */
export const TEMPLATE_HELPERS = ['each', 'if', 'unless', 'with', 'date', 'number'] as const;
const BLOCK_SCOPES = new Set(['each', 'with']);
/** Handlebars' own block helpers: they throw at render unless used as `{{#x value}}…{{/x}}` with one value. */
const BLOCK_ONLY = new Set(['each', 'if', 'unless', 'with']);
/** Constructs documents have nothing for (no partials or decorators are registered): they fail every render. */
const UNSUPPORTED: Record<string, string> = {
  PartialStatement: 'partials ({{> name}}) are not supported',
  PartialBlockStatement: 'partial blocks ({{#> name}}) are not supported',
  Decorator: 'decorators ({{* name}}) are not supported',
  DecoratorBlock: 'inline partials and decorator blocks ({{#* name}}) are not supported',
};
const COMPILE_OPTIONS = { knownHelpersOnly: true, knownHelpers: { date: true, number: true } } as const;

/**
 * Parses a print template (Handlebars) and checks every placeholder against the object's fields,
 * its lookups' targets and its line items. Throws 400 with the parser's line on a syntax error,
 * 400 for constructs that would fail every render (partials, decorators, a block helper without its
 * one value or used as a value), and 400 listing every unknown placeholder, so a template never
 * saves with a typo that would print blank or an error that would answer every print with a 500.
 * `extra` names are accepted at the top level (the header/footer's `page` and `pages`).
 */
export function checkTemplate(
  model: Model,
  object: ObjectModel,
  source: string,
  part: string,
  extra: readonly string[] = [],
): void {
  let ast: hbs.AST.Program;
  try {
    ast = handlebars().parse(source);
  } catch (err) {
    const message = String((err as Error).message ?? err).split('\n');
    const line = /line (\d+)/.exec(message[0] ?? '')?.[1];
    throw validationFailed(
      `The ${part} template has a syntax error${line ? ` on line ${line}` : ''}`,
      {
        [part]: message.join(' ').slice(0, 500),
      },
      line ? { line: Number(line) } : undefined,
    );
  }
  const unknown = new Set<string>();
  const unsupported = new Set<string>();
  // Scope stack: the object whose fields a bare name refers to (null: not checkable, e.g. a user).
  const visit = (node: AST | undefined, scopes: (ObjectModel | null)[]): void => {
    if (!node) return;
    const refused = UNSUPPORTED[node.type];
    if (refused) {
      unsupported.add(refused);
      return;
    }
    switch (node.type) {
      case 'Program':
        for (const s of (node as hbs.AST.Program).body) visit(s, scopes);
        return;
      case 'MustacheStatement':
      case 'SubExpression': {
        const m = node as hbs.AST.MustacheStatement;
        const params = m.params ?? [];
        const name = (m.path as Path).original;
        if (BLOCK_ONLY.has(name)) unsupported.add(`${name} is a block: {{#${name} value}}…{{/${name}}}`);
        if (params.length > 0 || (m.hash?.pairs.length ?? 0) > 0) {
          checkHelper(m.path as Path);
          for (const p of params) visit(p, scopes);
        } else visit(m.path, scopes);
        return;
      }
      case 'BlockStatement': {
        const b = node as hbs.AST.BlockStatement;
        const helper = (b.path as Path).original;
        checkHelper(b.path as Path);
        if (BLOCK_ONLY.has(helper) && b.params.length !== 1)
          unsupported.add(`{{#${helper}}} takes exactly one value: {{#${helper} value}}`);
        for (const p of b.params) visit(p, scopes);
        const inner = BLOCK_SCOPES.has(helper) ? scopeOf(b.params[0], scopes) : scopes[scopes.length - 1];
        visit(b.program, [...scopes, inner ?? null]);
        visit(b.inverse, scopes);
        return;
      }
      case 'PathExpression':
        checkPath(node as Path, scopes);
        return;
      default:
        return;
    }
  };
  const checkHelper = (path: Path) => {
    if (!(TEMPLATE_HELPERS as readonly string[]).includes(path.original)) unknown.add(path.original);
  };
  const resolve = (path: Path, scopes: (ObjectModel | null)[]): { object: ObjectModel | null; ok: boolean } => {
    if (path.data) return { object: null, ok: true };
    const scope = scopes[scopes.length - 1 - path.depth] ?? null;
    if (!scope) return { object: null, ok: true };
    if (path.parts.length === 0) return { object: scope, ok: true };
    let current: ObjectModel | null = scope;
    for (const [i, part] of path.parts.entries()) {
      if (!current) return { object: null, ok: true };
      if (i === 0 && scopes.length - 1 - path.depth === 0 && extra.includes(part)) return { object: null, ok: true };
      const field: FieldModel | undefined = current.fields.get(part);
      if (!field) {
        // `account.id` and the label of an expanded lookup are always there.
        if (i > 0 && part === 'id') return { object: null, ok: true };
        return { object: null, ok: false };
      }
      const target: string | undefined = field.children?.object ?? field.ref;
      current = target ? (model.objects.get(target) ?? null) : null;
      if (!target && i < path.parts.length - 1) return { object: null, ok: false };
    }
    return { object: current, ok: true };
  };
  const checkPath = (path: Path, scopes: (ObjectModel | null)[]) => {
    if (!resolve(path, scopes).ok) unknown.add(path.original);
  };
  const scopeOf = (param: hbs.AST.Expression | undefined, scopes: (ObjectModel | null)[]) =>
    param?.type === 'PathExpression' ? resolve(param as Path, scopes).object : null;

  visit(ast, [object]);
  if (unsupported.size > 0) {
    const problems = [...unsupported];
    throw validationFailed(`The ${part} template cannot be printed: ${problems.join('; ')}`, {
      [part]: problems.join('; ').slice(0, 500),
    });
  }
  if (unknown.size > 0) {
    const names = [...unknown];
    throw validationFailed(
      `The ${part} template uses unknown fields: ${names.join(', ')}`,
      Object.fromEntries(names.map((n) => [`${part}.${n}`, 'unknown field'])),
      { unknown: names },
    );
  }
  try {
    // Handlebars compiles lazily, at the first render: compile now so what it refuses is refused at save.
    handlebars().precompile(ast, COMPILE_OPTIONS);
  } catch (err) {
    throw validationFailed(`The ${part} template cannot be printed`, {
      [part]:
        String((err as Error).message ?? err)
          .split('\n')[0]
          ?.slice(0, 500) ?? 'invalid',
    });
  }
}
