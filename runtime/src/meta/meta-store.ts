import type { MetadataDocument } from '@forma/metadata';
import type { Knex } from 'knex';
import { advisoryKey } from '../db/advisory-lock';
import { EMPTY_DOCUMENT } from '../model/load-model';
import { SYSTEM_TABLE } from '../model/naming';

type Db = Knex | Knex.Transaction;

export interface VersionRow {
  version: number;
  document: MetadataDocument;
  plan: unknown;
  summary: unknown;
  author: string | null;
  author_name: string | null;
  source: string;
  created_at: Date;
}

export type HistoryEntry = {
  version: number;
  at: Date;
  author: { id: string | null; name: string | null };
  source: string;
  summary: unknown;
  plan: unknown;
};

export interface TemplateLayerRow {
  name: string;
  version: string;
  document: MetadataDocument;
}

/** The `_meta_*` tables of a tenant schema; the only SQL the metadata service runs besides DDL. */
export const metaStore = {
  async currentVersion(db: Db, schema: string): Promise<number> {
    const row = await db.withSchema(schema).from(SYSTEM_TABLE.metaState).first('version');
    return row?.version ?? 0;
  },

  async document(db: Db, schema: string, version: number): Promise<MetadataDocument> {
    if (version === 0) return EMPTY_DOCUMENT;
    const row = await db.withSchema(schema).from(SYSTEM_TABLE.metaVersions).where({ version }).first('document');
    if (!row) throw new Error(`metadata version ${version} is missing`);
    return row.document as MetadataDocument;
  },

  /**
   * Serializes metadata changes of one tenant across every server process, until the transaction
   * ends. Waits as long as the other change takes (bounded by the statement timeout).
   */
  async lock(trx: Knex.Transaction, tenant: string): Promise<void> {
    await trx.raw('select pg_advisory_xact_lock(?)', [advisoryKey(`meta:${tenant}`)]);
  },

  async insertVersion(
    trx: Knex.Transaction,
    schema: string,
    row: Omit<VersionRow, 'created_at'> & { created_at: Date },
  ): Promise<void> {
    await trx
      .withSchema(schema)
      .insert({
        ...row,
        document: JSON.stringify(row.document),
        plan: JSON.stringify(row.plan),
        summary: JSON.stringify(row.summary),
      })
      .into(SYSTEM_TABLE.metaVersions);
    await trx.withSchema(schema).from(SYSTEM_TABLE.metaState).update({ version: row.version });
  },

  async history(db: Db, schema: string, opts: { limit: number; before?: number }): Promise<HistoryEntry[]> {
    const q = db
      .withSchema(schema)
      .from(SYSTEM_TABLE.metaVersions)
      .select('version', 'plan', 'summary', 'author', 'author_name', 'source', 'created_at')
      .orderBy('version', 'desc')
      .limit(opts.limit);
    if (opts.before !== undefined) q.where('version', '<', opts.before);
    const rows: Omit<VersionRow, 'document'>[] = await q;
    return rows.map((r) => ({
      version: r.version,
      at: r.created_at,
      author: { id: r.author, name: r.author_name },
      source: r.source,
      summary: r.summary,
      plan: r.plan,
    }));
  },

  /** One version with its document (for review and revert); undefined when there is no such version. */
  async entry(
    db: Db,
    schema: string,
    version: number,
  ): Promise<(HistoryEntry & { document: MetadataDocument }) | undefined> {
    const r: VersionRow | undefined = await db
      .withSchema(schema)
      .from(SYSTEM_TABLE.metaVersions)
      .where({ version })
      .first('version', 'document', 'plan', 'summary', 'author', 'author_name', 'source', 'created_at');
    if (!r) return undefined;
    return {
      version: r.version,
      at: r.created_at,
      author: { id: r.author, name: r.author_name },
      source: r.source,
      summary: r.summary,
      plan: r.plan,
      document: r.document,
    };
  },

  async templateLayers(db: Db, schema: string): Promise<TemplateLayerRow[]> {
    return db.withSchema(schema).from(SYSTEM_TABLE.metaTemplates).select('name', 'version', 'document').orderBy('name');
  },

  /** Which templates the tenant has applied: name, version and when. */
  async appliedTemplates(db: Db, schema: string): Promise<Array<{ name: string; version: string; applied_at: Date }>> {
    return db.withSchema(schema).from(SYSTEM_TABLE.metaTemplates).select('name', 'version', 'applied_at');
  },

  async saveTemplateLayer(
    trx: Knex.Transaction,
    schema: string,
    layer: TemplateLayerRow & { applied_by: string | null },
  ): Promise<void> {
    await trx
      .withSchema(schema)
      .insert({ ...layer, document: JSON.stringify(layer.document), applied_at: trx.fn.now() })
      .into(SYSTEM_TABLE.metaTemplates)
      .onConflict('name')
      .merge();
  },

  /** Which of these tables hold at least one row (decides in-transaction vs concurrent index builds). */
  async tablesWithRows(db: Db, schema: string, tables: readonly string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (const table of tables) {
      const r = await db.raw('select exists (select 1 from ??.??) as has', [schema, table]);
      if (r.rows[0]?.has) out.add(table);
    }
    return out;
  },
};
