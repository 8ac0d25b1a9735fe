/**
 * The staged import (issue 27): a CSV import of an object whose saves run no per-record code
 * (no validate/beforeSave scripts, formulas, autonumbers, form rules, line items, lookups in the
 * file) is written set-based instead of record by record. Each row is still coerced and checked by
 * the same functions as a single save (`coerceCell`, `checkPayload`: field security, types,
 * required, enums, the same messages), while the file streams through COPY into a temporary
 * staging table; what needs the table — upsert keys within the user's read scope, update scope and
 * approval locks, unique values against existing rows and earlier rows of the file — is checked by
 * joins; then one INSERT … SELECT … ON CONFLICT DO NOTHING, one UPDATE … FROM, the audit and the
 * import journal as INSERT … SELECT. Nothing per row stays in memory but the first failures.
 *
 * Rows repeating an upsert key are written in waves (the n-th occurrence of a key in wave n), so a
 * later row updates the record an earlier row created or changed, wherever it is in the file.
 * After-write work (hooks, rules, roll-ups, webhooks) runs for the inserted rows a thousand at a
 * time through the records engine when the object has any; an upsert of such an object, and any
 * object the staged path cannot reproduce, takes the record-by-record path (`stagedImportBlocker`).
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Knex } from 'knex';
import { from as copyFrom } from 'pg-copy-streams';
import { AppError, type FieldErrors, forbidden, recordLocked } from '../errors';
import type { FieldModel, Model, ObjectModel } from '../model/load-model';
import { SYSTEM_TABLE } from '../model/naming';
import { ident, tableRef, typeSql } from '../schema/sql-text';
import { hasSaveWork } from '../scripts/record-scripts';
import type { TxCtx } from '../tx/unit-of-work';
import { AUDIT_TABLE, NOT_AUDITED } from './audit';
import { compileFilter, type QueryAccess } from './compile-query';
import { defaultSources } from './default-from';
import { comparableRules } from './duplicate-finder';
import { hasFormLogic } from './form-logic';
import type { ImportRow } from './import-row-reader';
import type { ImportRun } from './import-run';
import { MAX_LISTED } from './import-run';
import type { ImportOptions, ImportReport } from './import-service';
import { checkPayload, type RecordService } from './record-service';
import { assertNoRetiredChoice } from './retired-options';
import { assertUniqueIndexes } from './unique-index-guard';
import { fromConstraint } from './write-sql';

type Profile = ReturnType<RecordService['bulkWriteProfile']>;

/** Rows per COPY chunk and per after-write page. */
const CHUNK = 1000;
/**
 * A COPY chunk is sent once it reaches this many characters: V8 keeps strings above ~128 KB in its
 * large-object space, which only a full collection frees (1,000 rows with their audit JSON are
 * ~450 KB: the import's RSS grew by 16 MB of them), while smaller ones die young.
 */
const COPY_CHUNK_CHARS = 64 * 1024;
const STAGE = '_import_stage';
const UPDATE_CONFLICT = 'Already used by another record';
/** Staged rows the wave inserts: no error and no existing record. */
const INSERTED = 's._err IS NULL AND s._mid IS NULL';

/**
 * Why this import cannot be staged (undefined: it can). Object-level reasons are known before the
 * file is read; `columns` (the file's mapped fields) adds the file's own.
 */
export function stagedImportBlocker(
  model: Model,
  object: ObjectModel,
  opts: ImportOptions,
  profiles: { create: Profile; update: Profile },
  columns?: readonly (FieldModel | null)[],
): string | undefined {
  const mode = opts.mode ?? 'insert';
  if (opts.format !== 'csv') return 'JSON file';
  if (process.env.FORMA_IMPORT_STAGED === '0') return 'turned off';
  if (!opts.allowDuplicates && comparableRules(object).length) return 'duplicate rules';
  if (hasSaveWork(model, object.name)) return 'scripts or formulas';
  if (object.formulas.length || object.autonumbers.length || object.rollups.length) return 'computed fields';
  if (object.parent || object.children.length) return 'line items';
  if (hasFormLogic(object) || defaultSources(object).length) return 'form rules';
  if (object.customFields.some((f) => f.ref && f.default !== undefined)) return 'lookup defaults';
  if (profiles.create.beforeHooks.length) return 'beforeCreate hooks';
  if (mode === 'upsert') {
    if (profiles.update.beforeHooks.length || profiles.update.afterWork) return 'after-update work';
    if (Object.values(model.workflows).some((w) => w.object === object.name)) return 'workflows';
    if (object.customFields.some((f) => f.definition['x-enum-retired']?.length)) return 'retired options';
  }
  if (columns?.some((f) => f?.ref && !f.system)) return 'lookup columns';
  return undefined;
}

