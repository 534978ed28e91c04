import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Adapter tests talk to shared real servers (PostgreSQL, Redis, NATS) with their own prefixes;
    // files run in parallel, tests inside a file in order.
    pool: 'forks',
  },
});
