import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendWebhook } from './send-webhook';

/** Only a receiver on the loopback address this file starts is ever contacted. */
let server: http.Server;
let port: number;
const hosts: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hosts.push(String(req.headers.host));
    req.resume();
    if (req.url === '/huge') {
      res.writeHead(200);
      const chunk = Buffer.alloc(16 * 1024, 'a');
      // Far more than the cap; the sender closes the connection long before the end.
      let left = 200;
      const write = () => {
        while (left > 0) {
          left -= 1;
          if (!res.write(chunk)) return void res.once('drain', write);
        }
        res.end();
      };
      write();
      res.on('error', () => undefined);
    } else if (req.url === '/silent') {
      // Never answers: the sender's time limit ends it.
    } else if (req.url === '/redirect') {
      res.writeHead(302, { location: 'http://169.254.169.254/' });
      res.end();
    } else {
      res.writeHead(204);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const dest = (path: string) => ({
  // A name that resolves nowhere: the connection can only reach the pinned address.
  url: new URL(`http://pinned.invalid:${port}${path}`),
  address: '127.0.0.1',
  family: 4 as const,
});
const limits = { timeoutMs: 2000, maxResponseBytes: 64 * 1024, keepResponseBytes: 100 };

describe('sendWebhook', () => {
  it('connects to the pinned address, keeping the URL host for the Host header', async () => {
    const r = await sendWebhook(dest('/ok'), '{}', {}, limits);
    expect(r.status).toBe(204);
    expect(hosts.at(-1)).toBe(`pinned.invalid:${port}`);
  });

  it('stops reading past the size cap and keeps only the start of the answer', async () => {
    const r = await sendWebhook(dest('/huge'), '{}', {}, limits);
    expect(r.status).toBe(200);
    expect(r.body).toBe('a'.repeat(100));
  });

  it('ends an attempt the receiver never answers at the time limit', async () => {
    const r = await sendWebhook(dest('/silent'), '{}', {}, { ...limits, timeoutMs: 300 });
    expect(r.status).toBeUndefined();
    expect(r.error).toMatch(/300 ms/);
  });

  it('does not follow redirects', async () => {
    const r = await sendWebhook(dest('/redirect'), '{}', {}, limits);
    expect(r.status).toBe(302);
  });
});
