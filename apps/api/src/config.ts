import { join } from 'node:path';
import { z } from 'zod';
import {
  allowedOriginsEnvShape,
  envBoolean,
  envPort,
  envPositiveInt,
  jwtSecret,
  logEnvShape,
  postgresEnvShape,
  redisEnvShape,
  redisKeyPrefixEnvShape,
  redisRoleEnvShapes,
} from '@co-talk/common';

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
  /** Shared with the gateway, which verifies the tokens the API issues. */
  JWT_SECRET: jwtSecret,
  /** Secrets Manager secret whose string is JWT_SECRET (production). */
  JWT_SECRET_ARN: z.string().min(1).optional(),
  JWT_ISSUER: z.string().min(1).default('co-talk'),
  ACCESS_TOKEN_TTL_SECONDS: envPositiveInt.default(3600),
  /** The brief: L1 in-process, 1 minute. */
  CACHE_L1_TTL_SECONDS: envPositiveInt.default(60),
  CACHE_L1_MAX_ENTRIES: envPositiveInt.default(10_000),
  /** The brief: L2 Redis, 1 hour. */
  CACHE_L2_TTL_SECONDS: envPositiveInt.default(3600),
  OPENSEARCH_URL: z.url({ protocol: /^https?$/, error: 'expected http(s)://host:port' }).optional(),
  OPENSEARCH_USERNAME: z.string().min(1).optional(),
  OPENSEARCH_PASSWORD: z.string().min(1).optional(),
  /** Secrets Manager secret `{"username","password"}` (production). */
  OPENSEARCH_SECRET_ARN: z.string().min(1).optional(),
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

/** The API's parsed configuration. */
export type ApiEnv = z.infer<z.ZodObject<typeof apiEnvShape>>;
