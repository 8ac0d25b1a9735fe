/**
 * Validation of metadata documents: first the structure (the JSON Schema files, via ajv), then the
 * semantics the schema language cannot express (field kinds, references between objects, formulas,
 * operators allowed per field kind). Every problem is collected, each with its JSON pointer.
 */
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parseAutonumber } from './autonumber-format';
import {
  COMMON_KEYWORDS,
  describeField,
  FILTER_OPERATORS,
  type FieldDescription,
  type FilterOperator,
  kindOf,
} from './field-kinds';
import { conditionsOf, formConditionProblems } from './form-rules';
import { parseFormula } from './formula';
import type {
  FieldDefinition,
  Filter,
  FilterCondition,
  MetadataDocument,
  ObjectDefinition,
  ViewDefinition,
} from './generated/metadata-types';
import { RESERVED_FIELD_NAMES, RESERVED_OBJECT_NAMES, RESERVED_ROLE_NAMES, USER_REF } from './identifiers';
import { type MetaSchemaName, metaValidator } from './meta-ajv';
import { issuesFromAjv, type MetadataIssue, type MetadataIssueCode, pointer } from './metadata-issue';
import { systemFieldDefinitions, USER_LOOKUP_FIELDS } from './system-fields';

/** Structural validation of one unit against its schema file. */
export function validateStructure(name: MetaSchemaName, value: unknown, base = ''): MetadataIssue[] {
  const validate = metaValidator(name);
  if (!validate) throw new Error(`meta-schema ${name} is not registered`);
  return validate(value) ? [] : issuesFromAjv(validate.errors, base);
}

/** Structure and semantics of a whole document; an empty list means it is valid. */
export function validateDocument(doc: unknown): MetadataIssue[] {
  const structural = validateStructure('document', doc);
  if (structural.length) return structural;
  return new DocumentChecker(doc as MetadataDocument).run();
}

// Defaults are checked against each kind's value schema; a private ajv keeps those throw-away
// schemas out of the meta-schema instance's cache.
const valueAjv = addFormats(new Ajv2020({ allErrors: true, strict: false }));

// Compiled value schemas by their JSON: the same kinds with the same options recur in every
// document (a template is validated each time a server loads its plugin), and compiling is the
// cost of a check. Bounded, so documents with ever new picklists do not grow it without end.
const compiledValues = new Map<string, ValidateFunction>();
const COMPILED_VALUES_MAX = 500;

function valueIssues(schema: Record<string, unknown>, value: unknown): string | undefined {
  const key = JSON.stringify(schema);
  let validate = compiledValues.get(key);
  if (!validate) {
    validate = valueAjv.compile(schema);
    valueAjv.removeSchema(schema);
    if (compiledValues.size >= COMPILED_VALUES_MAX) compiledValues.clear();
    compiledValues.set(key, validate);
  }
  const ok = validate(value);
  if (ok) return undefined;
  return validate.errors?.[0]?.message ?? 'is not valid';
}

type Resolved = { def: FieldDefinition; desc: FieldDescription } | { error: string };

class DocumentChecker {
  private readonly issues: MetadataIssue[] = [];
  private readonly objects: Record<string, ObjectDefinition>;
  private readonly described = new Map<string, Map<string, FieldDescription>>();

  constructor(private readonly doc: MetadataDocument) {
    this.objects = (doc.objects ?? {}) as Record<string, ObjectDefinition>;
  }

  run(): MetadataIssue[] {
    for (const [name, def] of Object.entries(this.objects)) this.checkObjectLocal(name, def);
    for (const [name, def] of Object.entries(this.objects)) this.checkObjectReferences(name, def);
    this.checkFormulaCycles();
    this.checkRoles();
    this.checkViews();
    this.checkForms();
    this.checkScripts();
    this.checkWorkflows();
    return this.issues;
  }

