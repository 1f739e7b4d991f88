import { Redis } from 'ioredis';
import { createTestDatabase, testKeyPrefix, TEST_REDIS_URL, type TestDatabase } from './databases';
import { deleteKeysWithPrefix } from './redis-cleanup';

/** A suite's database and Redis connection, and the key prefix of the running test. */
export interface TestStores {
  readonly db: TestDatabase;
  readonly redis: Redis;
  readonly prefix: string;
}

/** Options for {@link useTestStores}. */
export interface TestStoresOptions {
  /** Tables emptied before each test. @default none */
  readonly truncate?: readonly string[];
  /** What the suite stops after each test before its keys are deleted (apps that still write). */
  readonly afterEachTest?: () => Promise<void>;
}

/**
 * A database and a Redis connection for the suite (made before its tests, dropped and closed
 * after them), a fresh key prefix for each test and its keys deleted after it. Call it at the top
 * of a `describe` and read the fields inside tests and hooks.
 */
export function useTestStores(options: TestStoresOptions = {}): TestStores {
  let stores: { db: TestDatabase; redis: Redis } | undefined;
  let prefix: string | undefined;
  const current = () => {
    if (!stores || prefix === undefined)
      throw new Error('the test stores are made in beforeAll: read them inside a test or hook');
    return { ...stores, prefix };
  };
  beforeAll(async () => {
    stores = { db: await createTestDatabase(), redis: new Redis(TEST_REDIS_URL) };
  });
  beforeEach(async () => {
    prefix = testKeyPrefix();
    for (const table of options.truncate ?? []) await stores!.db.pool.query(`TRUNCATE ${table}`);
  });
  afterEach(async () => {
    await options.afterEachTest?.();
    if (stores && prefix !== undefined) await deleteKeysWithPrefix(stores.redis, prefix);
  });
  afterAll(async () => {
    await stores?.redis.quit();
    await stores?.db.drop();
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
  };
}
