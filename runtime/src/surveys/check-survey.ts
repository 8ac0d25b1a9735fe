/**
 * Save-time check of the `surveys` metadata section: the objects and fields a survey names exist
 * and can hold what it saves there, so an answer never fails on the model (docs/surveys.md).
 */
import type { MetadataIssue, SurveyDefinition } from '@forma/metadata';
import type { SectionCheck } from '../meta/section-checks';

const NUMERIC = new Set(['integer', 'number']);

export const checkSurveyItem: SectionCheck<SurveyDefinition> = (_ctx, { item, model }) => {
  const issues: MetadataIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });
  const about = model.objects.get(item.object);
  if (!about) add('/object', `Unknown object "${item.object}"`);
  const target = model.objects.get(item.response.object);
  if (!target) {
    add('/response/object', `Unknown object "${item.response.object}"`);
    return issues;
  }
  const writable = (name: string, path: string) => {
    const f = target.fields.get(name);
    if (!f) add(path, `Unknown field "${name}" of ${target.name}`);
    else if ((f.readOnly || f.system) && name !== 'owner') add(path, `Field "${name}" of ${target.name} is read-only`);
    return f;
  };
  const aboutField = writable(item.response.about, '/response/about');
  if (aboutField && aboutField.ref !== item.object)
    add('/response/about', `"${item.response.about}" must be a lookup of ${target.name} to ${item.object}`);
  if (item.response.contact) {
    const f = writable(item.response.contact, '/response/contact');
    if (f && (!f.ref || f.ref === 'user'))
      add('/response/contact', `"${item.response.contact}" must be a lookup to a contact`);
  }
  if (item.response.survey) {
    const f = writable(item.response.survey, '/response/survey');
    if (f && f.resultKind !== 'text' && f.kind !== 'text')
      add('/response/survey', `"${item.response.survey}" must be a text field`);
  }
  for (const [to, from] of Object.entries(item.response.copy ?? {})) {
    writable(to, `/response/copy/${to}`);
    if (from && about && from !== 'owner' && !about.fields.has(from))
      add(`/response/copy/${to}`, `Unknown field "${from}" of ${item.object}`);
  }
  const ids = new Set<string>();
  const fields = new Set<string>();
  item.questions.forEach((q, i) => {
    const at = `/questions/${i}`;
    if (ids.has(q.id)) add(`${at}/id`, `Question id "${q.id}" appears twice`);
    ids.add(q.id);
    if (fields.has(q.field)) add(`${at}/field`, `Field "${q.field}" already holds another question`);
    fields.add(q.field);
    const f = writable(q.field, `${at}/field`);
    if (!f) return;
    const type = f.valueSchema.type;
    if ((q.kind === 'rating' || q.kind === 'nps') && !NUMERIC.has(String(type)))
      add(`${at}/field`, `A ${q.kind} question needs a number field; "${q.field}" is not one`);
    if ((q.kind === 'text' || q.kind === 'choice') && type !== 'string')
      add(`${at}/field`, `A ${q.kind} question needs a text field; "${q.field}" is not one`);
    if (q.kind === 'choice') {
      if (!q.choices?.length) add(`${at}/choices`, 'A choice question needs its choices');
      const allowed = f.enum ? new Set(f.enum) : undefined;
      q.choices?.forEach((c, j) => {
        if (allowed && !allowed.has(c.value))
          add(`${at}/choices/${j}/value`, `"${c.value}" is not a value of "${q.field}"`);
      });
    } else if (q.choices) add(`${at}/choices`, `Only choice questions have choices`);
  });
  return issues;
};
