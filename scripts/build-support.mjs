// What the two builds `npm start` runs (the web app and the compiled server) share: deciding whether an
// output is older than its inputs, and one build at a time across processes (parallel test files and
// a running `npm start` may all ask for the same build).
import fs from 'node:fs';
import path from 'node:path';

const LOCK_WAIT_MS = 5 * 60_000;

/** The newest modification time under `p` (0 when it does not exist); build output folders are skipped. */
export function newestMtime(p) {
  let stat;
  try {
    stat = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(p)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    newest = Math.max(newest, newestMtime(path.join(p, entry)));
  }
  return newest;
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

function lockIsAbandoned(lockDir) {
  try {
    const owner = Number(fs.readFileSync(path.join(lockDir, 'pid'), 'utf8'));
    return owner > 0 && !alive(owner);
  } catch {
    // No pid yet: the owner is between mkdir and writing it, unless that was long ago.
    try {
      return Date.now() - fs.statSync(lockDir).mtimeMs > 60_000;
    } catch {
      return false;
    }
  }
}

/** Takes the directory lock `lockDir` (waiting for another builder); returns its release. */
export function acquireLock(lockDir, what) {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
      return () => fs.rmSync(lockDir, { recursive: true, force: true });
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
    // A lock left by a process that died mid-build would otherwise block every later build.
    if (lockIsAbandoned(lockDir)) fs.rmSync(lockDir, { recursive: true, force: true });
    else if (Date.now() > deadline) throw new Error(`Timed out waiting for another ${what} build (${lockDir})`);
    else sleep(200);
  }
}
