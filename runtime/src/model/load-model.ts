/**
 * Turns a (validated) metadata document into the immutable `Model` every runtime service reads:
 * objects with their physical table, typed fields (kind, column, flags, operators), line items,
 * roll-ups, formulas in evaluation order, and record validators compiled on first use.
 */
import {
  type AutonumberFormat,
  type ColumnType,
  type DbCheck,
  type FieldDefinition,
  type Filter,
  type FilterOperator,
  type FormDefinition,
  type I18N,
  type JsonSchema,
  type MetadataDocument,
  type ObjectDefinition,
  type RoleDefinition,
  type ScriptDefinition,
  SYSTEM_FIELD_NAMES,
  type ViewDefinition,
  type WorkflowDefinition,
  describeField,
  parseAutonumber,
  parseFormula,
  systemFieldDefinitions,
  USER_REF,
} from '@forma/metadata';
import { notFound } from '../errors';
import { columnOf, SYSTEM_TABLE, tableOf } from './naming';
import { compileRecordValidators, type RecordValidators } from './record-validators';

export type RollupOp = 'sum' | 'count' | 'count_distinct' | 'min' | 'max' | 'avg';

export interface FieldModel {
  name: string;
  /** Stable id (survives renames); system fields use their name. */
  id: string;
  /** Field kind from the catalogue (`text`, `currency`, `lookup`, `formula`, …). */
  kind: string;
  /** For formulas and roll-ups the kind of the computed value, otherwise `kind`. */
  resultKind: string;
  label: string;
  description?: string;
  i18n?: I18N;
  /** Physical column, or null for line-item fields (their rows live in the child table). */
  column: string | null;
  columnType: ColumnType | null;
  /** Check constraint of the column (enum values, e-mail/URL shape), as data. */
  dbCheck: DbCheck | null;
  required: boolean;
  /** Formula, autonumber, roll-up and system fields: clients never write them. */
  readOnly: boolean;
  system: boolean;
  /** Lookup target: an object name or `user`. */
  ref?: string;
  /** Physical table of the lookup target (`_users` for `user`). */
  refTable?: string;
  enum?: readonly string[];
  maxLength?: number;
  default?: unknown;
  /** `reads` orders formulas; `reveals` is what field security hides the formula behind (`'all'`: every field). */
  formula?: { expression: string; reads: readonly string[]; reveals: readonly string[] | 'all' };
  autonumber?: { pattern: string; format: AutonumberFormat };
  rollup?: RollupModel;
  children?: ChildrenModel;
  unique: boolean;
  indexed: boolean;
  operators: readonly FilterOperator[];
  widget: string;
  /** JSON Schema of a non-null value. */
  valueSchema: JsonSchema;
  /** The field's definition as written in the metadata (system fields: their built-in one). */
  definition: FieldDefinition;
}

export interface ChildrenModel {
  /** The child object. */
  object: string;
  /** The child's lookup field pointing back at the parent. */
  field: string;
}

export interface RollupModel {
  /** The parent's line-item field it aggregates; absent for a roll-up over related records. */
  children?: string;
  op: RollupOp;
  /** Child object and its aggregated field (absent for count). */
  object: string;
  field?: string;
  /** The child's lookup to the parent. */
  via: string;
  /** Related records: only live children matching this filter (their own fields) count. */
  filter?: Filter;
  /** Child fields whose change can move the value: `via`, `field` and the filter's fields. */
  reads: readonly string[];
}

export interface ObjectModel {
  name: string;
  id: string;
  table: string;
  label: string;
  description?: string;
  i18n?: I18N;
  /** The field naming a record (x-label-field, else the first text field, else `id`). */
  labelField: string;
  /** System fields first, then custom fields in definition order. */
  fields: ReadonlyMap<string, FieldModel>;
  customFields: readonly FieldModel[];
  /** Every physical column, system columns included. */
  columns: readonly string[];
  /** Line-item fields of this object (it is their parent). */
  children: readonly (ChildrenModel & { name: string })[];
  /** Set when this object is the line items of another: the parent and the link field. */
  parent?: { object: string; children: string; field: string };
  rollups: readonly FieldModel[];
  /** Formula fields in an order where every formula comes after the formulas it reads. */
  formulas: readonly FieldModel[];
  autonumbers: readonly FieldModel[];
  definition: ObjectDefinition;
  /** ajv validators of record payloads, compiled on first use. */
  readonly validators: RecordValidators;
  field(name: string): FieldModel;
}

