import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';

/**
 * Path segments that are credentials: a signed approval link acts for its approver to whoever holds
 * it; a survey link answers its survey once.
 */
const SECRET_SEGMENTS = [/^(\/api\/approvals\/links\/)[^/?#]+/, /^(\/api\/public\/surveys\/|\/s\/)[^/?#]+/];
/** Query parameters that carry credentials, should a client send one that way. */
const SECRET_PARAMS = /([?&](?:token|access_token|auth|key|secret|signature|sig)=)[^&#]*/gi;

export const REDACTED = '[redacted]';

/** The URL as it may be logged: credentials in the path or the query string replaced. */
export function redactUrl(url: string): string {
  let out = url;
  for (const re of SECRET_SEGMENTS) out = out.replace(re, `$1${REDACTED}`);
  return out.replace(SECRET_PARAMS, `$1${REDACTED}`);
}

/**
 * pino options of the server: session tokens (Authorization header, cookie) are removed and link
 * tokens cut out of logged URLs, so a log file never holds something that signs someone in.
 */
export function loggerOptions(level = 'info') {
  return {
    level,
    redact: ['req.headers.authorization', 'req.headers.cookie'],
    serializers: {
      req(request: FastifyRequest) {
        return {
          method: request.method,
          url: redactUrl(request.url),
          host: request.host,
          remoteAddress: request.ip,
          remotePort: request.socket?.remotePort,
        };
      },
    },
  };
}

/**
 * The access log: one line per request, written when it is answered ("request completed", with
 * the request as the `req` serializer above writes it, the status and the time taken), not the
 * two of fastify's default (an "incoming request" line as well). Each line is a serialization and
 * a write to the log's stream; at the default `info` level that was half the logging cost of every
 * request (issue 27). A request that never completes still shows in its error line.
 */
export class AccessLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    if (error)
      reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    else reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}