  /** One issue per path; `code`/`params` let a client say it in its user's language (api.schema.json `metadataIssueCode`). */
  private add(path: string, message: string, code?: MetadataIssueCode, params?: MetadataIssue['params']): void {
    if (!this.issues.some((i) => i.path === path))
      this.issues.push({ path, message, ...(code ? { code } : {}), ...(params ? { params } : {}) });
  }

  private fieldsOf(object: string): Map<string, FieldDescription> {
    return this.described.get(object) ?? new Map();
  }

  /** Field kinds and per-field rules that need nothing but the object itself. */
  private checkObjectLocal(name: string, def: ObjectDefinition): void {
    const base = pointer('objects', name);
    if (RESERVED_OBJECT_NAMES.has(name)) this.add(base, `"${name}" is reserved`);
    const described = new Map<string, FieldDescription>();
    for (const [fname, field] of Object.entries(def.properties)) {
      if (!field) continue;
      const path = `${base}${pointer('properties', fname)}`;
      if (RESERVED_FIELD_NAMES.has(fname)) {
        this.add(path, `"${fname}" is a reserved (system) field name`);
        continue;
      }
      const desc = this.checkField(path, field);
      if (desc) described.set(fname, desc);
    }
    for (const [sname, sdef] of Object.entries(systemFieldDefinitions(name))) {
      const desc = describeField(sdef);
      if (desc) described.set(sname, desc);
    }
    this.described.set(name, described);

    (def.required ?? []).forEach((req, i) => {
      const path = `${base}${pointer('required', i)}`;
      const field = def.properties[req];
      if (!field) this.add(path, `"${req}" is not a field of this object`);
      else if (described.get(req)?.readOnly || described.get(req)?.kind.name === 'children')
        this.add(path, `"${req}" is computed or holds line items and cannot be required`);
    });
    const label = def['x-label-field'];
    if (label !== undefined) {
      const desc = described.get(label);
      if (!def.properties[label] && label !== 'id') this.add(`${base}/x-label-field`, `"${label}" is not a field`);
      else if (desc && !desc.column) this.add(`${base}/x-label-field`, 'The label field must be stored in a column');
    }
    const group = def['x-related-group'];
    if (group !== undefined) {
      const choices = (def.properties[group] as { enum?: unknown; type?: unknown } | undefined)?.enum;
      if (!def.properties[group]) this.add(`${base}/x-related-group`, `"${group}" is not a field`);
      else if (!Array.isArray(choices))
        this.add(`${base}/x-related-group`, 'Related records are grouped by a picklist field');
    }
    // Search fields get a trigram index (runtime/src/model/search-fields.ts): stored free text only.
    (def['x-search'] ?? []).forEach((name, i) => {
      const column = described.get(name)?.column?.base;
      const choices = (def.properties[name] as { enum?: unknown } | undefined)?.enum !== undefined;
      if (!def.properties[name]) this.add(`${base}/x-search/${i}`, `"${name}" is not a field`);
      else if ((column !== 'text' && column !== 'varchar') || choices)
        this.add(`${base}/x-search/${i}`, 'Search looks in stored free-text fields (not choices, numbers or dates)');
    });
    // Duplicate rules compare stored text-like values (records/duplicate-finder.ts).
    (def['x-duplicates'] ?? []).forEach((rule, i) => {
      rule.forEach((name, j) => {
        const column = described.get(name)?.column?.base;
        if (!def.properties[name]) this.add(`${base}/x-duplicates/${i}/${j}`, `"${name}" is not a field`);
        else if (column !== 'text' && column !== 'varchar' && column !== 'uuid' && column !== 'date')
          this.add(`${base}/x-duplicates/${i}/${j}`, 'Duplicate rules compare text, lookup and date fields');
      });
    });
    this.checkFormRules(def, described, base);
  }

