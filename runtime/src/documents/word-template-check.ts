import { validationFailed } from '../errors';
import type { FieldModel, Model, ObjectModel } from '../model/load-model';
import type { WordTags } from './word-template';

/**
 * The tags of a Word template that name no field: `{name}`, `{account.city}` through a lookup,
 * `{#lines}{product}{/lines}` inside the line-item object. Like docxtemplater, an inner tag may also
 * name a field of an enclosing scope (`{#vip}{name}{/vip}`). `{.}` (the current item) is always known.
 */
export function unknownWordTags(model: Model, object: ObjectModel, tags: WordTags): string[] {
  const unknown = new Set<string>();
  // The object a path ends on (null: a plain value, or a target we cannot see), or false: unknown.
  const resolve = (tag: string, scope: ObjectModel): ObjectModel | null | false => {
    let current: ObjectModel | null = scope;
    for (const [i, part] of tag.split('.').entries()) {
      if (!current) return false;
      const field: FieldModel | undefined = current.fields.get(part);
      if (!field) return i > 0 && part === 'id' ? null : false;
      const target: string | undefined = field.children?.object ?? field.ref;
      current = target ? (model.objects.get(target) ?? null) : null;
    }
    return current;
  };
  const visit = (node: WordTags, scopes: ObjectModel[]) => {
    for (const [raw, inner] of Object.entries(node)) {
      const tag = raw.trim();
      if (tag === '.' || tag === '') continue;
      let found: ObjectModel | null | false = false;
      for (let i = scopes.length - 1; i >= 0 && found === false; i--) found = resolve(tag, scopes[i] as ObjectModel);
      if (found === false) unknown.add(tag);
      if (Object.keys(inner).length > 0) visit(inner, found ? [...scopes, found] : scopes);
    }
  };
  visit(tags, [object]);
  return [...unknown];
}

/** 400 listing every unknown tag, as print templates do at save (`details.unknown`). */
export function checkWordFields(model: Model, object: ObjectModel, tags: WordTags): void {
  const names = unknownWordTags(model, object, tags);
  if (names.length === 0) return;
  throw validationFailed(
    `The Word template uses unknown fields: ${names.slice(0, 20).join(', ')}`,
    Object.fromEntries(names.slice(0, 20).map((n) => [`docx.${n}`, 'unknown field'])),
    { unknown: names },
  );
}
