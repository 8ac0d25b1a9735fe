/**
 * `npm run types -- --tenant <id> [--out file]`: writes TypeScript record types of a tenant's objects
 * for plugin authors, from the database the server uses or from a running server (see TYPES_USAGE).
 */
import fs from 'node:fs';
import path from 'node:path';
import { connectDb, createRuntime } from '@forma/runtime';
import { loadConfig } from '../config';
import { openDatabase } from '../db/open-database';
import { recordTypesForTenant } from './record-types-for-tenant';
import { parseTypesArgs, type TypesArgs } from './types-args';

async function fromDatabase(args: TypesArgs): Promise<string> {
  const database = await openDatabase(loadConfig());
  const runtime = createRuntime({ db: connectDb({ url: database.url, poolMax: 2 }) });
  try {
    return await recordTypesForTenant(runtime, args.tenant);
  } finally {
    await runtime.close();
    await database.close();
  }
}

async function fromServer(args: Extract<TypesArgs, { mode: 'http' }>): Promise<string> {
  const call = async (method: string, route: string, token?: string, body?: unknown) => {
    const res = await fetch(new URL(route, args.url), {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await res.json().catch(() => ({}))) as { error?: { message?: string } } & Record<string, unknown>;
    if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${json.error?.message ?? res.statusText}`);
    return json;
  };
  const token =
    args.token ??
    String(
      (
        await call('POST', '/api/auth/login', undefined, {
          tenant: args.tenant,
          email: args.email,
          password: args.password,
        })
      ).token,
    );
  return String((await call('GET', '/api/meta/types', token)).source);
}

try {
  const args = parseTypesArgs(process.argv.slice(2));
  const source = args.mode === 'http' ? await fromServer(args) : await fromDatabase(args);
  if (args.out) {
    const file = path.resolve(args.out);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, source);
    console.error(`wrote ${file}`);
  } else {
    process.stdout.write(source);
  }
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
}
