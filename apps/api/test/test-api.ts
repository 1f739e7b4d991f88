import { Redis } from 'ioredis';
import { startApi, type Api } from '../src/api';
import { createTestDatabase, testKeyPrefix, TEST_REDIS_URL, type TestDatabase } from '../../test/support/databases';
import { request, type HttpRequest, type HttpResponse } from '../../test/support/http';
import { deleteKeysWithPrefix } from '../../test/support/redis-cleanup';
import { apiTestEnv } from './test-env';

/** A suite's API on its own database and Redis key prefix; read its fields inside tests and hooks. */
export interface TestApi {
  readonly db: TestDatabase;
  readonly redis: Redis;
  readonly prefix: string;
  readonly api: Api;
  /** A request to this API. */
  call(options: HttpRequest): Promise<HttpResponse>;
}

/**
 * Starts the API before the suite's tests (with `overrides` on {@link apiTestEnv}) and stops it,
 * deletes its Redis keys and drops its database after them. Call it at the top of a `describe`.
 */
export function useTestApi(overrides: Record<string, string> = {}): TestApi {
  let state: Omit<TestApi, 'call'> | undefined;
  const current = (): Omit<TestApi, 'call'> => {
    if (!state) throw new Error('the test API starts in beforeAll: read it inside a test or hook');
    return state;
  };
  beforeAll(async () => {
    const db = await createTestDatabase();
    const redis = new Redis(TEST_REDIS_URL);
    const prefix = testKeyPrefix();
    state = { db, redis, prefix, api: await startApi(apiTestEnv(db.url, prefix, overrides)) };
  });
  afterAll(async () => {
    if (!state) return;
    const { db, redis, prefix, api } = state;
    await api.stop();
    await deleteKeysWithPrefix(redis, prefix);
    await redis.quit();
    await db.drop();
  });
  return {
    get db() {
      return current().db;
    },
    get redis() {
      return current().redis;
    },
    get prefix() {
      return current().prefix;
    },
    get api() {
      return current().api;
    },
    call: (options) => request(`http://127.0.0.1:${current().api.port}`, options),
  };
}
