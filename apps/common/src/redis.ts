import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { z } from 'zod';
import { EnvError, envBoolean } from './env';

/**
 * One way to reach Redis for every app: a standalone node (local runs, tests) or an ElastiCache
 * cluster-mode configuration endpoint, with in-transit TLS and AUTH as ElastiCache requires them.
 * Both client types share the command interface; pub/sub users pick sharded commands in cluster
 * mode (see `clusterMode`).
 */

/** A connected client: `Redis` for a standalone node, `Cluster` in cluster mode. */
export type RedisClient = Redis | Cluster;

/** How to reach Redis. */
export interface RedisConnectionOptions {
  /** `redis://host:port` or `rediss://host:port` (TLS). In cluster mode, the configuration endpoint. */
  readonly url: string;
  /**
   * Treat the endpoint as a Redis Cluster (slots, MOVED redirects, one sharded subscriber per
   * shard for SSUBSCRIBE).
   * @default false
   */
  readonly clusterMode?: boolean;
  /**
   * The user to sign in as (ElastiCache RBAC: each app has its own per cluster).
   * @default - the `default` user (AUTH with the password alone)
   */
  readonly username?: string;
  /** Password. Passed separately from the URL so it never appears in a logged URL. @default - no AUTH */
  readonly password?: string;
  /** Force TLS on or off. @default - on for `rediss://`, off for `redis://` */
  readonly tls?: boolean;
  /** Database index, standalone only (cluster mode has only database 0). @default 0 */
  readonly db?: number;
  /** Shown by `CLIENT LIST`, which helps operators find a service's connections. @default - none */
  readonly connectionName?: string;
  /**
   * How often a command is retried while the connection is down before it fails. Callers that
   * must answer a user quickly (the gateway's XADD before an ack) keep this low.
   * @default 3
   */
  readonly maxRetriesPerRequest?: number;
  /**
   * Send the commands issued in one event-loop turn as one write (ioredis auto-pipelining):
   * fewer syscalls for a busy producer such as the gateway. Not for a subscriber connection.
   * @default false
   */
  readonly autoPipelining?: boolean;
}

/** Reconnect with a capped exponential backoff: fast after a blip, gentle during an outage. */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(50 * 2 ** Math.min(attempt, 10), 2000);
}

function endpointOf(url: string): { host: string; port: number; tls: boolean } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`Redis URL "${url}" is not a URL; expected redis://host:port or rediss://host:port`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new Error(`Redis URL scheme "${parsed.protocol}" is not supported; use redis:// or rediss://`);
  }
  if (parsed.password) {
    throw new Error('Redis URL must not carry a password; pass it as the separate password option');
  }
  return { host: parsed.hostname, port: parsed.port ? Number(parsed.port) : 6379, tls: parsed.protocol === 'rediss:' };
}

/** Creates a Redis client for a standalone node or a cluster. The client connects at once. */
export function createRedis(options: RedisConnectionOptions): RedisClient {
  const endpoint = endpointOf(options.url);
  const useTls = options.tls ?? endpoint.tls;
  const common: RedisOptions = {
    username: options.username,
    password: options.password,
    connectionName: options.connectionName,
    maxRetriesPerRequest: options.maxRetriesPerRequest ?? 3,
    retryStrategy: reconnectDelayMs,
    enableAutoPipelining: options.autoPipelining ?? false,
    // ElastiCache certificates are issued for the endpoint name, so default verification applies.
    tls: useTls ? { servername: endpoint.host } : undefined,
  };
  if (options.clusterMode) {
    if (options.db !== undefined && options.db !== 0) {
      throw new Error(`Redis db ${options.db} is not available in cluster mode; only database 0 exists`);
    }
    const clusterOptions: ClusterOptions = {
      redisOptions: common,
      enableAutoPipelining: options.autoPipelining ?? false,
      shardedSubscribers: true,
      clusterRetryStrategy: reconnectDelayMs,
      // ElastiCache hands out node addresses that resolve only inside the VPC; keep DNS names for TLS.
      dnsLookup: (address, callback) => callback(null, address),
    };
    return new Cluster([{ host: endpoint.host, port: endpoint.port }], clusterOptions);
  }
  return new Redis({ ...common, host: endpoint.host, port: endpoint.port, db: options.db ?? 0 });
}

