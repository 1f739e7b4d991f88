import { loadEnv } from '@co-talk/common/env';
import { workerEnvShape, type WorkerEnv } from '../src/config';
import { TEST_REDIS_URL } from '../../test/support/databases';

/** Worker configuration for a test: its own database and key prefix, quick timings. */
export function workerTestEnv(
  databaseUrl: string,
  keyPrefix: string,
  overrides: Record<string, string> = {},
): WorkerEnv {
  return loadEnv(workerEnvShape, {
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_MAX: '4',
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: keyPrefix,
    METRICS_PORT: '0',
    LOG_LEVEL: 'silent',
    WORKER_BLOCK_MS: '100',
    WORKER_BATCH_SIZE: '50',
    ...overrides,
  });
}
