import { nodemailer } from '../lazy-module';
import type { MailTransport } from './email-sender';

/** A nodemailer SMTP transport from an `smtp://` or `smtps://` URL (credentials in the URL). */
export function smtpTransport(url: string): MailTransport & { close(): void } {
  return nodemailer().createTransport(url);
}
