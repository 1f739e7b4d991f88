import { Redis } from 'ioredis';
import { createTestDatabase, testKeyPrefix, TEST_REDIS_URL, type TestDatabase } from './databases';
import { deleteKeysWithPrefix } from './redis-cleanup';

/** A suite's database and Redis connection, and the current key prefix. */
export interface TestStores {
  readonly db: TestDatabase;
  readonly redis: Redis;
  readonly prefix: string;
}

/** Options for {@link useTestStores}. */
export interface TestStoresOptions {
  /** Tables emptied before each test. @default none */
  readonly truncate?: readonly string[];
  /** How long a key prefix lives: a new one for each test, or one for the whole suite. @default 'test' */
  readonly prefixPer?: 'test' | 'suite';
  /** Stops what still writes under the prefix, before its keys are deleted (after each test, or after the suite). */
  readonly stopWriters?: () => Promise<void>;
}

/**
 * A database and a Redis connection for the suite (made before its tests, dropped and closed
 * after them) and a key prefix whose keys are deleted when it is done with. Call it at the top of
 * a `describe` and read the fields inside tests and hooks.
 */
export function useTestStores(options: TestStoresOptions = {}): TestStores {
  const perSuite = options.prefixPer === 'suite';
  let stores: { db: TestDatabase; redis: Redis } | undefined;
  let prefix: string | undefined;
  const current = () => {
    if (!stores || prefix === undefined) {
      throw new Error('the test stores are made in beforeAll: read them inside a test or hook');
    }
    return { ...stores, prefix };
  };
  const cleanUp = async (): Promise<void> => {
    await options.stopWriters?.();
    if (stores && prefix !== undefined) await deleteKeysWithPrefix(stores.redis, prefix);
  };
  beforeAll(async () => {
    stores = { db: await createTestDatabase(), redis: new Redis(TEST_REDIS_URL) };
    if (perSuite) prefix = testKeyPrefix();
  });
  beforeEach(async () => {
    if (!perSuite) prefix = testKeyPrefix();
    for (const table of options.truncate ?? []) await current().db.pool.query(`TRUNCATE ${table}`);
  });
  if (!perSuite) afterEach(cleanUp);
  afterAll(async () => {
    if (perSuite) await cleanUp();
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