interface Column {
  field: FieldModel;
  column: string;
  base: string;
  /** Staged value column (`v<i>`) and, for upserts, the replaced value (`o<i>`). */
  v: string;
  o: string;
  /** Named by the file (an update sets exactly these). */
  inFile: boolean;
}

export interface StagedImportArgs {
  records: Pick<RecordService, 'afterBulkWrites'>;
  model: Model;
  object: ObjectModel;
  qa: QueryAccess;
  opts: ImportOptions;
  key: FieldModel | undefined;
  id: string;
  report: ImportReport;
  run: ImportRun;
  /** Who writes (null: the system). */
  user: string | null;
  createProfile: Profile;
}

/** Runs a staged import in `tx` over the rows of the file; fills `report` (counts and failures). */
export async function runStagedImport(tx: TxCtx, args: StagedImportArgs, rows: AsyncIterable<ImportRow>) {
  let t0 = performance.now();
  let cpu0 = process.cpuUsage();
  // Wall time of each phase, and the server's own CPU in it (the rest is PostgreSQL or waiting).
  const trace = (label: string) => {
    if (!process.env.FORMA_IMPORT_TRACE) return;
    const t = performance.now();
    const cpu = process.cpuUsage(cpu0);
    console.error(
      `staged import ${label}: ${Math.round(t - t0)} ms (server CPU ${Math.round((cpu.user + cpu.system) / 1000)} ms)`,
    );
    t0 = t;
    cpu0 = process.cpuUsage();
  };
  const { object, qa, opts, key, report } = args;
  const access = qa.access;
  const mapped = new Set(
    args.run
      .mappedColumns()
      .filter((f): f is FieldModel => Boolean(f && !f.readOnly))
      .map((f) => f.name),
  );
  const columns: Column[] = object.customFields
    .filter((f) => f.column && !f.readOnly && f.columnType)
    .map((f, i) => ({
      field: f,
      column: f.column as string,
      base: (f.columnType as { base: string }).base,
      v: `v${i}`,
      o: `o${i}`,
      inFile: mapped.has(f.name),
    }));
  const upsert = key !== undefined;
  const db = tx.db;
  const table = tableRef(tx.schema, object.table);

  // A unique field without its valid index (being rebuilt) refuses the import (503) like a save.
  const uniques = columns.filter((c) => c.field.unique);
  if (uniques.length)
    await assertUniqueIndexes(db, tx.schema, object, [Object.fromEntries(uniques.map((c) => [c.column, 1]))]);

  // The staging table: same column types as the object's table, no constraints, gone at commit.
  const typed = columns.map((c) => `${ident(c.v)} ${typeSql(c.field.columnType as never)}`);
  const olds = upsert
    ? columns.filter((c) => c.inFile).map((c) => `${ident(c.o)} ${typeSql(c.field.columnType as never)}`)
    : [];
  // The writes below read the staged rows in file order: 100,000 rows with their audit JSON are a
  // ~40 MB sort, which at the default 4 MB went to disk twice (the records, then the audit).
  await db.raw(`SET LOCAL work_mem = '64MB'`);
  await db.raw(`DROP TABLE IF EXISTS pg_temp.${ident(STAGE)}`);
  await db.raw(
    `CREATE TEMP TABLE ${ident(STAGE)} (
       _row int NOT NULL, _wave int NOT NULL DEFAULT 1, _k text, _pre jsonb, _cerr jsonb, _uerr jsonb,
       _err jsonb, _mid uuid, _mn int, _mver int, _mst text, _inscope boolean,
       _new uuid NOT NULL, _aud jsonb, _done char(1), _ver int
       ${[...typed, ...olds].map((c) => `, ${c}`).join('')}
     ) ON COMMIT DROP`,
  );

  const streamed = await copyRows(tx, args, columns, rows);
  // Temporary tables are never auto-analyzed: the joins below need its size and key spread. Only the
  // columns the statements filter or join on (without the null fractions of _err and _mid a unique
  // check was planned as a nested loop over the whole table): statistics of every column, the audit
  // JSON above all, cost 0.9 s per 100,000 rows.
  const analyzed = ['_row', '_wave', '_k', '_pre', '_cerr', '_err', '_mid', '_new', ...uniques.map((c) => c.v)];
  await db.raw(`ANALYZE pg_temp.${ident(STAGE)} (${analyzed.map(ident).join(', ')})`);
  trace('copy');

  const stage = `pg_temp.${ident(STAGE)}`;
  // Statements that would find nothing are not sent: each is a pass over the staged rows
  // (0.1–0.25 s per 100,000 rows): waves when no key repeats, the update side when nothing matched.
  if (upsert && streamed.repeatedKeys) {
    // The n-th row of a key goes in wave n: it meets what the earlier rows wrote.
    await db.raw(
      `UPDATE ${stage} s SET _wave = w.n FROM (
         SELECT _row, row_number() OVER (PARTITION BY _k ORDER BY _row) n FROM ${stage} WHERE _k IS NOT NULL
       ) w WHERE s._row = w._row AND w.n > 1`,
    );
  }
  const waves =
    upsert && streamed.repeatedKeys
      ? Number((await db.raw(`SELECT coalesce(max(_wave), 1) n FROM ${stage}`)).rows[0].n)
      : 1;
  const canCreate = access.can.create;
  for (let wave = 1; wave <= waves; wave++) {
    const matched = upsert ? await matchKeys(tx, args, columns, stage, wave) : 0;
    trace('match');
    // Unknown ids are refused by matchKeys on their rows (`_pre`), matched or not.
    if (streamed.refused || matched || key?.name === 'id') await settleErrors(tx, args, stage, wave);
    await uniqueClashes(tx, args, columns, stage, wave);
    trace('checks');
    if (!canCreate) {
      const creates = await db.raw(`SELECT 1 FROM ${stage} WHERE _wave = ? AND _err IS NULL AND _mid IS NULL LIMIT 1`, [
        wave,
      ]);
      if (creates.rows.length) throw forbidden(`You may not create ${object.name} records`);
    }
    await insertWave(tx, args, columns, stage, table, wave);
    trace('insert');
    if (matched) await updateWave(tx, args, columns, stage, table, wave);
    trace('update');
    await auditWave(tx, args, columns, stage, wave, matched > 0);
    trace('audit');
    if (!opts.dryRun) await journalWave(tx, args, columns, stage, wave, matched > 0);
    await afterWorkWave(tx, args, stage, table, wave);
    trace('journal+after');
  }

  const counts = (
    await db.raw(
      `SELECT count(*) FILTER (WHERE _err IS NULL AND _mid IS NULL)::int inserted,
              count(*) FILTER (WHERE _err IS NULL AND _mid IS NOT NULL)::int updated,
              count(*) FILTER (WHERE _err IS NOT NULL)::int failed, count(*)::int n_rows
         FROM ${stage}`,
    )
  ).rows[0];
  report.inserted = counts.inserted;
  report.updated = counts.updated;
  report.failedCount = counts.failed;
  if (counts.failed) {
    const listed = await db.raw(`SELECT _row, _err FROM ${stage} WHERE _err IS NOT NULL ORDER BY _row LIMIT ?`, [
      MAX_LISTED,
    ]);
    report.failed = listed.rows.map((r: { _row: number; _err: FieldErrors }) => ({ row: r._row, errors: r._err }));
  }
}