/**
 * The three Redis clusters, one per role: `cache` (the API's L2 cache and the room membership
 * sets the gateway checks), `pubsub` (the gateways' fan-out), `streams` (the message stream and
 * the idempotency keys). Each is configured by `REDIS_<ROLE>_URL`, `REDIS_<ROLE>_CLUSTER_MODE`,
 * `REDIS_<ROLE>_USERNAME` (the app's own ElastiCache user on that cluster) and
 * `REDIS_<ROLE>_PASSWORD` (or `REDIS_<ROLE>_SECRET_ARN`); a role without its own URL falls back to
 * `REDIS_URL`, `REDIS_CLUSTER_MODE`, `REDIS_PASSWORD` and `REDIS_DB` (one local Redis for all).
 */
export type RedisRole = 'cache' | 'pubsub' | 'streams';

const redisUrl = z.string().regex(/^rediss?:\/\/[^\s]+$/, 'expected redis://host:port or rediss://host:port');

function roleShape<R extends string>(role: R) {
  return {
    [`REDIS_${role}_URL`]: redisUrl.optional(),
    [`REDIS_${role}_CLUSTER_MODE`]: envBoolean.optional(),
    [`REDIS_${role}_USERNAME`]: z.string().min(1).optional(),
    [`REDIS_${role}_PASSWORD`]: z.string().min(1).optional(),
    [`REDIS_${role}_SECRET_ARN`]: z.string().min(1).optional(),
  } as {
    [
      K in `REDIS_${R}_URL` | `REDIS_${R}_USERNAME` | `REDIS_${R}_PASSWORD` | `REDIS_${R}_SECRET_ARN`
    ]: z.ZodOptional<z.ZodString>;
  } & { [K in `REDIS_${R}_CLUSTER_MODE`]: z.ZodOptional<typeof envBoolean> };
}

/** The fallback used by every role that has no URL of its own (local runs, tests). */
export const redisEnvShape = {
  REDIS_URL: redisUrl.optional(),
  REDIS_CLUSTER_MODE: envBoolean.default(false),
  REDIS_PASSWORD: z.string().min(1).optional(),
  REDIS_DB: z.coerce.number().int().min(0).max(15).default(0),
};

/** The variables of one role; compose the roles an app uses into its env schema. */
export const redisRoleEnvShapes = {
  cache: roleShape('CACHE'),
  pubsub: roleShape('PUBSUB'),
  streams: roleShape('STREAMS'),
};

/** The parsed values of {@link redisEnvShape} plus any role variables. */
export interface RedisEnv {
  readonly REDIS_URL?: string;
  readonly REDIS_CLUSTER_MODE: boolean;
  readonly REDIS_PASSWORD?: string;
  readonly REDIS_DB: number;
}

/**
 * Connection options for one role from parsed environment values (after `resolveSecretEnv`, which
 * fills in `REDIS_<ROLE>_PASSWORD` from `REDIS_<ROLE>_SECRET_ARN`). Throws `EnvError` when the role
 * has no URL and there is no `REDIS_URL` to fall back to.
 */
export function redisOptionsFromEnv(env: RedisEnv, role: RedisRole, connectionName?: string): RedisConnectionOptions {
  const upper = role.toUpperCase();
  const values = env as unknown as Record<string, string | boolean | undefined>;
  const url = values[`REDIS_${upper}_URL`] as string | undefined;
  if (url !== undefined) {
    return {
      url,
      clusterMode: (values[`REDIS_${upper}_CLUSTER_MODE`] as boolean | undefined) ?? false,
      username: values[`REDIS_${upper}_USERNAME`] as string | undefined,
      password: values[`REDIS_${upper}_PASSWORD`] as string | undefined,
      connectionName,
    };
  }
  if (env.REDIS_URL === undefined) {
    throw new EnvError([`REDIS_${upper}_URL: is required (or REDIS_URL, used for every role without its own)`]);
  }
  return {
    url: env.REDIS_URL,
    clusterMode: env.REDIS_CLUSTER_MODE,
    password: env.REDIS_PASSWORD,
    db: env.REDIS_CLUSTER_MODE ? undefined : env.REDIS_DB,
    connectionName,
  };
}
