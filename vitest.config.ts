import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/leftovers.ts'],
    // Kernel tests share bpffs and network namespaces: keep files isolated in forks.
    pool: 'forks',
    testTimeout: 60_000,
    reporters: ['default'],
  },
});
