import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // End-to-end tests start real Helm, kpt, kubectl and pre-commit processes.
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // Installs the real Helm binaries into .tools/bin when they are missing (scripts/install-tools.mjs).
    globalSetup: ['test/e2e/global-setup.ts'],
    // Lets vitest's worker RPC through between synchronous tests (see the file).
    setupFiles: ['test/helpers/yield-to-runner.ts'],
  },
});
