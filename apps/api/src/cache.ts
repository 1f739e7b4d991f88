import { LRUCache } from 'lru-cache';
import { Counter, type Registry } from 'prom-client';
import type { RedisClient } from '@co-talk/common/redis';

/**
 * The brief's two cache levels for user info and friend lists: L1 in this process (short TTL,
 * hot data), L2 in Redis (long TTL, shared by every API instance). Reads fill both levels from
 * the database; writes go to the database first and then write the new value through to both
 * levels. Another instance's L1 may serve its old value until its short TTL runs out.
 */

/** Where a value came from: the two cache levels or the loader (the database). */
export type CacheSource = 'l1' | 'l2' | 'db';

/** How {@link TwoLevelCache} is set up. */
export interface TwoLevelCacheOptions {
  readonly redis: RedisClient;
  /** Put in front of every Redis key. */
  readonly keyPrefix: string;
  readonly l1TtlSeconds: number;
  readonly l1MaxEntries: number;
  readonly l2TtlSeconds: number;
  readonly registry: Registry;
}

export class TwoLevelCache {
  private readonly l1: LRUCache<string, { json: string }>;
  private readonly lookups: Counter<'level'>;

  constructor(private readonly options: TwoLevelCacheOptions) {
    this.l1 = new LRUCache({ max: options.l1MaxEntries, ttl: options.l1TtlSeconds * 1000 });
    this.lookups = new Counter({
      name: 'api_cache_lookups_total',
      help: 'Cache reads by the level that answered (db = both levels missed)',
      labelNames: ['level'],
      registers: [options.registry],
    });
  }

  /** The cached value of `key`, else `load()`'s result (cached unless undefined). */
  async get<T>(
    key: string,
    load: () => Promise<T | undefined>,
  ): Promise<{ value: T | undefined; source: CacheSource }> {
    const local = this.l1.get(key);
    if (local) {
      this.lookups.inc({ level: 'l1' });
      return { value: JSON.parse(local.json) as T, source: 'l1' };
    }
    const shared = await this.options.redis.get(this.redisKey(key));
    if (shared !== null) {
      this.l1.set(key, { json: shared });
      this.lookups.inc({ level: 'l2' });
      return { value: JSON.parse(shared) as T, source: 'l2' };
    }
    this.lookups.inc({ level: 'db' });
    const value = await load();
    if (value !== undefined) await this.set(key, value);
    return { value, source: 'db' };
  }

  /** Writes `value` through to both levels (after the database write it reflects). */
  async set(key: string, value: unknown): Promise<void> {
    const json = JSON.stringify(value);
    this.l1.set(key, { json });
    await this.options.redis.set(this.redisKey(key), json, 'EX', this.options.l2TtlSeconds);
  }

  private redisKey(key: string): string {
    return `${this.options.keyPrefix}cache:${key}`;
  }
}
