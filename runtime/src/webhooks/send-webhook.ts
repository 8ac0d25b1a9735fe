import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Destination } from './ssrf-guard';

export interface SendLimits {
  /** Whole request: connect, send, read the answer. */
  timeoutMs: number;
  /** Bytes of the answer read; past it the connection is closed (the status still counts). */
  maxResponseBytes: number;
  /** Bytes of the answer kept in the delivery log. */
  keepResponseBytes: number;
}

export interface SendResult {
  status?: number;
  body: string;
  durationMs: number;
  error?: string;
}

/**
 * POSTs a body to a checked destination, connecting to its pinned address: the lookup answers
 * with the address the guard checked, while the Host header and TLS name stay the URL's host.
 * Redirects are not followed (a 3xx is a failed delivery), so a redirect cannot lead past the guard.
 */
export function sendWebhook(
  dest: Destination,
  body: string,
  headers: Record<string, string>,
  limits: SendLimits,
  now: () => number = Date.now,
): Promise<SendResult> {
  const started = now();
  const pinned: LookupFunction = (_host, options, callback) => {
    if ((options as { all?: boolean }).all) {
      (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [
        { address: dest.address, family: dest.family },
      ]);
    } else callback(null, dest.address, dest.family);
  };
  const client = dest.url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: Omit<SendResult, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...r, durationMs: Math.max(0, now() - started) });
    };
    const req = client.request(
      dest.url,
      {
        method: 'POST',
        lookup: pinned,
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'Forma-Webhooks/1',
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let kept = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (kept < limits.keepResponseBytes) {
            const part = chunk.subarray(0, limits.keepResponseBytes - kept);
            chunks.push(part);
            kept += part.length;
          }
          if (size > limits.maxResponseBytes) {
            res.destroy();
            finish();
          }
        });
        const finish = () =>
          done({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        res.on('end', finish);
        res.on('close', finish);
        res.on('error', finish);
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      done({ body: '', error: `No complete answer within ${limits.timeoutMs} ms` });
    }, limits.timeoutMs);
    req.on('error', (e) => done({ body: '', error: e.message }));
    req.end(body);
  });
}
