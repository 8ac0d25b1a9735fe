import type { ChildProcess } from 'node:child_process';

/**
 * The URL a child process announces on stdout or stderr (`pattern`'s first group), once it does.
 * Rejects with the tail of its output when it exits first or takes longer than `timeoutMs`.
 */
export function announcedUrl(
  child: ChildProcess,
  opts: {
    pattern: RegExp;
    /** Names the child in errors ("server", "floor twin"). */
    what: string;
    timeoutMs: number;
    /** Characters of output kept for the error (a long run's log would otherwise grow without bound). */
    keep?: number;
    /** Sees every chunk as it arrives (e.g. to echo the child's log). */
    onChunk?: (chunk: Buffer) => void;
  },
): Promise<string> {
  let output = '';
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${opts.what} did not start in time:\n${output}`)), opts.timeoutMs);
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-(opts.keep ?? 8000));
      opts.onChunk?.(chunk);
      const m = opts.pattern.exec(output);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${opts.what} exited with ${code}:\n${output}`));
    });
  });
}

/** SIGTERM (so a server can stop cleanly), SIGKILL only if it has not exited after `killAfterMs`. */
export function stopChild(child: ChildProcess, killAfterMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