  /**
   * `x-form-rules` (form-rules.ts): targets are this object's own stored fields, conditions test
   * its own fields with operators their kind offers. Refused at publish, so the engine never meets
   * a rule it would have to guess about.
   */
  private checkFormRules(def: ObjectDefinition, described: ReadonlyMap<string, FieldDescription>, base: string): void {
    const testable = new Set(
      [...described.entries()].filter(([, d]) => d.kind.name !== 'children' && d.column).map(([n]) => n),
    );
    (def['x-form-rules'] ?? []).forEach((rule, i) => {
      const at = `${base}/x-form-rules/${i}`;
      rule.fields.forEach((name, j) => {
        const d = described.get(name);
        if (!def.properties[name])
          this.add(`${at}/fields/${j}`, `"${name}" is not a field of this object`, 'unknown_field', { field: name });
        else if (!d?.column) this.add(`${at}/fields/${j}`, `"${name}" holds line items: a rule cannot target it`);
        else if (d.readOnly && rule.effect !== 'show' && rule.effect !== 'hide')
          this.add(
            `${at}/fields/${j}`,
            `"${name}" is computed: it can only be shown or hidden`,
            'form_computed_field',
            {
              field: name,
            },
          );
        // A hidden field's value is cleared on save, which an always-required field cannot be.
        else if ((rule.effect === 'show' || rule.effect === 'hide') && def.required?.includes(name))
          this.add(`${at}/fields/${j}`, `"${name}" is always required: it cannot be hidden`, 'form_required_hidden', {
            field: name,
          });
      });
      for (const p of formConditionProblems(rule.when, testable))
        this.add(`${at}/when${p.at}`, p.message, p.code, p.params);
      for (const [field, cond] of conditionsOf(rule.when)) {
        const ops = described.get(field)?.operators;
        if (!ops) continue;
        for (const op of Object.keys(cond))
          if ((FILTER_OPERATORS as readonly string[]).includes(op) && !ops.includes(op as FilterOperator))
            this.add(`${at}/when`, `"${op}" does not apply to "${field}"`, 'condition_bad_operator', { op, field });
      }
    });
  }

  private checkField(path: string, field: FieldDefinition): FieldDescription | undefined {
    const kind = kindOf(field);
    if (!kind) {
      this.add(path, noKindMessage(field));
      return undefined;
    }
    const allowed = new Set<string>([...COMMON_KEYWORDS, ...kind.keywords]);
    for (const key of Object.keys(field)) {
      if (!allowed.has(key)) this.add(`${path}${pointer(key)}`, `"${key}" does not apply to ${kind.label} fields`);
    }
    for (const issue of kind.check?.(field) ?? []) {
      this.add(issue.keyword ? `${path}${pointer(issue.keyword)}` : path, issue.message);
    }
    const desc = describeField(field);
    if (!desc) {
      this.add(`${path}/type`, `The value type of this ${kind.label} field is not a stored field kind`);
      return undefined;
    }
    if (field.default !== undefined) {
      if (desc.readOnly) this.add(`${path}/default`, 'Computed fields cannot have a default');
      else {
        const problem = valueIssues(desc.valueSchema, field.default);
        if (problem) this.add(`${path}/default`, problem);
      }
    }
    const values = field.enum ?? field.items?.enum;
    for (const key of Object.keys(field['x-enum-labels'] ?? {})) {
      if (!values?.includes(key)) this.add(`${path}/x-enum-labels${pointer(key)}`, `"${key}" is not one of the values`);
    }
    const retired = field['x-enum-retired'] ?? [];
    retired.forEach((key, i) => {
      if (!values?.includes(key)) this.add(`${path}/x-enum-retired/${i}`, `"${key}" is not one of the values`);
    });
    if (retired.length && values?.every((v) => retired.includes(v)))
      this.add(`${path}/x-enum-retired`, 'At least one option must stay offered');
    const defaults = Array.isArray(field.default) ? field.default : [field.default];
    for (const d of defaults)
      if (typeof d === 'string' && retired.includes(d))
        this.add(`${path}/default`, `"${d}" is retired: a default must be an offered option`);
    if (field['x-autonumber'] !== undefined) {
      const parsed = parseAutonumber(field['x-autonumber']);
      if (!parsed.ok) this.add(`${path}/x-autonumber`, parsed.error);
    }
    if (field['x-formula'] !== undefined) {
      const parsed = parseFormula(field['x-formula']);
      if (!parsed.ok) this.add(`${path}/x-formula`, parsed.error, 'formula_syntax', { error: parsed.error });
    }
    return desc;
  }