function rowErrorsOf(e: unknown): FieldErrors | undefined {
  if (!(e instanceof AppError) || e.status >= 500 || e.code === 'UNAUTHENTICATED') return undefined;
  return e.fields ?? { _: e.message };
}

/**
 * Streams the file's rows into the staging table through COPY: each row coerced and checked in
 * process like a single save, the values written as CSV in the table's own types.
 */
async function copyRows(
  tx: TxCtx,
  args: StagedImportArgs,
  columns: Column[],
  rows: AsyncIterable<ImportRow>,
): Promise<{ refused: number; repeatedKeys: boolean }> {
  let refused = 0;
  // Whether an upsert key may repeat: 52 bits of two hashes per key (~4 MB per 100,000 keys), so a
  // false "may repeat" is about one file in a billion and only costs the wave statements.
  const seenKeys = new Set<number>();
  let repeatedKeys = false;
  const { object, qa, key, run, report } = args;
  const names = ['_row', '_k', '_pre', '_cerr', '_uerr', '_new', '_aud', ...columns.map((c) => c.v)];
  const audited = createdAudit(object, columns);
  const newId = orderedIds();
  const conn = (await (
    tx.db as unknown as { client: { acquireConnection(): Promise<unknown> } }
  ).client.acquireConnection()) as {
    query(stream: unknown): NodeJS.WritableStream;
  };
  const sink = conn.query(
    copyFrom(`COPY pg_temp.${ident(STAGE)} (${names.map(ident).join(', ')}) FROM STDIN (FORMAT csv)`),
  );

  async function* lines(): AsyncGenerator<string> {
    let out = '';
    let n = 0;
    for await (const r of rows) {
      report.rows += 1;
      const p = run.toPending(r);
      let pre: FieldErrors | undefined = Object.keys(p.errors).length ? p.errors : undefined;
      let k: string | null = null;
      if (key) {
        const v = p.payload[key.name];
        if (v === null || v === undefined || v === '') {
          if (!pre) pre = { [key.name]: 'The key field needs a value' };
        } else {
          k = String(v);
          if (!repeatedKeys) {
            // PostgreSQL receives lone surrogates as U+FFFD: keys equal there must hash alike here.
            const h = keyHash(k.replace(LONE_SURROGATES, '\uFFFD'));
            if (seenKeys.has(h)) repeatedKeys = true;
            else seenKeys.add(h);
          }
        }
      }
      let cerr: FieldErrors | undefined;
      let uerr: FieldErrors | undefined;
      let values: Record<string, unknown> = p.payload;
      if (!pre) {
        try {
          const checked = checkPayload(object, qa.access, { ...p.payload }, 'create').values;
          assertNoRetiredChoice(object, checked, undefined, 'The record is not valid');
          values = checked;
        } catch (e) {
          cerr = rowErrorsOf(e);
          if (!cerr) throw e;
        }
        // A payload a create accepts passes the (laxer) update check too: only a refused one is asked again.
        if (key && cerr) {
          const patch = { ...p.payload };
          if (key.name === 'id') delete patch.id;
          try {
            checkPayload(object, qa.access, patch, 'update');
          } catch (e) {
            uerr = rowErrorsOf(e);
            if (!uerr) throw e;
          }
        }
      }
      if (pre || cerr) refused += 1;
      const id = newId();
      // The audit entry of the row's create, if it is inserted (null: the SQL builds it).
      const aud = pre || cerr ? null : audited(values, id, args.user);
      const cells = [
        String(r.row),
        k === null ? '' : quote(k),
        pre ? quote(JSON.stringify(pre)) : '',
        cerr ? quote(JSON.stringify(cerr)) : '',
        uerr ? quote(JSON.stringify(uerr)) : '',
        id,
        aud === null ? '' : quote(aud),
      ];
      // Only checked values are staged (typed columns): a refused row keeps its errors, not its cells.
      const storable = !pre && (!cerr || (key !== undefined && !uerr));
      for (const c of columns) cells.push(storable ? copyCell(c.base, values[c.field.name]) : '');
      out += `${cells.join(',')}\n`;
      if (++n >= CHUNK || out.length >= COPY_CHUNK_CHARS) {
        yield out;
        out = '';
        n = 0;
      }
    }
    if (report.rows === 0) run.useHeader([]);
    if (out) yield out;
  }

  try {
    // One chunk ahead at most: the default (16 chunks) held up to ~8 MB of rows while PostgreSQL was busy.
    await pipeline(Readable.from(lines(), { highWaterMark: 1 }), sink);
  } catch (e) {
    if (e instanceof AppError) throw e;
    const err = e as { code?: string; where?: string; message?: string };
    // A value the checks let through but PostgreSQL refuses (a date out of range): a row's error.
    if (typeof err.code === 'string' && err.code.startsWith('22')) {
      const line = /line (\d+)/.exec(err.where ?? '')?.[1];
      throw new AppError('VALIDATION_FAILED', `Row ${line ?? '?'}: a value cannot be stored: ${err.message ?? ''}`);
    }
    throw e;
  }
  return { refused, repeatedKeys };
}

