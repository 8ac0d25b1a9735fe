/**
 * Reads an upload completely before any database work starts, so a slow sender holds a socket and a
 * temporary file, never a pooled connection or an open transaction. Small bodies stay in memory,
 * larger ones go to a temporary file that `dispose` removes. A sender that pauses longer than
 * `idleTimeoutMs`, or takes longer than `totalTimeoutMs` overall, gets 408.
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { AppError, tooLarge } from '../errors';

export interface SpoolLimits {
  maxBytes: number;
  /** Longest pause between two chunks. */
  idleTimeoutMs: number;
  /** Longest time for the whole body. */
  totalTimeoutMs: number;
  /** Bodies up to this size stay in memory. */
  memoryBytes?: number;
}

export interface SpooledInput {
  readonly spooled: true;
  readonly size: number;
  /** A fresh stream over the whole body. */
  open(): Readable;
  dispose(): Promise<void>;
}

export const isSpooled = (v: unknown): v is SpooledInput =>
  typeof v === 'object' && v !== null && (v as SpooledInput).spooled === true;

const slowBody = (message: string) =>
  new AppError('REQUEST_TIMEOUT', message, { headers: { connection: 'close' }, details: { reason: 'slow_body' } });

export async function spoolInput(input: Readable, limits: SpoolLimits): Promise<SpooledInput> {
  const memoryBytes = limits.memoryBytes ?? 1024 * 1024;
  const chunks: Buffer[] = [];
  let size = 0;
  let dir: string | undefined;
  let file: WriteStream | undefined;
  let spilling = false;
  const cleanup = async () => {
    if (dir) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  };
  try {
    await new Promise<void>((resolve, reject) => {
      let idle: NodeJS.Timeout | undefined;
      let settled = false;
      const finish = (err?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(idle);
        clearTimeout(total);
        input.off('data', onData);
        input.off('end', onEnd);
        input.off('error', onError);
        input.off('aborted', onAborted);
        if (err) {
          // Stop reading; the HTTP layer answers and closes the connection.
          input.pause();
          reject(err);
        } else resolve();
      };
      const armIdle = () => {
        clearTimeout(idle);
        idle = setTimeout(
          () => finish(slowBody(`The upload paused for more than ${Math.round(limits.idleTimeoutMs / 1000)} s`)),
          limits.idleTimeoutMs,
        );
      };
      const total = setTimeout(
        () => finish(slowBody(`The upload took longer than ${Math.round(limits.totalTimeoutMs / 1000)} s`)),
        limits.totalTimeoutMs,
      );
      const onData = (chunk: Buffer | string) => {
        const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        size += buf.length;
        if (size > limits.maxBytes) {
          finish(tooLarge(`The import file is larger than ${limits.maxBytes} bytes`));
          return;
        }
        armIdle();
        if (file) {
          if (!file.write(buf)) {
            input.pause();
            file.once('drain', () => input.resume());
          }
          return;
        }
        chunks.push(buf);
        if (size > memoryBytes && !spilling) {
          spilling = true;
          // Too big for memory: continue on disk.
          input.pause();
          void (async () => {
            try {
              dir = await mkdtemp(path.join(tmpdir(), 'forma-upload-'));
              file = createWriteStream(path.join(dir, 'body'));
              for (const c of chunks.splice(0)) file.write(c);
              input.resume();
            } catch (e) {
              finish(e);
            }
          })();
        }
      };
      const onEnd = () => finish();
      const onError = (e: unknown) => finish(e);
      const onAborted = () => finish(new AppError('BAD_REQUEST', 'The upload was interrupted'));
      armIdle();
      input.on('data', onData);
      input.once('end', onEnd);
      input.once('error', onError);
      input.once('aborted', onAborted);
      input.resume();
    });
    if (file) {
      const f = file;
      await new Promise<void>((resolve, reject) => {
        f.once('error', reject);
        f.end(() => resolve());
      });
    }
  } catch (e) {
    file?.destroy();
    await cleanup();
    throw e;
  }
  const filePath = dir ? path.join(dir, 'body') : undefined;
  const body = filePath ? undefined : Buffer.concat(chunks);
  return {
    spooled: true,
    size,
    open: () => (filePath ? createReadStream(filePath) : Readable.from(body ? [body] : [])),
    dispose: cleanup,
  };
}
