import { describe, expect, it } from 'vitest';
import { parseTypesArgs } from './types-args';

describe('npm run types arguments', () => {
  it('reads the database by default', () => {
    expect(parseTypesArgs(['--tenant', 'acme'])).toEqual({ mode: 'database', tenant: 'acme' });
    expect(parseTypesArgs(['--tenant', 'acme', '--out', 'types/records.d.ts'])).toEqual({
      mode: 'database',
      tenant: 'acme',
      out: 'types/records.d.ts',
    });
  });

  it('asks a server with a token or a login', () => {
    expect(parseTypesArgs(['--url', 'http://localhost:3000', '--tenant', 'acme', '--token', 't'])).toMatchObject({
      mode: 'http',
      token: 't',
    });
    expect(
      parseTypesArgs(['--url', 'http://x', '--tenant', 'a', '--email', 'e@x.test', '--password', 'p']),
    ).toMatchObject({ mode: 'http', email: 'e@x.test', password: 'p' });
  });

  it('refuses what it cannot use, with the usage', () => {
    expect(() => parseTypesArgs([])).toThrow(/Usage/);
    expect(() => parseTypesArgs(['--tenant'])).toThrow(/Usage/);
    expect(() => parseTypesArgs(['--tenant', 'a', '--bogus'])).toThrow(/Usage/);
    expect(() => parseTypesArgs(['--tenant', 'a', '--token', 't'])).toThrow(/--token needs --url/);
    expect(() => parseTypesArgs(['--tenant', 'a', '--url', 'http://x'])).toThrow(/needs --token/);
    expect(() => parseTypesArgs(['--help'])).toThrow(/Usage/);
  });
});