  /** `x-lookup-filter`: keys are fields of the lookup's target, values `$record.<field>` of this object. */
  private checkLookupFilter(
    fname: string,
    field: NonNullable<ObjectDefinition['properties'][string]>,
    fields: ReadonlyMap<string, unknown>,
    path: string,
  ): void {
    const ref = field['x-ref'];
    const at = `${path}/x-lookup-filter`;
    if (ref === undefined || ref === USER_REF) {
      this.add(at, 'Only a lookup to an object can be filtered');
      return;
    }
    const target = this.objects[ref] ? this.fieldsOf(ref) : undefined;
    for (const [key, value] of Object.entries(field['x-lookup-filter'] ?? {})) {
      if (target && !target.has(key)) this.add(`${at}/${key}`, `"${key}" is not a field of ${ref}`);
      const source = /^\$record\.([a-z][a-z0-9_]{0,62})$/.exec(String(value))?.[1];
      if (!source || !fields.has(source))
        this.add(`${at}/${key}`, `"${String(value)}" is not $record.<a field of this object>`);
      else if (source === fname) this.add(`${at}/${key}`, 'A lookup cannot be filtered by its own value');
    }
  }

  /**
   * `x-default-from`: each source names an object and one of its stored fields, and matches on
   * that object's fields (or `id`) with paths over this record: a field, or a lookup's field.
   */
  private checkDefaultFrom(object: string, fname: string, field: FieldDefinition, path: string): void {
    const def = this.objects[object]!;
    (field['x-default-from'] ?? []).forEach((source, i) => {
      const at = `${path}/x-default-from/${i}`;
      if (!this.objects[source.object]) {
        this.add(`${at}/object`, `Unknown object "${source.object}"`);
        return;
      }
      const target = this.fieldsOf(source.object);
      if (!target.get(source.field)?.column)
        this.add(`${at}/field`, `"${source.field}" is not a stored field of ${source.object}`);
      for (const [key, value] of Object.entries(source.match)) {
        if (key !== 'id' && !target.has(key))
          this.add(`${at}/match/${key}`, `"${key}" is not a field of ${source.object}`);
        const [first, second] = String(value).split('.').slice(1);
        const head = first ? def.properties[first] : undefined;
        if (!head || first === fname) {
          this.add(`${at}/match/${key}`, `"${String(value)}" is not $record.<another field of this object>`);
          continue;
        }
        if (second === undefined) continue;
        const ref = head['x-ref'];
        if (ref === undefined || ref === USER_REF || !this.objects[ref])
          this.add(`${at}/match/${key}`, `"${first}" is not a lookup to an object`);
        else if (!this.fieldsOf(ref).get(second)?.column)
          this.add(`${at}/match/${key}`, `"${second}" is not a stored field of ${ref}`);
      }
    });
  }

  /** Lookups, line items, roll-ups and formulas: references to other fields and objects. */
  private checkObjectReferences(name: string, def: ObjectDefinition): void {
    const base = pointer('objects', name);
    const fields = this.fieldsOf(name);
    for (const [fname, field] of Object.entries(def.properties)) {
      if (!field || !fields.has(fname)) continue;
      const path = `${base}${pointer('properties', fname)}`;
      const ref = field['x-ref'];
      if (ref !== undefined && ref !== USER_REF && !this.objects[ref])
        this.add(`${path}/x-ref`, `Unknown object "${ref}"`, 'unknown_object', { object: ref });
      if (field['x-lookup-filter']) this.checkLookupFilter(fname, field, fields, path);
      if (field['x-default-from']) this.checkDefaultFrom(name, fname, field, path);
      if (field['x-children']) this.checkChildren(name, fname, field, path);
      if (field['x-rollup']) this.checkRollup(name, fname, def, field, path);
      if (field['x-formula'] !== undefined) {
        const parsed = parseFormula(field['x-formula']);
        if (parsed.ok) {
          for (const read of parsed.reads) {
            if (!fields.has(read))
              this.add(`${path}/x-formula`, `Unknown field "${read}" in the formula`, 'formula_unknown_field', {
                field: read,
              });
            else if (fields.get(read)?.kind.name === 'children')
              this.add(`${path}/x-formula`, `"${read}" holds line items; use a roll-up instead`, 'formula_line_items', {
                field: read,
              });
          }
        }
      }
    }
  }

