import { PassThrough } from 'node:stream';
import { AppError } from '@forma/runtime';
import type { FastifyInstance } from 'fastify';

/**
 * A request body that stops arriving for `idleMs` ends in 408 `REQUEST_TIMEOUT` and a closed
 * connection, whatever route it was sent to: a slow sender must not keep a socket (or, for
 * imports, a queue place) forever. Bodies are read before any database work starts (fastify's
 * parsers; imports spool theirs), so this bounds the socket, never a pooled connection.
 */
export function installBodyTimeout(app: FastifyInstance, idleMs: () => number): void {
  // A callback hook: a request without a body (every read) passes without a promise (issue 27).
  app.addHook('preParsing', (request, _reply, payload, done) => {
    const length = request.headers['content-length'];
    const hasBody = (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
    if (!hasBody) return done(null, payload);
    const ms = idleMs();
    const out = new PassThrough();
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        payload.unpipe(out);
        out.destroy(
          new AppError('REQUEST_TIMEOUT', `The request body paused for more than ${Math.round(ms / 1000)} s`, {
            headers: { connection: 'close' },
            details: { reason: 'slow_body' },
          }),
        );
      }, ms);
    };
    arm();
    payload.on('data', arm);
    const stop = () => clearTimeout(timer);
    payload.once('end', stop);
    payload.once('close', stop);
    out.once('close', stop);
    payload.once('error', (e) => out.destroy(e));
    payload.pipe(out);
    // fastify reads `receivedEncodedLength` from the payload it is given to check Content-Length.
    Object.defineProperty(out, 'receivedEncodedLength', {
      get: () => (payload as { receivedEncodedLength?: number }).receivedEncodedLength,
    });
    done(null, out);
  });
}
