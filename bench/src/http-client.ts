import http from 'node:http';
import type { ApiResponse } from './bench-env';

/**
 * A lean JSON client for workloads whose own loop is measured (approvals): `node:http` over a
 * keep-alive agent. The global `fetch` (undici's WHATWG layer: Headers, Request, web streams,
 * a promise per body chunk) cost the approvals bench ~1.5 ms of CPU per request on a machine whose
 * two cores the server shares; this one answers the same status and parsed body for a fraction.
 */
export class HttpClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  private readonly host: string;
  private readonly port: number;

  constructor(base: string) {
    const u = new URL(base);
    this.host = u.hostname;
    this.port = Number(u.port || 80);
  }

  call(method: string, path: string, token?: string, body?: unknown): Promise<ApiResponse> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: http.OutgoingHttpHeaders = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(payload);
    }
    return new Promise((resolve, reject) => {
      const req = http.request(
        { agent: this.agent, host: this.host, port: this.port, method, path, headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text =
              chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text || undefined;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              // Not JSON: keep the text.
            }
            const retryAfter = res.headers['retry-after'];
            resolve({
              status: res.statusCode ?? 0,
              body: parsed,
              ...(retryAfter ? { retryAfter: String(retryAfter) } : {}),
            });
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