/** Two 32-bit string hashes (FNV-1a and a multiplicative one) as one 52-bit number. */
function keyHash(s: string): number {
  let a = 0x811c9dc5;
  let b = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = (Math.imul(b, 31) + c) | 0;
  }
  return (a >>> 0) * 2 ** 20 + (b & 0xfffff);
}

/**
 * Ids for the created records in file order (RFC 9562 version 7: the time in ms, then a counter that
 * starts at a random point, then 32 random bits). Random (v4) ids land all over the records' primary
 * key, the audit's record index and the journal's key; ascending ones are appended at the right
 * edge of each index, which PostgreSQL does without descending the tree.
 */
export function orderedIds(now = Date.now()): () => string {
  const ms = now.toString(16).padStart(12, '0').slice(-12);
  // 42 bits of counter: 12 in rand_a, 30 in rand_b (2 of them beside the variant).
  let n = Math.floor(Math.random() * 2 ** 40);
  return () => {
    const c = n++;
    const hi = Math.floor(c / 2 ** 30);
    const lo = c % 2 ** 30;
    const a = (hi & 0xfff).toString(16).padStart(3, '0');
    const b = (0x8000 | ((lo >>> 16) & 0x3fff)).toString(16);
    const tail = (lo & 0xffff).toString(16).padStart(4, '0') + randomUUID().slice(-8);
    return `${ms.slice(0, 8)}-${ms.slice(8)}-7${a}-${b}-${tail}`;
  };
}

/**
 * The `changes` of the audit entry a created row gets, as JSON text, built while the row streams by:
 * built by PostgreSQL (`auditWave`'s SQL: jsonb_build_object and friends) it cost 40–60 µs of the
 * database's CPU a row (4–6 s per 100,000 rows, measured in isolation), here ~10 µs in a process the
 * import otherwise leaves mostly idle. It must equal what that SQL gives for the row as stored, so a value whose stored text this
 * cannot know for sure (a time stamp, a multi-select, a number past the column's scale, a uuid not in
 * canonical form) makes it answer null, and the SQL builds that row's entry.
 */