  private checkChildren(parent: string, fname: string, field: FieldDefinition, path: string): void {
    const spec = field['x-children']!;
    const child = this.objects[spec.object];
    if (!child) {
      this.add(`${path}/x-children/object`, `Unknown object "${spec.object}"`);
      return;
    }
    if (spec.object === parent) {
      this.add(`${path}/x-children/object`, 'An object cannot own itself');
      return;
    }
    const links = Object.entries(child.properties).filter(([, f]) => f?.['x-ref'] === parent);
    if (spec.field !== undefined) {
      if (!links.some(([n]) => n === spec.field))
        this.add(`${path}/x-children/field`, `"${spec.object}.${spec.field}" must be a lookup to "${parent}"`);
    } else if (links.length !== 1) {
      this.add(
        `${path}/x-children`,
        links.length
          ? `"${spec.object}" has several lookups to "${parent}": name one in x-children.field`
          : `"${spec.object}" needs a lookup field to "${parent}"`,
      );
    }
    for (const [otherName, other] of Object.entries(this.objects)) {
      for (const [ofield, odef] of Object.entries(other.properties)) {
        if (odef?.['x-children']?.object === spec.object && (otherName !== parent || ofield !== fname)) {
          if (otherName < parent || (otherName === parent && ofield < fname)) {
            this.add(`${path}/x-children/object`, `"${spec.object}" is already the line items of ${otherName}`);
          }
        }
      }
    }
  }

  private checkRollup(name: string, fname: string, def: ObjectDefinition, field: FieldDefinition, path: string): void {
    const spec = field['x-rollup']!;
    const at = `${path}/x-rollup`;
    let child: string;
    if (spec.children !== undefined) {
      const children = def.properties[spec.children]?.['x-children'];
      if (!children) {
        this.add(`${at}/children`, `"${spec.children}" is not a line-item field`);
        return;
      }
      child = children.object;
    } else {
      if (!this.objectExists(spec.object!, `${at}/object`)) return;
      child = spec.object!;
      // The recomputing UPDATE names both tables by their own names: one table cannot be both.
      if (child === name) {
        this.add(`${at}/object`, 'A roll-up over records of the same object is not supported');
        return;
      }
      const via = this.objects[child]!.properties[spec.via!];
      if (!via) this.add(`${at}/via`, `Unknown field "${child}.${spec.via}"`);
      else if (via['x-ref'] !== name || this.fieldsOf(child).get(spec.via!)?.resultKind.name !== 'lookup')
        this.add(`${at}/via`, `"${child}.${spec.via}" must be a lookup to "${name}"`);
      if (spec.filter) this.checkRollupFilter(child, spec.filter, `${at}/filter`);
    }
    if (spec.op === 'count' || spec.field === undefined) return;
    const target = this.fieldsOf(child).get(spec.field);
    if (!target) {
      this.add(`${at}/field`, `Unknown field "${child}.${spec.field}"`);
      return;
    }
    const numeric = ['number', 'currency', 'percent', 'integer'].includes(target.resultKind.name);
    const temporal = ['date', 'datetime'].includes(target.resultKind.name);
    const own = this.fieldsOf(name).get(fname)?.resultKind.name;
    if (!target.column) this.add(`${at}/field`, `"${child}.${spec.field}" is not stored in a column`);
    else if (spec.op === 'count_distinct') {
      // Distinct values of a list would compare whole arrays: not a count anyone means.
      if (['multiselect', 'children'].includes(target.resultKind.name))
        this.add(`${at}/field`, `Cannot count_distinct a ${target.resultKind.label} field`);
    } else if (!numeric && !(temporal && (spec.op === 'min' || spec.op === 'max')))
      this.add(`${at}/field`, `Cannot ${spec.op} a ${target.resultKind.label} field`);
    else if (temporal) {
      // The stored column has the child's type: a date-time's latest kept as a date would lose the day's time zone.
      if (own !== target.resultKind.name)
        this.add(
          `${path}/format`,
          `The ${spec.op} of a ${target.resultKind.label} field must have type "string" and format "${target.resultKind.name === 'date' ? 'date' : 'date-time'}"`,
        );
    } else if (own === 'date' || own === 'datetime')
      this.add(`${path}/format`, `The ${spec.op} of a ${target.resultKind.label} field is a number, not a date`);
    else if (field.type === 'integer' && (target.resultKind.name !== 'integer' || spec.op === 'avg'))
      this.add(`${path}/type`, 'A roll-up of a decimal field (or an average) must have type "number"');
  }

