/**
 * Inserts a template's sample data through the same services users go through (validation,
 * scripts, formulas, autonumbers, audit), so sample records are indistinguishable from real ones.
 *
 * Shape of `sampleData` (documented in docs/plugins.md):
 * - `users`: `[{_key, email, name, password, roles?, manager?: "@<user key>"}]`, created first
 *   (skipped when the e-mail already exists, so re-applying a template does not fail);
 * - `<object>`: rows in insertion order; `_key` names a row for later references, `_owner:
 *   "@<user key>"` makes that user the owner, and any lookup value `"@<key>"` (also inside line
 *   items) becomes the id of the row or user with that key;
 * - dates relative to the moment the data is loaded (the runtime clock), so a tenant created any day
 *   has today's reminders and receivables of every age: `"$today"`, `"$today-30"`, `"$today+20"`,
 *   `"$today-6m"` (months), `"$today-30y"` (years) in date fields, `"$now"`, `"$now-2h"`, `"$now+90m"`, `"$now-3d"` in date-time fields;
 * - `_volume: true` marks a row (or user) as bulk data: loaded unless the runtime is configured with
 *   `sampleData.volume: "story"`, which keeps only the named records (quick tenants for tests). Bulk
 *   rows may refer to story rows, never the other way round;
 * - `_then: [changes…]`: updates of the row, in order, right after its batch is created, and
 *   `_finally: [changes…]` after every object is loaded — a document that follows its path (an
 *   order saved as a draft with its lines, then confirmed; delivered once its delivery notes are
 *   posted) instead of being created in a status its rules refuse at creation. Each is a plain
 *   update (references and relative dates resolved), so the template's rules judge every step.
 */
import type { Clock } from '../clock';
import type { Ctx } from '../ctx';
import { validationFailed } from '../errors';
import type { MetaService } from '../meta/meta-service';
import type { Model } from '../model/load-model';
import type { NewUser } from '../users/user-service';
import type { SampleDataOutcome, TemplateDefinition } from './template-registry';

type Row = Record<string, unknown>;

export interface SampleDataDeps {
  meta: Pick<MetaService, 'model'>;
  records: {
    createMany(
      ctx: Ctx,
      object: string,
      rows: readonly unknown[],
      opts?: { owner?: string },
    ): Promise<{ created: Row[]; failed: Array<{ row: number; errors: Record<string, string> }> }>;
    /** Needed only by rows with `_then` / `_finally` steps. */
    update?(ctx: Ctx, object: string, id: string, changes: unknown): Promise<unknown>;
  };
  users: {
    insert(ctx: Ctx, input: NewUser): Promise<{ id: string }>;
    list?(ctx: Ctx): Promise<Array<{ id?: string | undefined; email?: string | undefined }>>;
  };
  /** "Now" for relative dates (default: the system time). */
  clock?: Clock;
  /** `story` skips rows marked `_volume` (default `full`). */
  volume?: 'full' | 'story';
}

