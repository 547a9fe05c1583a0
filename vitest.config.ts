import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Clears the captured logs before the run and scans them for secrets after it.
    globalSetup: ['test/globalSetup.ts'],
    // Guards against hangs, not speed goals (those live in the benchmark): room for a loaded machine.
    testTimeout: 90_000,
    hookTimeout: 90_000,
    pool: 'forks',
    maxWorkers: 2,
    // Memory tests measure the heap after a full collection (RSS moves with the allocator, not with leaks).
    execArgv: ['--expose-gc'],
  },
});