function createdAudit(object: ObjectModel, columns: Column[]) {
  const staged = new Map(columns.map((c) => [c.column, c]));
  const audited = object.columns.filter(
    (col) => !NOT_AUDITED.has(col) && (staged.has(col) || col === 'id' || col === 'owner' || col === 'approval_status'),
  );
  return (values: Record<string, unknown>, id: string, owner: string | null): string | null => {
    const changes: Record<string, [null, unknown]> = {};
    for (const col of audited) {
      const c = staged.get(col);
      let v: unknown;
      if (c) {
        v = values[c.field.name];
        if (v === null || v === undefined) continue;
        if (!storedAsIs(c, v)) return null;
      } else if (col === 'id') v = id;
      else if (col === 'owner') {
        if (owner === null) continue;
        v = owner;
      } else v = 'none';
      changes[col] = [null, v];
    }
    return JSON.stringify(changes);
  };
}

/** In a `u` expression a surrogate pair is one code point: only a lone half matches. */
const LONE_SURROGATE = /\p{Cs}/u;
const LONE_SURROGATES = /\p{Cs}/gu;
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PLAIN_DECIMAL = /^-?\d+(\.(\d+))?$/;

/** Whether `v`, written by `copyCell`, reads back from its column as the same JSON value. */
function storedAsIs(c: Column, v: unknown): boolean {
  switch (c.base) {
    case 'text':
    case 'varchar':
      // A lone surrogate is replaced on the way to the database: its JSON escape would differ.
      return typeof v === 'string' && !LONE_SURROGATE.test(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'bigint':
      return Number.isSafeInteger(v);
    case 'numeric': {
      if (typeof v !== 'number' || !Number.isFinite(v)) return false;
      // Stored exactly (no rounding to the scale), so trim_scale gives back these digits.
      const m = PLAIN_DECIMAL.exec(String(v));
      const scale = (c.field.columnType as { scale?: number }).scale ?? 0;
      return m !== null && (m[2]?.length ?? 0) <= scale;
    }
    case 'uuid':
      return typeof v === 'string' && CANONICAL_UUID.test(v);
    case 'date':
      return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v);
    default:
      return false;
  }
}

function quote(s: string): string {
  return `"${s.replaceAll('"', '""')}"`;
}

/** One CSV cell of COPY for a checked JSON value, in the column's text form (empty: NULL). */
function copyCell(base: string, v: unknown): string {
  if (v === null || v === undefined) return '';
  if (base === 'text[]') {
    const items = (Array.isArray(v) ? v : [v]).map(
      (x) => `"${String(x).replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`,
    );
    return quote(`{${items.join(',')}}`);
  }
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'number') return String(v);
  return quote(typeof v === 'string' ? v : JSON.stringify(v));
}

/** A column's value as the JSON the records engine would write for it (pg's JS values through JSON). */
function jsonOf(base: string, expr: string): string {
  switch (base) {
    case 'numeric':
      return `to_jsonb(trim_scale(${expr}))`;
    case 'date':
      return `to_jsonb(to_char(${expr}, 'YYYY-MM-DD'))`;
    case 'timestamptz':
      return `to_jsonb(to_char(${expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))`;
    default:
      return `to_jsonb(${expr})`;
  }
}

/** `jsonb_build_object` over many pairs (at most 100 arguments per call). */
function buildObject(pairs: [string, string][]): string {
  if (!pairs.length) return `'{}'::jsonb`;
  const parts: string[] = [];
  for (let i = 0; i < pairs.length; i += 40)
    parts.push(
      `jsonb_build_object(${pairs
        .slice(i, i + 40)
        .map(([k, v]) => `'${k}', ${v}`)
        .join(', ')})`,
    );
  return parts.join(' || ');
}

/** The user's read scope of the object as a subquery of ids. */
function scopeIds(tx: TxCtx, args: StagedImportArgs, op: 'read' | 'update'): Knex.QueryBuilder {
  const t = args.object.table;
  return tx.db
    .withSchema(tx.schema)
    .from(t)
    .select(`${t}.id`)
    .where(compileFilter(args.model, args.object, null, args.qa, op));
}

/**
 * Upsert: the existing record of each row of the wave by its key, within the read scope, locked.
 * Answers how many staged rows met one or more records.
 */
