import type { ViteUserConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources through this export condition, so tests never
// need a build step.
const conditions = ['@frs/source', 'node', 'import', 'default'];

export const sharedTestConfig: ViteUserConfig = {
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 180_000,
    reporters: process.env.FRS_TEST_JSON ? ['default', 'json'] : ['default'],
    outputFile: { json: '.test-results/vitest.json' },
  },
};