  /**
   * A related roll-up's filter reads the child's own stored fields only: a change to a record the
   * child merely points at is no save of the child, so nothing would recompute the parent.
   */
  private checkRollupFilter(child: string, filter: Filter, path: string): void {
    const before = this.issues.length;
    this.checkFilter(child, filter, path);
    if (this.issues.length > before) return;
    const visit = (f: Filter, at: string): void => {
      for (const [key, value] of Object.entries(f)) {
        if (key === 'and' || key === 'or') {
          (value as Filter[]).forEach((sub, i) => {
            visit(sub, `${at}${pointer(key, i)}`);
          });
        } else if (key.includes('.')) this.add(`${at}${pointer(key)}`, "Roll-up filters read the child's own fields");
        else if (!this.fieldsOf(child).get(key)?.column)
          this.add(`${at}${pointer(key)}`, `"${key}" is not stored in a column`);
      }
    };
    visit(filter, path);
  }

  private checkFormulaCycles(): void {
    for (const [name, def] of Object.entries(this.objects)) {
      const graph = new Map<string, string[]>();
      for (const [fname, field] of Object.entries(def.properties)) {
        if (field?.['x-formula'] === undefined) continue;
        const parsed = parseFormula(field['x-formula']);
        if (parsed.ok) graph.set(fname, parsed.reads);
      }
      for (const cycle of findCycles(graph)) {
        this.add(
          `${pointer('objects', name, 'properties', cycle[0]!)}/x-formula`,
          `Formula cycle: ${[...cycle, cycle[0]].join(' → ')}`,
          'formula_cycle',
          { fields: [...cycle, cycle[0]].join(' → ') },
        );
      }
    }
  }

  /** Resolves `field` or `lookup.field` on an object, for filters, views and forms. */
  private resolve(object: string, path: string): Resolved {
    const [head, tail] = path.split('.') as [string, string | undefined];
    const fields = this.fieldsOf(object);
    const desc = fields.get(head);
    const def = this.objects[object]?.properties[head] ?? systemFieldDefinitions(object)[head as 'id'];
    if (!desc || !def) return { error: `Unknown field "${head}" of ${object}` };
    if (tail === undefined) return { def, desc };
    const ref = desc.resultKind.name === 'lookup' ? def['x-ref'] : undefined;
    if (!ref) return { error: `"${head}" is not a lookup` };
    if (ref === USER_REF) {
      const udef = USER_LOOKUP_FIELDS[tail];
      const udesc = udef && describeField(udef);
      return udef && udesc ? { def: udef, desc: udesc } : { error: `Users have no field "${tail}"` };
    }
    const tdesc = this.fieldsOf(ref).get(tail);
    const tdef = this.objects[ref]?.properties[tail] ?? systemFieldDefinitions(ref)[tail as 'id'];
    if (!tdesc || !tdef) return { error: `Unknown field "${tail}" of ${ref}` };
    return { def: tdef, desc: tdesc };
  }