async function matchKeys(
  tx: TxCtx,
  args: StagedImportArgs,
  columns: Column[],
  stage: string,
  wave: number,
): Promise<number> {
  const key = args.key as FieldModel;
  const db = tx.db;
  const table = tableRef(tx.schema, args.object.table);
  const keyCol = ident(key.column as string);
  const found = await db.raw(
    `WITH locked AS (
       SELECT x.id, x.${keyCol}::text k, x.version, x.approval_status st FROM ${table} x
        WHERE x.${keyCol}::text IN (SELECT _k FROM ${stage} WHERE _wave = ? AND _k IS NOT NULL)
          AND x.id IN ?
        ORDER BY x.id FOR UPDATE OF x
     ), agg AS (
       SELECT k, count(*)::int n, (array_agg(id))[1] id, (array_agg(version))[1] ver, (array_agg(st))[1] st
         FROM locked GROUP BY k
     )
     UPDATE ${stage} s SET _mn = agg.n, _mid = CASE WHEN agg.n = 1 THEN agg.id END,
            _mver = agg.ver, _mst = agg.st
       FROM agg WHERE s._wave = ? AND s._k = agg.k`,
    [wave, scopeIds(tx, args, 'read'), wave],
  );
  const matched = Number(found.rowCount ?? 0);
  const inFile = columns.filter((c) => c.inFile);
  if (inFile.length && matched)
    await db.raw(
      `UPDATE ${stage} s SET ${inFile.map((c) => `${ident(c.o)} = x.${ident(c.column)}`).join(', ')}
         FROM ${table} x WHERE s._wave = ? AND x.id = s._mid`,
      [wave],
    );
  // Key problems join the row's other errors (without replacing an error already on the key field).
  const keyName = key.name;
  if (matched)
    await db.raw(
      `UPDATE ${stage} SET _pre = coalesce(_pre, '{}'::jsonb) ||
         CASE WHEN jsonb_exists(coalesce(_pre, '{}'::jsonb), ?) THEN '{}'::jsonb ELSE jsonb_build_object(?::text, _mn || ' records have this ' || ?::text || ': the key must be unique') END
       WHERE _wave = ? AND _mn > 1`,
      [keyName, keyName, keyName, wave],
    );
  if (keyName === 'id')
    await db.raw(
      `UPDATE ${stage} SET _pre = coalesce(_pre, '{}'::jsonb) ||
         CASE WHEN jsonb_exists(coalesce(_pre, '{}'::jsonb), 'id') THEN '{}'::jsonb ELSE '{"id": "No record with this id"}'::jsonb END
       WHERE _wave = ? AND _mid IS NULL AND _mn IS NULL AND _k IS NOT NULL`,
      [wave],
    );
  if (args.qa.access.rowFilter.update && matched)
    await db.raw(`UPDATE ${stage} SET _inscope = (_mid IN ?) WHERE _wave = ? AND _mid IS NOT NULL`, [
      scopeIds(tx, args, 'update'),
      wave,
    ]);
  return matched;
}

/** Each row's outcome before the table is consulted: file errors, then update refusals, then the checks. */
async function settleErrors(tx: TxCtx, args: StagedImportArgs, stage: string, wave: number) {
  const name = args.object.name;
  const update = args.qa.access.can.update;
  await tx.db.raw(
    `UPDATE ${stage} SET _err = CASE
       WHEN _pre IS NOT NULL THEN _pre
       WHEN _mid IS NOT NULL THEN CASE
         WHEN NOT ?::boolean THEN jsonb_build_object('_', ?::text)
         WHEN _inscope IS FALSE THEN jsonb_build_object('_', ?::text)
         WHEN _mst = 'pending' THEN jsonb_build_object('_', ?::text)
         ELSE _uerr END
       ELSE _cerr END
     WHERE _wave = ? AND (_pre IS NOT NULL OR _mid IS NOT NULL OR _cerr IS NOT NULL)`,
    [update, `You may not update ${name} records`, 'You may not update this record', recordLocked().message, wave],
  );
}

/**
 * Unique fields: a value held by another live record, or by an earlier row of the wave that will
 * be written, refuses the row on that field — as the unique index would refuse its insert.
 */
async function uniqueClashes(tx: TxCtx, args: StagedImportArgs, columns: Column[], stage: string, wave: number) {
  const table = tableRef(tx.schema, args.object.table);
  for (const c of columns.filter((x) => x.field.unique)) {
    const v = ident(c.v);
    // Updates write only the file's columns.
    const writes = c.inFile ? 'TRUE' : 's._mid IS NULL';
    const err = `jsonb_build_object(${literalText(c.field.name)}, '${UPDATE_CONFLICT}')`;
    await tx.db.raw(
      `UPDATE ${stage} s SET _err = ${err}
        WHERE s._wave = ? AND s._err IS NULL AND s.${v} IS NOT NULL AND ${writes}
          AND EXISTS (SELECT 1 FROM ${table} x WHERE x.${ident(c.column)} = s.${v} AND x.deleted_at IS NULL
                        AND x.id IS DISTINCT FROM s._mid)`,
      [wave],
    );
    await tx.db.raw(
      `UPDATE ${stage} s SET _err = ${err} FROM (
         SELECT _row, row_number() OVER (PARTITION BY ${v} ORDER BY _row) n FROM ${stage} s
          WHERE _wave = ? AND _err IS NULL AND ${v} IS NOT NULL AND ${writes}
       ) d WHERE s._row = d._row AND d.n > 1`,
      [wave],
    );
  }
}

