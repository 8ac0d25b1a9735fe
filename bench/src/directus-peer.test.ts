import { describe, expect, it } from 'vitest';
import {
  directusFields,
  directusListPath,
  directusReadPath,
  directusRow,
  type PgColumn,
  parseEnvFile,
  peerDatabaseUrl,
  peerSetupScript,
} from './directus-peer';
import type { LoadStats } from './load';

const col = (column_name: string, data_type: string, more: Partial<PgColumn> = {}): PgColumn => ({
  column_name,
  data_type,
  character_maximum_length: null,
  numeric_precision: null,
  numeric_scale: null,
  is_nullable: 'YES',
  ...more,
});

const load = (rps: number, p50Ms: number, more: Partial<LoadStats> = {}): LoadStats => ({
  requests: rps * 10,
  errors: 0,
  refused: 0,
  p50Ms,
  p99Ms: p50Ms * 2,
  maxMs: p50Ms * 3,
  rps,
  ...more,
});

describe('Directus copy of the deal table', () => {
  it('maps every column to the Directus type PostgreSQL gives back the same', () => {
    const fields = directusFields([
      col('id', 'uuid', { is_nullable: 'NO' }),
      col('owner', 'uuid'),
      col('created_at', 'timestamp with time zone', { is_nullable: 'NO' }),
      col('version', 'integer', { is_nullable: 'NO' }),
      col('approval_status', 'text', { is_nullable: 'NO' }),
      col('name', 'character varying', { character_maximum_length: 200, is_nullable: 'NO' }),
      col('amount', 'numeric', { numeric_precision: 18, numeric_scale: 2 }),
      col('stage', 'character varying', { character_maximum_length: 20 }),
      col('big', 'bigint'),
      col('flag', 'boolean'),
      col('day', 'date'),
      col('doc', 'jsonb'),
    ]);
    expect(fields.map((f) => [f.field, f.type])).toEqual([
      ['id', 'uuid'],
      ['owner', 'uuid'],
      ['created_at', 'timestamp'],
      ['version', 'integer'],
      ['approval_status', 'text'],
      ['name', 'string'],
      ['amount', 'decimal'],
      ['stage', 'string'],
      ['big', 'bigInteger'],
      ['flag', 'boolean'],
      ['day', 'date'],
      ['doc', 'json'],
    ]);
    const by = Object.fromEntries(fields.map((f) => [f.field, f]));
    expect(by.id?.schema).toEqual({ is_primary_key: true, is_nullable: false });
    expect(by.amount?.schema).toEqual({ is_nullable: true, is_indexed: true, numeric_precision: 18, numeric_scale: 2 });
    expect(by.stage?.schema).toEqual({ is_nullable: true, is_indexed: true, max_length: 20 });
    expect(by.name?.schema).toEqual({ is_nullable: false, max_length: 200 });
    expect(by.owner?.schema).toEqual({ is_nullable: true });
  });

  it('refuses a column it cannot copy exactly, rather than a page that differs', () => {
    expect(() => directusFields([col('id', 'bigint')])).toThrow(/id is bigint, expected uuid/);
    expect(() => directusFields([col('where', 'point')])).toThrow(/no Directus type for where \(point\)/);
    expect(() => directusFields([col('amount', 'numeric')])).toThrow(/numeric without precision/);
  });
});

describe('Directus requests', () => {
  it('asks for the page Forma serves: won, live, −amount with id breaking ties, 50', () => {
    const url = new URL(`http://peer${directusListPath(50)}`);
    expect(url.pathname).toBe('/items/forma_deals');
    expect(JSON.parse(url.searchParams.get('filter') ?? '')).toEqual({
      _and: [{ stage: { _eq: 'won' } }, { deleted_at: { _null: true } }],
    });
    expect(url.searchParams.get('sort')).toBe('-amount,id');
    expect(url.searchParams.get('limit')).toBe('50');
    expect(directusReadPath('0b7f0a4e-1111-4222-8333-944445555666')).toBe(
      '/items/forma_deals/0b7f0a4e-1111-4222-8333-944445555666',
    );
    expect(directusReadPath('../users')).toBe('/items/forma_deals/..%2Fusers');
  });

  it("reads the peer's .env and builds its database URL, defaults where a key is missing", () => {
    const env = parseEnvFile(
      '# comment\nPUBLIC_URL=http://127.0.0.1:8055\nADMIN_TOKEN=abc=def\n\nDB_PASSWORD="p@ss"\n',
    );
    expect(env).toEqual({ PUBLIC_URL: 'http://127.0.0.1:8055', ADMIN_TOKEN: 'abc=def', DB_PASSWORD: 'p@ss' });
    expect(peerDatabaseUrl(env)).toBe('postgres://directus:p%40ss@127.0.0.1:55432/directus_peer');
    expect(peerDatabaseUrl({ DB_HOST: 'h', DB_PORT: '1', DB_DATABASE: 'd', DB_USER: 'u', DB_PASSWORD: 'p' })).toBe(
      'postgres://u:p@h:1/d',
    );
  });
});

