import type { FastifyRequest } from 'fastify';

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