/** A field name (a validated identifier) as a SQL text literal. */
function literalText(name: string): string {
  if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`invalid field name: ${name}`);
  return `'${name}'`;
}

async function insertWave(
  tx: TxCtx,
  args: StagedImportArgs,
  columns: Column[],
  stage: string,
  table: string,
  wave: number,
) {
  const owner = args.user;
  const createdBy = owner === null ? null : args.user;
  const cols = columns.map((c) => ident(c.column));
  const into = `INSERT INTO ${table} (id, ${cols.map((c) => `${c}, `).join('')}owner, created_by, updated_by, created_at, updated_at)
         SELECT s._new, ${columns.map((c) => `s.${ident(c.v)}, `).join('')}?::uuid, ?::uuid, ?::uuid, clock_timestamp(), clock_timestamp()
           FROM ${stage} s WHERE s._wave = ? AND ${INSERTED} ORDER BY s._row`;
  // The checks above left no clash with committed rows, so a plain insert is the usual case: it
  // costs a fifth less than ON CONFLICT's speculative insertion (which probes every unique index
  // before each row and again while inserting it). Only a concurrent writer of the same values makes
  // it fail; then the savepoint takes it back and the rows are written with ON CONFLICT below.
  try {
    await tx.db.transaction((sp) => sp.raw(into, [owner, createdBy, args.user, wave]));
    return;
  } catch (e) {
    if ((e as { code?: string }).code !== '23505') throw fromConstraint(e, args.object);
  }
  const wanted = Number(
    (await tx.db.raw(`SELECT count(*)::int n FROM ${stage} s WHERE s._wave = ? AND ${INSERTED}`, [wave])).rows[0].n,
  );
  if (!wanted) return;
  let done: number;
  try {
    const r = await tx.db.raw(
      `WITH ins AS (
         ${into}
         ON CONFLICT DO NOTHING RETURNING 1
       )
       SELECT count(*)::int n FROM ins`,
      [owner, createdBy, args.user, wave],
    );
    done = Number(r.rows[0].n);
  } catch (e) {
    throw fromConstraint(e, args.object);
  }
  if (done === wanted) return;
  // Rows another import wrote meanwhile (it committed first): refused like any unique clash.
  const unique =
    columns.find((c) => c.field.unique && (!args.key || c.field.name === args.key.name)) ??
    columns.find((c) => c.field.unique);
  await tx.db.raw(
    `UPDATE ${stage} s SET _err = jsonb_build_object(?::text, '${UPDATE_CONFLICT}')
      WHERE s._wave = ? AND ${INSERTED} AND NOT EXISTS (SELECT 1 FROM ${table} x WHERE x.id = s._new)`,
    [unique?.field.name ?? '_', wave],
  );
}

async function updateWave(
  tx: TxCtx,
  args: StagedImportArgs,
  columns: Column[],
  stage: string,
  table: string,
  wave: number,
) {
  const set = columns.filter((c) => c.inFile);
  if (set.length) {
    const changed = set.map((c) => `x.${ident(c.column)} IS DISTINCT FROM s.${ident(c.v)}`).join(' OR ');
    try {
      await tx.db.raw(
        `WITH upd AS (
           UPDATE ${table} x SET ${set.map((c) => `${ident(c.column)} = s.${ident(c.v)}`).join(', ')},
                  version = x.version + 1, updated_at = now(), updated_by = ?::uuid
             FROM ${stage} s
            WHERE s._wave = ? AND s._err IS NULL AND s._mid = x.id AND (${changed})
           RETURNING x.id, x.version
         )
         UPDATE ${stage} s SET _done = 'u', _ver = upd.version FROM upd WHERE s._wave = ? AND s._mid = upd.id`,
        [args.user, wave, wave],
      );
    } catch (e) {
      throw fromConstraint(e, args.object);
    }
  }
}

