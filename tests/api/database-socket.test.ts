/**
 * The embedded PostgreSQL is reached through its Unix socket (loopback TCP costs each statement about
 * twice the CPU on both sides); TCP on 127.0.0.1 stays open for tools that take a host and port.
 */
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';

const url = inject('databaseUrl');

async function serverAddress(connection: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: connection });
  await client.connect();
  try {
    return (await client.query<{ a: string | null }>('select inet_server_addr()::text as a')).rows[0]?.a ?? null;
  } finally {
    await client.end();
  }
}

describe.skipIf(Boolean(process.env.DATABASE_URL))('embedded PostgreSQL connection', () => {
  it('goes through the Unix socket, and TCP still answers', async () => {
    expect(new URL(url).searchParams.get('host')).toMatch(/forma-pg-/);
    // inet_server_addr() is null on a Unix-socket connection.
    expect(await serverAddress(url)).toBeNull();
    const tcp = new URL(url);
    tcp.search = '';
    expect(await serverAddress(tcp.toString())).toBe('127.0.0.1/32');
  });
});
