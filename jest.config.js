/**
 * Two projects, one command: `infra` covers the CDK app and the charts (synthesized templates and
 * manifests), `apps` covers the chat services against real PostgreSQL and Redis.
 * Type-checking is `npm run typecheck`'s job; the tests transpile only, which keeps them fast.
 */
const os = require('node:os');

const transform = { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] };

module.exports = {
  // Jest's default (cores - 1) is one worker on the 2-core machines the project runs on: the
  // suites then run one after another, and the apps' suites, which mostly wait on child
  // processes, PostgreSQL or Redis, leave a core idle. Two workers overlap them with the infra ones.
  maxWorkers: Math.max(2, os.availableParallelism() - 1),
  projects: [
    {
      displayName: 'infra',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      transform,
      snapshotSerializers: [],
    },
    {
      displayName: 'apps',
      testEnvironment: 'node',
      roots: ['<rootDir>/apps'],
      testMatch: ['**/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/'],
      transform,
    },
  ],
};