async function auditWave(
  tx: TxCtx,
  args: StagedImportArgs,
  columns: Column[],
  stage: string,
  wave: number,
  matched: boolean,
) {
  const { object } = args;
  const cause = tx.cause ? JSON.stringify(tx.cause) : null;
  const audit = tableRef(tx.schema, AUDIT_TABLE);
  // The inserted row is the staged values plus the system columns the insert set.
  const staged = new Map(columns.map((c) => [c.column, c]));
  const created: [string, string][] = [];
  for (const col of object.columns) {
    if (NOT_AUDITED.has(col)) continue;
    const c = staged.get(col);
    let value: string;
    if (c) value = `s.${ident(c.v)}`;
    else if (col === 'id') value = 's._new';
    else if (col === 'owner') value = '?::uuid';
    else if (col === 'approval_status') value = `'none'::text`;
    else continue;
    const json = col === 'owner' ? 'to_jsonb(?::uuid)' : jsonOf(c?.base ?? 'text', value);
    created.push([col, `CASE WHEN ${value} IS NULL THEN NULL ELSE jsonb_build_array(NULL, ${json}) END`]);
  }
  const ownerBindings = created.some(([col]) => col === 'owner') ? [args.user, args.user] : [];
  await tx.db.raw(
    `INSERT INTO ${audit} (object, record_id, action, user_id, changes, batch, cause)
     SELECT ?, s._new, 'create', ?::uuid, coalesce(s._aud, jsonb_strip_nulls(${buildObject(created)})), ?::uuid, ?::jsonb
       FROM ${stage} s WHERE s._wave = ? AND ${INSERTED} ORDER BY s._row`,
    [object.name, args.user, ...ownerBindings, args.id, cause, wave],
  );
  if (!args.key || !matched) return;
  const updated: [string, string][] = columns
    .filter((c) => c.inFile)
    .map((c) => {
      const o = `s.${ident(c.o)}`;
      const v = `s.${ident(c.v)}`;
      return [
        c.column,
        `CASE WHEN ${o} IS DISTINCT FROM ${v} THEN jsonb_build_array(${jsonOf(c.base, o)}, ${jsonOf(c.base, v)}) END`,
      ];
    });
  await tx.db.raw(
    `INSERT INTO ${audit} (object, record_id, action, user_id, changes, batch, cause)
     SELECT ?, s._mid, 'update', ?::uuid, jsonb_strip_nulls(${buildObject(updated)}), ?::uuid, ?::jsonb
       FROM ${stage} s WHERE s._wave = ? AND s._done = 'u' ORDER BY s._row`,
    [object.name, args.user, args.id, cause, wave],
  );
}

/** The import's journal (for its revert): created records, and changed ones with the values replaced. */
async function journalWave(
  tx: TxCtx,
  args: StagedImportArgs,
  columns: Column[],
  stage: string,
  wave: number,
  matched: boolean,
) {
  const journal = tableRef(tx.schema, SYSTEM_TABLE.importRows);
  const before = buildObject(
    columns
      .filter((c) => c.inFile)
      .map((c) => [c.field.name, `coalesce(${jsonOf(c.base, `s.${ident(c.o)}`)}, 'null'::jsonb)`]),
  );
  await tx.db.raw(
    `INSERT INTO ${journal} (import_id, record_id, action, version, before)
     SELECT ?::uuid, s._new, 'i', 1, NULL FROM ${stage} s WHERE s._wave = ? AND ${INSERTED}`,
    [args.id, wave],
  );
  if (!args.key || !matched) return;
  // A record met again by a later wave keeps its first entry (what it was before the import).
  await tx.db.raw(
    `INSERT INTO ${journal} (import_id, record_id, action, version, before)
     SELECT ?::uuid, s._mid, 'u', coalesce(s._ver, s._mver), ${before}
       FROM ${stage} s WHERE s._wave = ? AND s._err IS NULL AND s._mid IS NOT NULL
     ON CONFLICT (import_id, record_id) DO UPDATE SET version = excluded.version`,
    [args.id, wave],
  );
}

/** The records engine's after-write work for the created rows (none for objects without any). */
async function afterWorkWave(tx: TxCtx, args: StagedImportArgs, stage: string, table: string, wave: number) {
  const profile = args.createProfile;
  let work = profile.afterWork;
  if (!work && profile.webhooks) {
    const hooks = await tx.db.raw(
      `SELECT 1 FROM ${tableRef(tx.schema, SYSTEM_TABLE.webhooks)} WHERE object = ? AND active LIMIT 1`,
      [args.object.name],
    );
    work = hooks.rows.length > 0;
  }
  if (!work) return;
  let last = 0;
  for (;;) {
    const page = await tx.db.raw(
      `SELECT x.*, s._row AS _staged_row FROM ${stage} s JOIN ${table} x ON x.id = s._new
        WHERE s._wave = ? AND ${INSERTED} AND s._row > ? ORDER BY s._row LIMIT ?`,
      [wave, last, CHUNK],
    );
    const rows = page.rows as Record<string, unknown>[];
    if (!rows.length) return;
    last = Number(rows[rows.length - 1]?._staged_row);
    for (const r of rows) delete r._staged_row;
    await args.records.afterBulkWrites(
      tx,
      args.model,
      args.object,
      'create',
      rows.map((row) => ({ old: null, row })),
      args.id,
    );
  }
}
