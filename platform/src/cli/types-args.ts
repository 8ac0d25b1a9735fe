import { parseArgs } from 'node:util';

export type TypesArgs =
  | { mode: 'database'; tenant: string; out?: string }
  | { mode: 'http'; tenant: string; out?: string; url: string; token?: string; email?: string; password?: string };

export const TYPES_USAGE = `Usage:
  npm run types -- --tenant <id> [--out <file>]
      reads the database the server uses (DATABASE_URL, else the embedded cluster in DATA_DIR)
  npm run types -- --url <server> --tenant <id> (--token <token> | --email <e> --password <p>) [--out <file>]
      asks a running server (GET /api/meta/types) as a tenant admin
Without --out the declarations go to standard output.`;

/** Parses `npm run types` arguments; throws an Error with the usage on anything it cannot use. */
export function parseTypesArgs(argv: readonly string[]): TypesArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        tenant: { type: 'string' },
        out: { type: 'string' },
        url: { type: 'string' },
        token: { type: 'string' },
        email: { type: 'string' },
        password: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${TYPES_USAGE}`);
  }
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const tenant = str('tenant');
  if (values.help || !tenant) throw new Error(TYPES_USAGE);
  const out = str('out');
  const url = str('url');
  if (!url) {
    for (const k of ['token', 'email', 'password'])
      if (values[k] !== undefined) throw new Error(`--${k} needs --url\n${TYPES_USAGE}`);
    return { mode: 'database', tenant, ...(out ? { out } : {}) };
  }
  const token = str('token');
  const email = str('email');
  const password = str('password');
  if (!token && !(email && password)) throw new Error(`--url needs --token, or --email and --password\n${TYPES_USAGE}`);
  return {
    mode: 'http',
    tenant,
    url,
    ...(out ? { out } : {}),
    ...(token ? { token } : {}),
    ...(email ? { email } : {}),
    ...(password ? { password } : {}),
  };
}
