/**
 * Two projects, one command: `infra` covers the CDK app and the charts (synthesized templates and
 * manifests), `apps` covers the chat services against real PostgreSQL and Redis.
 * Type-checking is `npm run typecheck`'s job; the tests transpile only, which keeps them fast.
 */
const transform = { '^.+\\.ts$': ['ts-jest', { isolatedModules: true, diagnostics: false }] };

module.exports = {
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
