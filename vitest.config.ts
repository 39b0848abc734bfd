import { defineConfig } from 'vitest/config';

// Three projects:
//   unit         test/unit/**: no server, parallel.
//   integration  test/integration/**: one real Vault/OpenBao dev server for the run
//                (test/servers/global-setup.ts; VAULT_GITOPS_TEST_SERVER, VAULT_GITOPS_TEST_TLS),
//                files run one at a time (2 cores, and the server is shared).
//   faults       test/integration/faults/**: the fault suite (kills, seal, quotas, token expiry,
//                a 3-node Raft cluster); its own dev server, since scenarios seal it and throttle it.
export default defineConfig({
  test: {
    passWithNoTests: true,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          exclude: ['test/integration/faults/**'],
          globalSetup: ['test/servers/global-setup.ts'],
          setupFiles: ['test/servers/setup-file.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'faults',
          include: ['test/integration/faults/**/*.test.ts'],
          globalSetup: ['test/servers/global-setup.ts'],
          setupFiles: ['test/servers/setup-file.ts'],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
