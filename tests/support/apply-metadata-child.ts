/**
 * A server process reduced to one metadata change, for tests that kill it mid-way (the index phase
 * after commit): `FORMA_TENANT`, `FORMA_SECTION`, `FORMA_NAME`, `FORMA_ITEM` (JSON) over
 * `DATABASE_URL`. Prints "applied" and exits when the change and its index phase are done.
 */
import { connectDb, createRuntime } from '@forma/runtime';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};

const db = connectDb({ url: env('DATABASE_URL'), poolMax: 3 });
const runtime = createRuntime({ db });
const ctx = runtime.tenants.bootstrapCtx(env('FORMA_TENANT'));
await runtime.meta.put(ctx, env('FORMA_SECTION') as 'objects', env('FORMA_NAME'), JSON.parse(env('FORMA_ITEM')));
console.log('applied');
await runtime.close();
