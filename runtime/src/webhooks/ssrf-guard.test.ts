import { describe, expect, it } from 'vitest';
import { embeddedV4, isRefusedAddress, type Resolver, resolveDestination } from './ssrf-guard';

/** Pure checks: nothing here resolves a real name or opens a connection. */
describe('isRefusedAddress', () => {
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fd00:ec2::254',
    'fc00::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:169.254.169.254',
    '::ffff:10.0.0.1',
    '64:ff9b::a00:1',
    '2002:c0a8:101::1',
    '::127.0.0.1',
    'not an address',
  ])('refuses %s', (address) => {
    expect(isRefusedAddress(address)).toBe(true);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])(
    'lets %s through',
    (address) => {
      expect(isRefusedAddress(address)).toBe(false);
    },
  );

  it('lets only the allowed networks through', () => {
    expect(isRefusedAddress('127.0.0.1', ['127.0.0.1/32'])).toBe(false);
    expect(isRefusedAddress('::ffff:127.0.0.1', ['127.0.0.1/32'])).toBe(false);
    expect(isRefusedAddress('127.0.0.2', ['127.0.0.1/32'])).toBe(true);
    expect(isRefusedAddress('10.0.0.1', ['127.0.0.1/32'])).toBe(true);
    expect(isRefusedAddress('fd12::1', ['fd12::/16'])).toBe(false);
  });

  it('reads the IPv4 address inside IPv6 forms', () => {
    expect(embeddedV4('::ffff:7f00:1')).toBe('127.0.0.1');
    expect(embeddedV4('::ffff:192.168.0.1')).toBe('192.168.0.1');
    expect(embeddedV4('64:ff9b::a9fe:a9fe')).toBe('169.254.169.254');
    expect(embeddedV4('2606:4700::1')).toBeUndefined();
  });
});

describe('resolveDestination', () => {
  const resolver =
    (addresses: string[]): Resolver =>
    async () =>
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

  it('pins the address it checked', async () => {
    const d = await resolveDestination('https://hooks.example.test/x', { resolver: resolver(['93.184.216.34']) });
    expect(d).toMatchObject({ address: '93.184.216.34', family: 4 });
    expect(d.url.hostname).toBe('hooks.example.test');
  });

  it('refuses when any resolved address is private', async () => {
    await expect(
      resolveDestination('https://hooks.example.test/x', { resolver: resolver(['93.184.216.34', '10.0.0.1']) }),
    ).rejects.toThrow(/10\.0\.0\.1/);
  });

  it('refuses literals without resolving', async () => {
    const never: Resolver = async () => {
      throw new Error('must not resolve');
    };
    await expect(resolveDestination('http://[::1]/', { resolver: never })).rejects.toThrow(/::1/);
    await expect(resolveDestination('http://169.254.169.254/', { resolver: never })).rejects.toThrow(/169\.254/);
  });

  it('refuses unresolvable names and other schemes', async () => {
    const failing: Resolver = async () => {
      throw new Error('ENOTFOUND');
    };
    await expect(resolveDestination('http://nowhere.test/', { resolver: failing })).rejects.toThrow(/resolved/);
    await expect(resolveDestination('ftp://files.example.test/', { resolver: resolver(['8.8.8.8']) })).rejects.toThrow(
      /http/,
    );
  });
});