const REF = /^@([A-Za-z0-9_.-]{1,100})$/;
const TODAY = /^\$today(?:([+-])(\d{1,5})([dmy]?))?$/;
const NOW = /^\$now(?:([+-])(\d{1,6})([mhd]))?$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function sampleDataLoader(deps: SampleDataDeps) {
  return async (ctx: Ctx, template: TemplateDefinition): Promise<SampleDataOutcome> => {
    const all = (template.sampleData ?? {}) as Record<string, Row[]>;
    const data =
      deps.volume === 'story'
        ? Object.fromEntries(Object.entries(all).map(([k, rows]) => [k, rows.filter((r) => !r._volume)]))
        : all;
    const now = (deps.clock?.now() ?? new Date()).getTime();
    const keys = new Map<string, string>();
    const outcome: SampleDataOutcome = { users: [], records: 0 };
    const existing = new Map(
      ((await deps.users.list?.(ctx)) ?? []).flatMap((u) =>
        u.email && u.id ? [[u.email.toLowerCase(), u.id] as const] : [],
      ),
    );
    for (const u of data.users ?? []) {
      const { _key, _volume, manager, ...rest } = u as Row & { _key?: string; manager?: string };
      let id = existing.get(String(rest.email).toLowerCase());
      if (!id) {
        const input = rest as unknown as NewUser;
        id = (
          await deps.users.insert(ctx, { ...input, ...(manager ? { manager: resolve(manager, keys, 'users') } : {}) })
        ).id;
        outcome.users.push({
          name: input.name,
          email: input.email,
          password: input.password,
          roles: input.roles ?? [],
        });
      }
      if (_key) keys.set(_key, id);
    }
    const model = await deps.meta.model(ctx);
    const later: Step[] = [];
    const run = async (steps: Step[]) => {
      for (const s of steps) {
        if (!deps.records.update) throw new Error('Sample data with _then/_finally steps needs records.update');
        const changes = resolveRow(model, s.object, s.changes, keys, now);
        try {
          await deps.records.update(ctx, s.object, s.id, changes);
        } catch (e) {
          const fields = (e as { fields?: Record<string, string> }).fields;
          // The refusal's own words: a template author needs to know which rule said no.
          const why = (e as Error)?.message ? `: ${(e as Error).message}` : '';
          throw validationFailed(
            `Sample ${s.object} #${s.at} of template ${template.name}: a later step ${JSON.stringify(s.changes)} is refused${why}`,
            fields,
          );
        }
      }
    };
    for (const [object, rows] of Object.entries(data)) {
      if (object === 'users') continue;
      // One batch per run of rows with the same owner; a row referring to a key of its own batch
      // starts a new one, so references always point at rows already inserted.
      let batch: Array<{ i: number; key?: string | undefined; row: Row; next?: Row[]; last?: Row[] }> = [];
      let batchOwner: string | undefined;
      const flush = async () => {
        if (!batch.length) return;
        const payloads = batch.map((b) => resolveRow(model, object, b.row, keys, now));
        const { created, failed } = await deps.records.createMany(
          ctx,
          object,
          payloads,
          batchOwner ? { owner: batchOwner } : {},
        );
        if (failed.length || created.length !== batch.length) {
          const at = batch[failed[0]?.row ?? 0]?.i ?? 0;
          throw validationFailed(`Sample ${object} #${at} of template ${template.name} is invalid`, failed[0]?.errors);
        }
        const next: Step[] = [];
        for (const [k, b] of batch.entries()) {
          const id = String(created[k]!.id);
          if (b.key) keys.set(b.key, id);
          for (const changes of b.next ?? []) next.push({ object, id, at: b.i, changes });
          for (const changes of b.last ?? []) later.push({ object, id, at: b.i, changes });
        }
        outcome.records += created.length;
        batch = [];
        await run(next);
      };
      for (const [i, raw] of rows.entries()) {
        const { _key, _owner, _volume, _then, _finally, ...row } = raw as Row & {
          _key?: string;
          _owner?: string;
          _then?: Row[];
          _finally?: Row[];
        };
        const owner = typeof _owner === 'string' ? resolve(_owner, keys, `${object}[${i}]._owner`) : undefined;
        const pending = new Set(batch.map((b) => b.key).filter(Boolean));
        if (owner !== batchOwner || refersTo(row, pending)) await flush();
        batchOwner = owner;
        batch.push({ i, key: _key, row, next: _then, last: _finally });
      }
      await flush();
    }
    await run(later);
    return outcome;
  };
}

type Step = { object: string; id: string; at: number; changes: Row };

function refersTo(value: unknown, keys: Set<string | undefined>): boolean {
  if (!keys.size) return false;
  if (typeof value === 'string') return keys.has(REF.exec(value)?.[1]);
  if (Array.isArray(value)) return value.some((v) => refersTo(v, keys));
  if (value && typeof value === 'object') return Object.values(value).some((v) => refersTo(v, keys));
  return false;
}

/**
 * Replaces `"@key"` references in the lookup fields of a row and of its line items, and relative
 * dates in its date and date-time fields.
 */
function resolveRow(model: Model, objectName: string, row: Row, keys: Map<string, string>, now: number): Row {
  const object = model.object(objectName);
  const out: Row = {};
  for (const [name, value] of Object.entries(row)) {
    const field = object.fields.get(name);
    if (field?.children && Array.isArray(value)) {
      out[name] = value.map((child) => resolveRow(model, field.children!.object, child as Row, keys, now));
    } else if (field?.ref && typeof value === 'string' && REF.test(value)) {
      out[name] = resolve(value, keys, `${objectName}.${name}`);
    } else if (field?.kind === 'date' && typeof value === 'string' && TODAY.test(value)) {
      const [, sign, n, unit] = TODAY.exec(value)!;
      const by = n ? Number(n) * (sign === '-' ? -1 : 1) : 0;
      const d = new Date(now);
      if (unit === 'y') d.setUTCFullYear(d.getUTCFullYear() + by);
      else if (unit === 'm') d.setUTCMonth(d.getUTCMonth() + by);
      else d.setUTCDate(d.getUTCDate() + by);
      out[name] = d.toISOString().slice(0, 10);
    } else if (field?.kind === 'datetime' && typeof value === 'string' && NOW.test(value)) {
      const [, sign, n, unit] = NOW.exec(value)!;
      const ms = n ? Number(n) * UNIT_MS[unit as keyof typeof UNIT_MS] * (sign === '-' ? -1 : 1) : 0;
      out[name] = new Date(now + ms).toISOString();
    } else {
      out[name] = value;
    }
  }
  return out;
}

function resolve(ref: string, keys: Map<string, string>, where: string): string {
  const m = REF.exec(ref);
  const id = m ? keys.get(m[1]!) : undefined;
  if (!id) throw validationFailed(`Sample data: ${where} refers to ${ref}, which is not defined before it`);
  return id;
}
