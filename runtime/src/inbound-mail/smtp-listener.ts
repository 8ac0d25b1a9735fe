import type { AddressInfo } from 'node:net';
import type { SMTPServerSession } from 'smtp-server';
import { isAppError } from '../errors';
import { smtpServer } from '../lazy-module';
import type { Logger } from '../logger';
import type { InboundMailService } from './inbound-mail-service';

export interface SmtpListenerOptions {
  port: number;
  /** Loopback by default: put a real MTA (Postfix, a provider's inbound relay) in front of it. */
  host?: string;
  /** Name in the greeting. */
  name?: string;
}

export interface SmtpListener {
  port: number;
  host: string;
  close(): Promise<void>;
}

/** An SMTP refusal: smtp-server answers with `responseCode` and the message. */
function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

/**
 * The inbound SMTP listener: it accepts mail only for addresses a tenant receives at (550 for the
 * rest), refuses messages over the size limit (552), holds each sender to an hourly budget (450),
 * and hands every accepted message to the inbound mail service once per receiving address.
 * A failure the sender's server should retry (database away, configuration fault) answers 451, so
 * the message stays with it; a message that cannot be read at all answers 554.
 */
export async function startSmtpListener(
  service: InboundMailService,
  logger: Logger,
  opts: SmtpListenerOptions,
): Promise<SmtpListener> {
  const maxBytes = service.config.maxBytes;
  const server = new (smtpServer().SMTPServer)({
    name: opts.name ?? 'forma',
    banner: 'Forma inbound mail',
    authOptional: true,
    // No AUTH (nobody signs in to deliver mail to us) and no TLS of its own: it listens on loopback.
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    size: maxBytes,
    maxClients: 50,
    socketTimeout: 60_000,
    onMailFrom(address, _session, cb) {
      service.takeSenderBudget(address.address || '<>').then(
        (take) =>
          take.ok
            ? cb()
            : cb(smtpError(450, `4.7.1 Too many messages from this sender; try again in ${take.retryAfterSeconds} s`)),
        (err) => {
          logger.error({ err }, 'inbound mail: sender budget unavailable');
          cb(smtpError(451, '4.3.0 Temporary failure, try again later'));
        },
      );
    },
    onRcptTo(address, _session, cb) {
      service.recipient(address.address).then(
        (hit) => (hit ? cb() : cb(smtpError(550, '5.1.1 No such mailbox here'))),
        (err) => {
          logger.error({ err }, 'inbound mail: recipient look-up failed');
          cb(smtpError(451, '4.3.0 Temporary failure, try again later'));
        },
      );
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (c: Buffer) => {
        size += c.length;
        // Past the limit the rest is only drained, never kept.
        if (size <= maxBytes) chunks.push(c);
      });
      stream.on('error', (err) => cb(err));
      stream.on('end', () => {
        if ((stream as { sizeExceeded?: boolean }).sizeExceeded || size > maxBytes) {
          cb(smtpError(552, `5.3.4 Message too big: the limit is ${maxBytes} bytes`));
          return;
        }
        deliver(service, logger, session, Buffer.concat(chunks)).then(
          (text) => cb(null, text),
          (err) => cb(err),
        );
      });
    },
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // A broken connection is that client's problem; it must never stop the listener.
  server.on('error', (err) => logger.warn({ err }, 'inbound mail: connection error'));
  const port = (server.server.address() as AddressInfo).port;
  logger.info({ host, port }, 'inbound mail listening');
  return {
    port,
    host,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function deliver(
  service: InboundMailService,
  logger: Logger,
  session: SMTPServerSession,
  raw: Buffer,
): Promise<string> {
  const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
  const done = new Set<string>();
  const outcomes: string[] = [];
  for (const rcpt of session.envelope.rcptTo) {
    const hit = await service.recipient(rcpt.address).catch(() => undefined);
    if (!hit) continue;
    const key = `${hit.tenant}\u0000${hit.entry.address}`;
    if (done.has(key)) continue;
    done.add(key);
    try {
      const outcome = await service.receive(hit.tenant, hit.entry, raw, from);
      logger.info({ tenant: hit.tenant, to: hit.entry.address, outcome }, 'inbound mail received');
      outcomes.push(outcome.kind);
    } catch (err) {
      if (isAppError(err) && err.code === 'BAD_REQUEST') throw smtpError(554, `5.6.0 ${err.message}`);
      logger.error({ err, tenant: hit.tenant, to: hit.entry.address }, 'inbound mail not processed');
      throw smtpError(451, '4.3.0 Temporary failure, try again later');
    }
  }
  if (!done.size) throw smtpError(451, '4.3.0 The recipient is no longer served here, try again later');
  return `OK: ${outcomes.join(', ')}`;
}