export interface Model {
  version: number;
  objects: ReadonlyMap<string, ObjectModel>;
  roles: Readonly<Record<string, RoleDefinition>>;
  workflows: Readonly<Record<string, WorkflowDefinition>>;
  scripts: Readonly<Record<string, ScriptDefinition>>;
  forms: Readonly<Record<string, FormDefinition>>;
  views: Readonly<Record<string, ViewDefinition>>;
  document: MetadataDocument;
  /** The object, or 404 NOT_FOUND. */
  object(name: string): ObjectModel;
}

export const EMPTY_DOCUMENT: MetadataDocument = Object.freeze({
  objects: {},
  roles: {},
  workflows: {},
  scripts: {},
  forms: {},
  views: {},
});

/** Builds the model of a document that has passed `validateDocument`. */
export function loadModel(document: MetadataDocument, version: number): Model {
  const doc = deepFreeze(structuredClone(document));
  const defs = (doc.objects ?? {}) as Record<string, ObjectDefinition>;
  const parents = parentIndex(defs);
  const objects = new Map<string, ObjectModel>();
  for (const [name, def] of Object.entries(defs)) objects.set(name, buildObject(name, def, defs, parents.get(name)));
  return Object.freeze({
    version,
    objects,
    roles: (doc.roles ?? {}) as Record<string, RoleDefinition>,
    workflows: (doc.workflows ?? {}) as Record<string, WorkflowDefinition>,
    scripts: (doc.scripts ?? {}) as Record<string, ScriptDefinition>,
    forms: (doc.forms ?? {}) as Record<string, FormDefinition>,
    views: (doc.views ?? {}) as Record<string, ViewDefinition>,
    document: doc,
    object(name: string) {
      const o = objects.get(name);
      if (!o) throw notFound(`Unknown object: ${name}`);
      return o;
    },
  });
}

type ParentRef = { object: string; children: string; field: string };

/** child object → its parent and link field, from the parents' x-children declarations. */
function parentIndex(defs: Record<string, ObjectDefinition>): Map<string, ParentRef> {
  const out = new Map<string, ParentRef>();
  for (const [parent, def] of Object.entries(defs)) {
    for (const [fname, field] of Object.entries(def.properties)) {
      const spec = field?.['x-children'];
      if (!spec) continue;
      out.set(spec.object, { object: parent, children: fname, field: linkField(defs, parent, spec) });
    }
  }
  return out;
}

/** The child's lookup to the parent named by x-children, or the only one it has. */
export function linkField(
  defs: Record<string, ObjectDefinition>,
  parent: string,
  spec: { object: string; field?: string },
): string {
  if (spec.field) return spec.field;
  const child = defs[spec.object];
  const link = Object.entries(child?.properties ?? {}).find(([, f]) => f?.['x-ref'] === parent);
  return link?.[0] ?? '';
}

function buildObject(
  name: string,
  def: ObjectDefinition,
  defs: Record<string, ObjectDefinition>,
  parent: ParentRef | undefined,
): ObjectModel {
  const required = new Set(def.required ?? []);
  const fields = new Map<string, FieldModel>();
  for (const [sname, sdef] of Object.entries(systemFieldDefinitions(name))) {
    fields.set(sname, buildField(sname, sname, sdef, { required: false, system: true, defs, object: name }));
  }
  const customFields: FieldModel[] = [];
  for (const [fname, fdef] of Object.entries(def.properties)) {
    if (!fdef) continue;
    const f = buildField(fname, fdef['x-id'] ?? fname, fdef, {
      required: required.has(fname),
      system: false,
      defs,
      object: name,
    });
    fields.set(fname, f);
    customFields.push(f);
  }
  const labelField =
    def['x-label-field'] ?? customFields.find((f) => f.resultKind === 'text' && f.column)?.name ?? 'id';
  const children = customFields.flatMap((f) => (f.children ? [{ name: f.name, ...f.children }] : []));
  const object: ObjectModel = {
    name,
    id: def['x-id'] ?? name,
    table: tableOf(name),
    label: def.title ?? humanize(name),
    ...(def.description !== undefined ? { description: def.description } : {}),
    ...(def['x-i18n'] ? { i18n: def['x-i18n'] } : {}),
    labelField,
    fields,
    customFields,
    columns: [...fields.values()].flatMap((f) => (f.column ? [f.column] : [])),
    children,
    ...(parent ? { parent } : {}),
    rollups: customFields.filter((f) => f.rollup),
    formulas: formulaOrder(customFields),
    autonumbers: customFields.filter((f) => f.autonumber),
    definition: def,
    get validators() {
      return lazyValidators(this);
    },
    field(fname: string) {
      const f = fields.get(fname);
      if (!f) throw notFound(`Unknown field: ${name}.${fname}`);
      return f;
    },
  };
  return Object.freeze(object);
}

const validatorCache = new WeakMap<ObjectModel, RecordValidators>();

