import { loadEnv } from '@co-talk/common/env';
import { generateTokenKeySets } from '@co-talk/common/jwt';
import { apiEnvShape, type ApiEnv } from '../src/config';
import { TEST_REDIS_URL } from '../../test/support/databases';

/** One key set per test process: the private half for the API, the public half for what verifies. */
export const TEST_TOKEN_KEYS = generateTokenKeySets();

/** API configuration for a test: its own database and key prefix, an ephemeral port. */
export function apiTestEnv(databaseUrl: string, keyPrefix: string, overrides: Record<string, string> = {}): ApiEnv {
  return loadEnv(apiEnvShape, {
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_MAX: '4',
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: keyPrefix,
    JWT_SIGNING_KEYS: TEST_TOKEN_KEYS.signingKeys,
    API_PORT: '0',
    API_HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    // Migrations ran when the test database was created.
    MIGRATE_ON_START: 'false',
    ...overrides,
  });
}
