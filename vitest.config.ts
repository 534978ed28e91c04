import { defineConfig } from 'vitest/config';

/**
 * Test projects, each runnable alone (`npm run test:unit|test:services|test:e2e`); `npm test` runs all:
 * - `unit`: pure code, recordings, loopback simulators (no external server);
 * - `services`: adapters against the real PostgreSQL, Redis and NATS on 127.0.0.1 (files named
 *   `*.services.test.ts`, plus the adapter suites listed below);
 * - `e2e`: the dashboard in Chromium (playwright-core driving /usr/bin/chromium).
 */
const SERVICES = [
  '**/*.services.test.ts',
  'src/store/postgres/**/*.test.ts',
  'src/store/durable.test.ts',
  'src/store/postgres-history.test.ts',
  'src/cache/**/*.test.ts',
  'src/bus/nats.test.ts',
  'test/fleet*.test.ts',
  'test/app-fleet.test.ts',
  'test/api-alerts-postgres.test.ts',
  'test/api-history-book.test.ts',
];
const E2E = ['test/e2e/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Adapter tests talk to shared real servers (PostgreSQL, Redis, NATS) with their own prefixes;
    // files run in parallel, tests inside a file in order.
    pool: 'forks',
    // ../shared/data must be there (fails under CI=true instead of letting tests skip); stale test
    // streams from interrupted runs are removed from the shared NATS server.
    globalSetup: ['test/shared-data-setup.ts', 'test/nats-setup.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.ts'],
          exclude: [...SERVICES, ...E2E, '**/node_modules/**'],
        },
      },
      { extends: true, test: { name: 'services', include: SERVICES, exclude: ['**/node_modules/**'] } },
      { extends: true, test: { name: 'e2e', include: E2E } },
    ],
  },
});
