import type { FastifyInstance } from 'fastify';
import { createLogger, type Logger } from '@co-talk/common/logger';
import { createMetricsRegistry } from '@co-talk/common/metrics';
import { createPostgres, postgresOptionsFromEnv } from '@co-talk/common/postgres';
import { createRedis, redisOptionsFromEnv } from '@co-talk/common/redis';
import { searchOptionsFromEnv } from '@co-talk/common/search-client';
import { buildApp } from './app';
import { TwoLevelCache } from './cache';
import type { ApiEnv } from './config';
import type { ApiContext } from './context';
import { OpenSearchMessageSearch, PostgresMessageSearch } from './message-search';
import { migrate } from './migrate';
import { RoomMembersMirror } from './room-members';
import { SignInThrottle } from './sign-in-throttle';

/** A running API. */
export interface Api {
  readonly app: FastifyInstance;
  readonly ctx: ApiContext;
  /** The listening port (useful when API_PORT is 0 in tests). */
  readonly port: number;
  /** Stops accepting, finishes requests in flight, closes every connection. */
  stop(): Promise<void>;
}

/** Connects, migrates (when configured), builds the app and listens. */
export async function startApi(
  env: ApiEnv,
  logger: Logger = createLogger({ service: 'api', level: env.LOG_LEVEL }),
): Promise<Api> {
  const postgres = createPostgres(postgresOptionsFromEnv(env, 'co-talk-api'));
  const cacheRedis = redisOptionsFromEnv(env, 'cache', 'co-talk-api');
  const redis = createRedis(cacheRedis);
  if (env.MIGRATE_ON_START) await migrate(postgres.writer, env.MIGRATIONS_DIR, logger);
  const registry = createMetricsRegistry('api');
  const cache = new TwoLevelCache({
    redis,
    keyPrefix: env.REDIS_KEY_PREFIX,
    l1TtlSeconds: env.CACHE_L1_TTL_SECONDS,
    l1MaxEntries: env.CACHE_L1_MAX_ENTRIES,
    l2TtlSeconds: env.CACHE_L2_TTL_SECONDS,
    registry,
  });
  const searchOptions = searchOptionsFromEnv(env);
  const search = searchOptions
    ? new OpenSearchMessageSearch(searchOptions)
    : new PostgresMessageSearch(postgres.reader);
  const members = new RoomMembersMirror({
    redis,
    writer: postgres.writer,
    keyPrefix: env.REDIS_KEY_PREFIX,
    clusterMode: cacheRedis.clusterMode ?? false,
    logger,
  });
  members.startRebuilding(createRedis({ ...cacheRedis, connectionName: 'co-talk-api-rebuild' }));
  const throttle = new SignInThrottle({
    redis,
    keyPrefix: env.REDIS_KEY_PREFIX,
    maxFailuresPerAccount: env.SIGN_IN_MAX_FAILURES_PER_ACCOUNT,
    maxFailuresPerIp: env.SIGN_IN_MAX_FAILURES_PER_IP,
    baseSeconds: env.SIGN_IN_LOCKOUT_BASE_SECONDS,
    maxSeconds: env.SIGN_IN_LOCKOUT_MAX_SECONDS,
    logger,
  });
  const ctx: ApiContext = { env, postgres, redis, cache, search, members, throttle };
  const app = await buildApp(ctx, registry, logger);
  await app.listen({ port: env.API_PORT, host: env.API_HOST });
  const address = app.server.address();
  logger.info(
    { search: search.backend, replica: Boolean(env.DATABASE_READER_URL ?? env.DATABASE_READER_HOSTS) },
    'api started',
  );
  return {
    app,
    ctx,
    port: typeof address === 'object' && address ? address.port : env.API_PORT,
    async stop() {
      await app.close();
      await members.stop();
      await Promise.all([postgres.close(), redis.quit(), search.close()]);
    },
  };
}
