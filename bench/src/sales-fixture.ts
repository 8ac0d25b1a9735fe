import pg from 'pg';
import { tableOf, tenantSchema } from '../../runtime/src/model/naming';
import { type BenchEnv, createTenant, login, type Session } from './bench-env';

/**
 * The data set of the list workloads (list-admin, list-scoped, deep-page, expand): `deals` deals
 * with five lookups, owned by reps under managers under one director, seeded with SQL and a fixed
 * seed (seeding through the API would measure the API).
 */
export interface SalesFixture {
  tenant: string;
  schema: string;
  admin: Session;
  /** Holds the `scoped` role: `subordinates` read scope (every deal, through two levels) and two hidden fields. */
  director: Session;
  deals: number;
  /** Lookup fields of `deal`, in the order the expand workload uses them. */
  lookups: string[];
}

export const LOOKUPS = ['account', 'contact', 'partner', 'referrer', 'campaign'];
export const HIDDEN = ['discount', 'margin'];

export async function seedSales(
  env: BenchEnv,
  opts: { tenant?: string; deals: number; seed?: number; managers?: number; repsPerManager?: number },
): Promise<SalesFixture> {
  const tenant = opts.tenant ?? 'bench_sales';
  const admin = await createTenant(env, tenant);
  const schema = tenantSchema(tenant);
  const name = { type: 'string', maxLength: 200 };
  const ref = (target: string) => ({ type: 'string', format: 'uuid', 'x-ref': target });
  for (const [object, properties] of [
    ['account', { name, industry: { type: 'string', maxLength: 80 } }],
    ['contact', { name, email: { type: 'string', maxLength: 200 } }],
    ['campaign', { name }],
  ] as const)
    await admin.ok('PUT', `/api/meta/objects/${object}`, { title: object, type: 'object', properties });
  await admin.ok('PUT', '/api/meta/objects/deal', {
    title: 'Deal',
    type: 'object',
    properties: {
      name,
      // Indexed like the Directus peer's table, so both lists (and their raw twins) can use an index.
      amount: { type: 'number', minimum: 0, 'x-kind': 'currency', 'x-index': true },
      stage: { type: 'string', enum: ['new', 'won', 'lost'], default: 'new', 'x-index': true },
      discount: { type: 'number', minimum: 0, maximum: 100 },
      margin: { type: 'number' },
      account: ref('account'),
      contact: ref('contact'),
      partner: ref('account'),
      referrer: ref('contact'),
      campaign: ref('campaign'),
    },
    required: ['name'],
  });
  await admin.ok('PUT', '/api/meta/roles/scoped', {
    objects: {
      deal: { read: 'subordinates', fields: Object.fromEntries(HIDDEN.map((f) => [f, 'none'])) },
      account: { read: 'all' },
      contact: { read: 'all' },
      campaign: { read: 'all' },
    },
  });
  const user = async (label: string, manager?: string) =>
    (
      await admin.ok<{ id: string }>('POST', '/api/users', {
        email: `${label}@${tenant}.test`,
        name: label,
        password: 'bench password 123',
        roles: ['scoped'],
        ...(manager ? { manager } : {}),
      })
    ).id;
  const directorId = await user('director');
  const reps: string[] = [];
  for (let m = 0; m < (opts.managers ?? 4); m++) {
    const manager = await user(`manager-${m}`, directorId);
    for (let r = 0; r < (opts.repsPerManager ?? 5); r++) reps.push(await user(`rep-${m}-${r}`, manager));
  }
  const director = await login(env, tenant, `director@${tenant}.test`);

  const q = (s: string) => `${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(s)}`;
  const client = await env.pool.connect();
  try {
    await client.query('select setseed($1)', [opts.seed ?? 0.42]);
    const by = admin.userId;
    const audit = 'owner, created_by, updated_by';
    await client.query(
      `insert into ${q(tableOf('account'))} (name, industry, ${audit})
       select 'Account ' || i, (array['tech','retail','energy'])[1 + i % 3], $1, $1, $1 from generate_series(1, 1000) i`,
      [by],
    );
    await client.query(
      `insert into ${q(tableOf('contact'))} (name, email, ${audit})
       select 'Contact ' || i, 'c' || i || '@example.test', $1, $1, $1 from generate_series(1, 1000) i`,
      [by],
    );
    await client.query(
      `insert into ${q(tableOf('campaign'))} (name, ${audit})
       select 'Campaign ' || i, $1, $1, $1 from generate_series(1, 100) i`,
      [by],
    );
    await client.query(
      `with a as (select array_agg(id order by name) ids from ${q(tableOf('account'))}),
            c as (select array_agg(id order by name) ids from ${q(tableOf('contact'))}),
            k as (select array_agg(id order by name) ids from ${q(tableOf('campaign'))})
       insert into ${q(tableOf('deal'))}
         (name, amount, stage, discount, margin, account, contact, partner, referrer, campaign, owner, created_by, updated_by)
       select 'Deal ' || i, round((random() * 100000)::numeric, 2), (array['new','won','lost'])[1 + floor(random() * 3)::int],
              floor(random() * 30), round((random() * 50)::numeric, 1),
              a.ids[1 + floor(random() * 1000)::int], c.ids[1 + floor(random() * 1000)::int],
              a.ids[1 + floor(random() * 1000)::int], c.ids[1 + floor(random() * 1000)::int],
              k.ids[1 + floor(random() * 100)::int],
              o.owner, $2::uuid, $2::uuid
       from generate_series(1, $1::int) i, a, c, k,
            lateral (select ($3::uuid[])[1 + (i % $4::int)] as owner) o`,
      [opts.deals, by, reps, reps.length],
    );
    for (const object of ['account', 'contact', 'campaign', 'deal'])
      await client.query(`analyze ${q(tableOf(object))}`);
  } finally {
    client.release();
  }
  return { tenant, schema, admin, director, deals: opts.deals, lookups: LOOKUPS };
}