  private checkFilter(object: string, filter: Filter, path: string): void {
    for (const [key, value] of Object.entries(filter)) {
      if (value === undefined) continue;
      if (key === 'and' || key === 'or') {
        (value as Filter[]).forEach((sub, i) => {
          this.checkFilter(object, sub, `${path}${pointer(key, i)}`);
        });
        continue;
      }
      const at = `${path}${pointer(key)}`;
      const r = this.resolve(object, key);
      if ('error' in r) {
        this.add(at, r.error);
        continue;
      }
      for (const op of Object.keys(value as FilterCondition)) {
        if (!r.desc.operators.includes(op as never))
          this.add(`${at}${pointer(op)}`, `"${op}" is not supported by ${r.desc.resultKind.label} fields`);
      }
    }
  }

  private objectExists(object: string, path: string): boolean {
    if (this.objects[object]) return true;
    this.add(path, `Unknown object "${object}"`);
    return false;
  }

  private checkRoles(): void {
    for (const [name, role] of Object.entries(this.doc.roles ?? {})) {
      if (!role) continue;
      const base = pointer('roles', name);
      if (RESERVED_ROLE_NAMES.has(name)) this.add(base, `"${name}" is a built-in role`);
      for (const [object, grant] of Object.entries(role.objects ?? {})) {
        if (!this.objectExists(object, `${base}${pointer('objects', object)}`)) continue;
        for (const field of Object.keys(grant?.fields ?? {})) {
          if (!this.fieldsOf(object).has(field))
            this.add(`${base}${pointer('objects', object, 'fields', field)}`, `Unknown field "${field}" of ${object}`);
        }
      }
      (role.sharing ?? []).forEach((rule, i) => {
        const at = `${base}${pointer('sharing', i)}`;
        if (this.objectExists(rule.object, `${at}/object`)) this.checkFilter(rule.object, rule.filter, `${at}/filter`);
      });
    }
  }

  private checkViews(): void {
    for (const [name, view] of Object.entries(this.doc.views ?? {})) {
      if (!view) continue;
      const base = pointer('views', name);
      if (!this.objectExists(view.object, `${base}/object`)) continue;
      view.columns.forEach((col, i) => {
        const r = this.resolve(view.object, col);
        if ('error' in r) this.add(`${base}${pointer('columns', i)}`, r.error);
      });
      if (view.filter) this.checkFilter(view.object, view.filter, `${base}/filter`);
      (view.sort ?? []).forEach((key, i) => {
        const r = this.resolve(view.object, key.replace(/^-/, ''));
        if ('error' in r) this.add(`${base}${pointer('sort', i)}`, r.error);
        else if (!r.desc.column || r.desc.resultKind.name === 'multiselect')
          this.add(`${base}${pointer('sort', i)}`, `Cannot sort by a ${r.desc.kind.label} field`);
      });
      (view.cardFields ?? []).forEach((col, i) => {
        const r = this.resolve(view.object, col);
        if ('error' in r) this.add(`${base}${pointer('cardFields', i)}`, r.error);
      });
      this.checkViewType(view, base);
    }
  }

  /** A kanban view needs a writable picklist to group by, a calendar a writable date field. */
  private checkViewType(view: ViewDefinition, base: string): void {
    const type = view.type ?? 'table';
    if (type === 'kanban' && !view.groupBy)
      this.add(`${base}/groupBy`, 'A kanban view needs groupBy: a picklist field');
    if (type === 'calendar' && !view.dateField)
      this.add(`${base}/dateField`, 'A calendar view needs dateField: a date or date-time field');
    const field = (key: 'groupBy' | 'dateField' | 'statusField', kinds: string[], what: string, writable = true) => {
      const name = view[key];
      if (!name) return;
      const def = this.objects[view.object]?.properties[name];
      const desc = def && describeField(def);
      if (!def || !desc) this.add(`${base}/${key}`, `Unknown field "${name}" of ${view.object}`);
      else if (!kinds.includes(desc.kind.name) || (writable && desc.readOnly))
        this.add(`${base}/${key}`, `"${name}" is not ${what}${writable ? ' a user can change' : ''}`);
    };
    field('groupBy', ['select'], 'a picklist');
    field('dateField', ['date', 'datetime'], 'a date or date-time field');
    // A chip only shows the value, so a computed picklist is as good as a writable one.
    field('statusField', ['select'], 'a picklist', false);
  }

