import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpLoad, takeRefusals } from './load';

let server: http.Server;
let url: string;
let n = 0;

beforeAll(async () => {
  // Answers in turn: 200, 429 with Retry-After, 503 with Retry-After, 503 without, 500.
  server = http.createServer((_req, res) => {
    const k = n++ % 5;
    if (k === 0) res.writeHead(200);
    else if (k === 1) res.writeHead(429, { 'retry-after': '2' });
    else if (k === 2) res.writeHead(503, { 'retry-after': '5' });
    else res.writeHead(k === 3 ? 503 : 500);
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('httpLoad', () => {
  it('counts 429/503 with Retry-After as refused, apart from errors, and tallies them for the results', async () => {
    takeRefusals();
    const s = await httpLoad({ url, headers: {}, connections: 1, seconds: 1 });
    expect(s.requests).toBeGreaterThanOrEqual(5);
    expect(s.refused).toBeGreaterThan(0);
    expect(s.errors).toBeGreaterThan(0);
    // Every answer is one of: a 200, a refusal, or an error (a 503 without Retry-After is an error).
    const answered = Math.floor(s.requests / 5);
    expect(s.refused).toBeGreaterThanOrEqual(2 * answered);
    expect(s.errors).toBeGreaterThanOrEqual(2 * answered);
    expect(takeRefusals()).toBe(s.refused);
    expect(takeRefusals()).toBe(0);
  });

  it("counts a named status as refused without Retry-After (another server's admission), the 500 still an error", async () => {
    takeRefusals();
    const s = await httpLoad({ url, headers: {}, connections: 1, seconds: 1, refusalStatuses: [503] });
    const answered = Math.floor(s.requests / 5);
    // 429 and 503 with Retry-After, and now the bare 503 too: three of every five answers.
    expect(s.refused).toBeGreaterThanOrEqual(3 * answered);
    expect(s.errors).toBeGreaterThanOrEqual(answered);
    expect(s.errors).toBeLessThanOrEqual(answered + 1);
    expect(takeRefusals()).toBe(s.refused);
  });

  it('precise: latencies of the 2xx answers to the microsecond, not whole milliseconds', async () => {
    // A server that answers 200 only after ~1.5 ms: the whole-millisecond histogram cannot say 1.5.
    const slow = http.createServer((_req, res) => {
      setTimeout(() => {
        res.writeHead(200);
        res.end('{}');
      }, 1.5);
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    try {
      const at = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/`;
      const s = await httpLoad({ url: at, headers: {}, connections: 2, seconds: 1, precise: true });
      expect(s.errors).toBe(0);
      expect(s.latencyResolution).toBe('µs');
      expect(s.p50Ms).toBeGreaterThan(0);
      expect(s.p50Ms).toBeLessThanOrEqual(s.p99Ms);
      expect(s.p99Ms).toBeLessThanOrEqual(s.maxMs);
      // Not an integer: a fractional figure is what the option is for (a timer of 1.5 ms fires
      // after 1 ms or later, plus the request's own time, so an exact integer is vanishingly rare).
      expect(Number.isInteger(s.p50Ms)).toBe(false);
    } finally {
      await new Promise<void>((resolve) => slow.close(() => resolve()));
    }
  });

  it('precise leaves refusals and errors out of the latencies, as autocannon does', async () => {
    const s = await httpLoad({ url, headers: {}, connections: 1, seconds: 1, precise: true });
    expect(s.refused).toBeGreaterThan(0);
    expect(s.errors).toBeGreaterThan(0);
    expect(s.latencyResolution).toBe('µs');
    expect(s.p50Ms).toBeGreaterThan(0);
  });

  it('timeline: each 2xx answer with its start in time, so slow answers can be placed (noisy-neighbour)', async () => {
    const timeline: Array<{ at: number; ms: number }> = [];
    const before = performance.now();
    const s = await httpLoad({ url, headers: {}, connections: 1, seconds: 1, timeline });
    const after = performance.now();
    // One answer in five is a 200: only those are kept, as in the latencies.
    expect(timeline.length).toBeGreaterThan(0);
    expect(timeline.length).toBeLessThanOrEqual(Math.ceil(s.requests / 5));
    for (const t of timeline) {
      expect(t.ms).toBeGreaterThan(0);
      expect(t.at).toBeGreaterThanOrEqual(before);
      expect(t.at + t.ms).toBeLessThanOrEqual(after);
    }
  });
});
