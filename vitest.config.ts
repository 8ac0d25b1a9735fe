import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{metadata,runtime,platform,designer/src,plugins/*,tests,bench/src}/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    globalSetup: ['tests/support/global-setup.ts'],
    // isolated-vm needs --no-node-snapshot on Node 20 and is only safe in child processes.
    pool: 'forks',
    execArgv: ['--no-node-snapshot'],
    maxWorkers: process.env.CI ? 3 : 4,
    testTimeout: 30_000,
    // expect.poll waits for a condition; its 1 s default turns a busy machine into a failure.
    expect: { poll: { timeout: 20_000, interval: 50 } },
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
  },
});