  private checkForms(): void {
    for (const [name, form] of Object.entries(this.doc.forms ?? {})) {
      if (!form) continue;
      const base = pointer('forms', name);
      if (form.object !== name) this.add(`${base}/object`, `Forms are keyed by their object: expected "${name}"`);
      if (!this.objectExists(form.object, `${base}/object`)) continue;
      const fields = this.objects[form.object]!.properties;
      for (const key of Object.keys(form.uiSchema)) {
        if (!key.startsWith('ui:') && !fields[key])
          this.add(`${base}${pointer('uiSchema', key)}`, `Unknown field "${key}" of ${form.object}`);
      }
      const order = form.uiSchema['ui:order'];
      if (order !== undefined) {
        if (!Array.isArray(order) || order.some((k) => typeof k !== 'string'))
          this.add(`${base}/uiSchema/ui:order`, 'must be a list of field names');
        else
          order.forEach((k, i) => {
            if (k !== '*' && !fields[k])
              this.add(`${base}${pointer('uiSchema', 'ui:order', i)}`, `Unknown field "${k}"`);
          });
      }
    }
  }

  private checkScripts(): void {
    for (const [name, script] of Object.entries(this.doc.scripts ?? {})) {
      if (script) this.objectExists(script.object, `${pointer('scripts', name)}/object`);
    }
  }

  private checkWorkflows(): void {
    for (const [name, wf] of Object.entries(this.doc.workflows ?? {})) {
      if (!wf) continue;
      const base = pointer('workflows', name);
      if (!this.objectExists(wf.object, `${base}/object`)) continue;
      const fields = this.fieldsOf(wf.object);
      const def = this.objects[wf.object]!;
      wf.nodes.forEach((node, i) => {
        const at = `${base}${pointer('nodes', i, 'data')}`;
        const approvers = [
          ...(node.data.approvers ?? []),
          ...(node.data.escalation?.to ? [node.data.escalation.to] : []),
        ];
        for (const a of approvers) {
          if ('field' in a) {
            const f = def.properties[a.field];
            if (!f || f['x-ref'] !== USER_REF) this.add(`${at}/approvers`, `"${a.field}" is not a user lookup field`);
          }
          if ('role' in a && a.role !== 'admin' && !this.doc.roles?.[a.role])
            this.add(`${at}/approvers`, `Unknown role "${a.role}"`);
        }
        for (const key of Object.keys(node.data.set ?? {})) {
          const f = fields.get(key);
          if (!f || !def.properties[key]) this.add(`${at}${pointer('set', key)}`, `Unknown field "${key}"`);
          else if (f.readOnly) this.add(`${at}${pointer('set', key)}`, `"${key}" is computed`);
        }
      });
    }
  }
}

function noKindMessage(field: FieldDefinition): string {
  if (field['x-kind'] !== undefined) return `Unknown x-kind "${field['x-kind']}" for type "${field.type}"`;
  if (field.format === 'uuid') return 'A uuid field is a lookup: add "x-ref" with the target object (or "user")';
  if (field.type === 'array') return 'An array field is a multi-select (items with enum) or line items (x-children)';
  return 'No field kind matches this definition';
}

/** Elementary cycles (each reported once, from its smallest member) of a small dependency graph. */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const visit = (start: string, node: string, path: string[]): void => {
    for (const next of graph.get(node) ?? []) {
      if (next === start) {
        const key = [...path].sort().join(',');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push([...path]);
        }
      } else if (graph.has(next) && !path.includes(next) && next > start) {
        visit(start, next, [...path, next]);
      }
    }
  };
  for (const start of [...graph.keys()].sort()) visit(start, start, [start]);
  return cycles;
}