describe("the peer's setup script", () => {
  const at =
    (...files: string[]) =>
    (f: string) =>
      files.includes(f);

  it('is found beside the clone, or beside a folder above it (a worktree)', () => {
    expect(peerSetupScript('/home/dev/forma/', undefined, at('/home/dev/shared/peers/directus/setup.sh'))).toBe(
      '/home/dev/shared/peers/directus/setup.sh',
    );
    expect(peerSetupScript('/home/dev/trees/x', undefined, at('/home/dev/shared/peers/directus/setup.sh'))).toBe(
      '/home/dev/shared/peers/directus/setup.sh',
    );
    expect(peerSetupScript('/home/dev/trees/x', undefined, at())).toBeUndefined();
  });

  it('is only looked for where BENCH_DIRECTUS_PEER says, when it says', () => {
    const both = at('/home/dev/shared/peers/directus/setup.sh', '/opt/peer/setup.sh');
    expect(peerSetupScript('/home/dev/forma', '/opt/peer', both)).toBe('/opt/peer/setup.sh');
    expect(peerSetupScript('/home/dev/forma', '/opt/elsewhere', both)).toBeUndefined();
  });
});

describe('the Directus row', () => {
  const params = { rows: 100000 };

  it('side by side: Forma and the floor as multiples of Directus, page sizes of all three, recorded not a target', () => {
    const row = directusRow('list-admin vs Directus', params, 'list', {
      forma: load(600, 12),
      floor: load(800, 9),
      directus: load(200, 48, { cpuMsPerRequest: 4.5 }),
      version: '11.3.5',
      bytes: { forma: 33_000, floor: 32_100, directus: 36_550 },
    });
    expect(row.figure).toBe(3);
    expect(row.figureText).toBe("req/s: Forma 3×, floor 4× Directus; Directus p50 4× Forma's, 5.33× the floor's");
    expect(row.target).toBe('recorded (the floor row is the target)');
    expect(row.pass).toBe(true);
    expect(row.measured).toContain('page: Forma 33 KB, floor 32.1 KB');
    expect(row.baseline).toContain('Directus 11.3.5 side by side, same rows and columns (forma_deals)');
    expect(row.baseline).toContain('server CPU 4.5 ms/request, page 36.6 KB');
    expect(row.extra).toMatchObject({
      directusBytes: 36_550,
      directusRps: 200,
      floorRpsMultiple: 4,
      formaRpsMultiple: 3,
    });
  });

  it("shows the refusals of Directus' pressure limiter beside its figures", () => {
    const row = directusRow('list-admin vs Directus', params, 'list', {
      forma: load(600, 12),
      floor: load(800, 9),
      directus: load(150, 60, { refused: 25 }),
      version: '11.3.5',
      bytes: { forma: 33_000, floor: 32_100, directus: 36_550 },
    });
    expect(row.baseline).toContain('p50 60 ms, p99 120 ms, 150/s (answered; 25 refused 503 by its pressure limiter)');
    expect(row.extra).toMatchObject({ directusRefused: 25 });
  });

  it('without a peer: the recorded figure, and the row says it is not the same data', () => {
    const row = directusRow('read-by-id vs Directus', params, 'read', {
      forma: load(1656, 5),
      floor: load(2070, 4),
      bytes: { forma: 700, floor: 650 },
    });
    expect(row.figureText).toBe('Forma 8×, floor 10× Directus req/s');
    expect(row.baseline).toMatch(
      /^Directus 11\.3\.5, recorded run on its own 7-column `deals` table \(not the same data\): 207\/s; no peer/,
    );
    expect(row.measured).toContain('record: Forma 0.7 KB, floor 0.7 KB');
    expect(row.raw).toBeUndefined();
    expect(row.pass).toBe(true);
  });
});
