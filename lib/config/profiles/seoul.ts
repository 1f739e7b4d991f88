/** The region and zones every shipped profile deploys to (the brief's default: Seoul). */
export const SEOUL = {
  region: 'ap-northeast-2',
  availabilityZones: ['ap-northeast-2a', 'ap-northeast-2b', 'ap-northeast-2c'],
} as const;

/** The brief's cache TTLs: L1 in-process one minute, L2 Redis one hour. */
export const BRIEF_CACHE_TTLS = { l1CacheTtlSeconds: 60, l2CacheTtlSeconds: 3600 } as const;

/** The brief's database pool: at most 50 connections per app instance. */
export const BRIEF_POOL_MAX_PER_INSTANCE = 50;
