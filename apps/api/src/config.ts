import { join } from 'node:path';
import { z } from 'zod';
import { envBoolean, envPort, envPositiveInt, logEnvShape, redisKeyPrefixEnvShape } from '@co-talk/common/env';
import { jwtKeysRefreshEnvShape, jwtSigningKeys } from '@co-talk/common/jwt';
import { allowedOriginsEnvShape } from '@co-talk/common/origins';
import { postgresEnvShape } from '@co-talk/common/postgres';
import { redisEnvShape, redisRoleEnvShapes } from '@co-talk/common/redis';
import { searchEnvShape } from '@co-talk/common/search-client';

/** Every setting the API reads from its environment. */
export const apiEnvShape = {
  ...logEnvShape,
  ...postgresEnvShape,
  ...redisEnvShape,
  /** The L2 cache and the room membership sets the gateway checks. */
  ...redisRoleEnvShapes.cache,
  ...redisKeyPrefixEnvShape,
  /** Browser origins answered with CORS headers (comma-separated `scheme://host[:port]`). */
  ...allowedOriginsEnvShape,
  API_PORT: envPort.default(3000),
  API_HOST: z.string().min(1).default('0.0.0.0'),
  /** The private key set tokens are signed with (the API alone holds it); JSON, see `jwt.ts`. */
  JWT_SIGNING_KEYS: jwtSigningKeys,
  /** Secrets Manager secret whose string is JWT_SIGNING_KEYS (production); read again on an interval. */
  JWT_SIGNING_KEYS_SECRET_ARN: z.string().min(1).optional(),
  ...jwtKeysRefreshEnvShape,
  JWT_ISSUER: z.string().min(1).default('co-talk'),
  ACCESS_TOKEN_TTL_SECONDS: envPositiveInt.default(3600),
  /** The brief: L1 in-process, 1 minute. */
  CACHE_L1_TTL_SECONDS: envPositiveInt.default(60),
  CACHE_L1_MAX_ENTRIES: envPositiveInt.default(10_000),
  /** The brief: L2 Redis, 1 hour. */
  CACHE_L2_TTL_SECONDS: envPositiveInt.default(3600),
  /** Message search: OpenSearch when configured, else PostgreSQL full-text. */
  ...searchEnvShape,
  /** Failed sign-ins per account (email) before each further one locks it, with doubling locks. */
  SIGN_IN_MAX_FAILURES_PER_ACCOUNT: envPositiveInt.default(5),
  /** Failed sign-ins per client address (IPv6: per /64) before the backoff starts. */
  SIGN_IN_MAX_FAILURES_PER_IP: envPositiveInt.default(100),
  /** The first lock after the limit; each further failure doubles it. */
  SIGN_IN_LOCKOUT_BASE_SECONDS: envPositiveInt.default(30),
  /** The longest lock, and how long failures are remembered after the last one. */
  SIGN_IN_LOCKOUT_MAX_SECONDS: envPositiveInt.default(900),
  /**
   * Proxies whose X-Forwarded-For is believed (comma-separated addresses or CIDRs, e.g. the
   * load balancer's and Kong's subnets), so throttling sees the client's address. Unset: the
   * connection's peer address is the client.
   */
  API_TRUSTED_PROXIES: z
    .string()
    .min(1)
    .transform((value) => value.split(',').map((entry) => entry.trim()))
    .optional(),
  /** Apply pending migrations at start-up (under an advisory lock, so replicas may start together). */
  MIGRATE_ON_START: envBoolean.default(true),
  MIGRATIONS_DIR: z.string().min(1).default(join(__dirname, '../migrations')),
};

/**
 * What `main.js migrate` reads: the database (as the master user, in production the migrations
 * Job's secret) and the migrations, nothing of the API's own: the Job holds no token key.
 */
export const migrateEnvShape = {
  ...logEnvShape,
  ...postgresEnvShape,
  MIGRATIONS_DIR: apiEnvShape.MIGRATIONS_DIR,
};

/** The API's parsed configuration. */
export type ApiEnv = z.infer<z.ZodObject<typeof apiEnvShape>>;