function lazyValidators(object: ObjectModel): RecordValidators {
  let v = validatorCache.get(object);
  if (!v) {
    v = compileRecordValidators(object);
    validatorCache.set(object, v);
  }
  return v;
}

function buildField(
  name: string,
  id: string,
  def: FieldDefinition,
  opts: { required: boolean; system: boolean; defs: Record<string, ObjectDefinition>; object: string },
): FieldModel {
  const desc = describeField(def);
  if (!desc) throw new Error(`field ${opts.object}.${name} has no kind; validate the document first`);
  const ref = def['x-ref'];
  const formula = def['x-formula'] !== undefined ? parseFormula(def['x-formula']) : undefined;
  const autonumber = def['x-autonumber'] !== undefined ? parseAutonumber(def['x-autonumber']) : undefined;
  const rollup = def['x-rollup'];
  const childrenSpec = def['x-children'];
  const childrenObject = rollup?.children
    ? opts.defs[opts.object]?.properties[rollup.children]?.['x-children']
    : undefined;
  const enumValues = def.enum ?? def.items?.enum;
  return Object.freeze({
    name,
    id,
    kind: desc.kind.name,
    resultKind: desc.resultKind.name,
    label: def.title ?? humanize(name),
    ...(def.description !== undefined ? { description: def.description } : {}),
    ...(def['x-i18n'] ? { i18n: def['x-i18n'] } : {}),
    column: desc.column ? columnOf(name) : null,
    columnType: desc.column,
    dbCheck: opts.system ? null : desc.dbCheck,
    required: opts.required,
    readOnly: desc.readOnly || opts.system,
    system: opts.system,
    ...(ref ? { ref, refTable: ref === USER_REF ? SYSTEM_TABLE.users : tableOf(ref) } : {}),
    ...(enumValues ? { enum: enumValues } : {}),
    ...(def.maxLength !== undefined ? { maxLength: def.maxLength } : {}),
    ...(def.default !== undefined ? { default: def.default } : {}),
    ...(formula?.ok
      ? { formula: { expression: def['x-formula']!, reads: formula.reads, reveals: formula.reveals } }
      : {}),
    ...(autonumber?.ok ? { autonumber: { pattern: def['x-autonumber']!, format: autonumber.format } } : {}),
    ...(rollup && childrenObject
      ? {
          rollup: rollupModel(rollup, childrenObject.object, linkField(opts.defs, opts.object, childrenObject)),
        }
      : rollup?.object && rollup.via
        ? { rollup: rollupModel(rollup, rollup.object, rollup.via) }
        : {}),
    ...(childrenSpec
      ? { children: { object: childrenSpec.object, field: linkField(opts.defs, opts.object, childrenSpec) } }
      : {}),
    unique: Boolean(def['x-unique']) || desc.kind.name === 'autonumber',
    indexed: Boolean(def['x-index']) || desc.resultKind.name === 'lookup',
    operators: desc.operators,
    widget: desc.widget,
    valueSchema: desc.valueSchema,
    definition: def,
  } satisfies FieldModel);
}

function rollupModel(def: NonNullable<FieldDefinition['x-rollup']>, object: string, via: string): RollupModel {
  const reads = new Set([via, ...(def.field && def.op !== 'count' ? [def.field] : []), ...filterFields(def.filter)]);
  return {
    ...(def.children ? { children: def.children } : {}),
    op: def.op,
    object,
    ...(def.field ? { field: def.field } : {}),
    via,
    ...(def.filter ? { filter: def.filter } : {}),
    reads: [...reads],
  };
}

function filterFields(filter: Filter | undefined): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(filter ?? {})) {
    if (key === 'and' || key === 'or') for (const sub of (value as Filter[]) ?? []) out.push(...filterFields(sub));
    else out.push(key.split('.')[0]!);
  }
  return out;
}

/** Formulas sorted so that each comes after the formulas it reads (cycles are refused earlier). */
function formulaOrder(fields: readonly FieldModel[]): FieldModel[] {
  const byName = new Map(fields.filter((f) => f.formula).map((f) => [f.name, f]));
  const out: FieldModel[] = [];
  const done = new Set<string>();
  const visit = (f: FieldModel, path: Set<string>) => {
    if (done.has(f.name) || path.has(f.name)) return;
    path.add(f.name);
    for (const read of f.formula?.reads ?? []) {
      const dep = byName.get(read);
      if (dep) visit(dep, path);
    }
    done.add(f.name);
    out.push(f);
  };
  for (const f of byName.values()) visit(f, new Set());
  return out;
}

export function humanize(name: string): string {
  const s = name.replaceAll('_', ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Names of the system fields, in column order. */
export const SYSTEM_FIELDS = SYSTEM_FIELD_NAMES;
