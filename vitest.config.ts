import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

const ROOT = path.dirname(fileURLToPath(import.meta.url));

/** The packages' own test folders; tests/ (API, security, browser) is never shared. */
const PACKAGE_TEST_DIRS = ['metadata/src', 'runtime/src', 'platform/src', 'designer/src', 'plugins', 'bench/src'];

/**
 * What keeps a file in its own process: the run's database (`inject`, the test helpers under
 * tests/support or runtime/src/testing), module mocks, spies and global stubs (they would outlive
 * the file in a shared process), and writes to process.env.
 */
const NEEDS_OWN_PROCESS = [
  /\binject\b/,
  /from '[^']*\/(support|testing)\//,
  /\bvi\.(mock|doMock|unmock|hoisted|spyOn|stubGlobal|stubEnv|useFakeTimers|setSystemTime)\b/,
  /process\.env(\.\w+|\[[^\]]+\])\s*=[^=]/,
];

function testFilesUnder(dir: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'dist' ? [] : testFilesUnder(rel);
    return e.name.endsWith('.test.ts') ? [rel] : [];
  });
}

/**
 * The package tests that can share worker processes (the `unit` project): decided from each file's
 * text, so a new file lands in the right project without a list to maintain.
 */
function unitTestFiles(): string[] {
  return PACKAGE_TEST_DIRS.flatMap(testFilesUnder)
    .filter((f) => !NEEDS_OWN_PROCESS.some((re) => re.test(fs.readFileSync(path.join(ROOT, f), 'utf8'))))
    .sort();
}

/** Seconds per file from a full run (`node scripts/test-durations.mjs report.json` rewrites the file). */
function recordedDurations(): Record<string, number> {
  try {
    return JSON.parse(fs.readFileSync(path.join(ROOT, 'tests/support/file-durations.json'), 'utf8'));
  } catch {
    return {};
  }
}

/** A guess for a file no run has timed yet, by the kind of test it is. */
function guess(file: string): number {
  if (file.startsWith('tests/e2e/')) return 25;
  if (file.startsWith('tests/')) return 8;
  return 1;
}

/**
 * Longest first, so the run does not end on one slow file while the other workers idle. The
 * committed durations come first: CI runs a clean clone without vitest's cache, and a cache shared by
 * parallel runs on a busy machine is noisy. A new file takes its cached duration, else a guess.
 * The shared-process files come last and together, so their workers go from one file to the next
 * without restarting (vitest reuses a worker only while the next queued file is one of them).
 */
class DurationSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const recorded = recordedDurations();
    const root = this.ctx.config.root;
    const estimate = (spec: TestSpecification) => {
      const file = path.relative(root, spec.moduleId).split(path.sep).join('/');
      const cached = this.ctx.cache.getFileTestResults(`${spec.project.name}:${file}`)?.duration;
      return recorded[file] ?? (cached !== undefined ? cached / 1000 : guess(file));
    };
    return files
      .map((spec) => ({ spec, isolate: spec.project.config.isolate, t: estimate(spec) }))
      .sort((a, b) => Number(b.isolate) - Number(a.isolate) || b.t - a.t)
      .map(({ spec }) => spec);
  }
}

/**
 * Two projects in one run (README, "Configuration", after the table):
 * - `unit`: the packages' own tests that need neither the database nor module mocks. They share
 *   worker processes (isolate: false), so the package modules load once per worker, not per file.
 * - `integration`: everything else (API, security and browser tests, tests over the database, files
 *   that mock modules), each file in a fresh process.
 * The projects do not inherit the root's globalSetup (that would start one PostgreSQL each): the
 * root's runs once and its `databaseUrl` reaches both.
 */
const unit = unitTestFiles();

/** What both projects run with. */
const shared = {
  // isolated-vm needs --no-node-snapshot on Node 20 and is only safe in child processes.
  pool: 'forks' as const,
  execArgv: ['--no-node-snapshot'],
  maxWorkers: process.env.CI ? 3 : 4,
  testTimeout: 30_000,
  // expect.poll waits for a condition; its 1 s default turns a busy machine into a failure.
  expect: { poll: { timeout: 20_000, interval: 50 } },
  hookTimeout: 120_000,
};

export default defineConfig({
  test: {
    globalSetup: ['tests/support/global-setup.ts'],
    teardownTimeout: 60_000,
    // Longest files first so the run does not end waiting on one of them (DurationSequencer above).
    sequence: { sequencer: DurationSequencer },
    projects: [
      { test: { ...shared, name: 'unit', include: unit, isolate: false } },
      {
        test: {
          ...shared,
          name: 'integration',
          include: ['{metadata,runtime,platform,designer/src,plugins/*,tests,bench/src}/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**', ...unit],
        },
      },
    ],
  },
});
