import { hostname } from 'node:os';
import { z } from 'zod';
import { envPort, envPositiveInt, logEnvShape, redisKeyPrefixEnvShape } from '@co-talk/common/env';
import { postgresEnvShape } from '@co-talk/common/postgres';
import { redisEnvShape, redisRoleEnvShapes } from '@co-talk/common/redis';
import { searchEnvShape } from '@co-talk/common/search-client';

/** Every setting the worker reads from its environment. */
export const workerEnvShape = {
  ...logEnvShape,
  ...postgresEnvShape,
  ...redisEnvShape,
  /** The message stream and its consumer group. */
  ...redisRoleEnvShapes.streams,
  ...redisKeyPrefixEnvShape,
  /** Indexing into OpenSearch, when configured. */
  ...searchEnvShape,
  METRICS_PORT: envPort.default(9102),
  /** Entries read per XREADGROUP, and so the largest INSERT. */
  WORKER_BATCH_SIZE: envPositiveInt.max(10_000).default(500),
  /** How long one XREADGROUP waits for new entries; also bounds how long a stop takes. */
  WORKER_BLOCK_MS: envPositiveInt.max(60_000).default(2_000),
  /**
   * An entry pending this long on another consumer is taken over (its consumer is presumed dead).
   * Short, so a message acknowledged to its sender reaches history within 5 s of a worker crash:
   * a batch is stored in milliseconds, and taking over one from a consumer that is merely slow
   * is harmless (storing is idempotent by message id and sender key).
   */
  WORKER_CLAIM_IDLE_MS: envPositiveInt.default(3_000),
  /** How often to look for such entries (XAUTOCLAIM): idle + interval bounds the recovery. */
  WORKER_CLAIM_INTERVAL_MS: envPositiveInt.default(500),
  /** Unique per process; a restarted process gets a new one and its old entries are reclaimed. */
  WORKER_CONSUMER_NAME: z.string().min(1).default(`${hostname()}-${process.pid}`),
  /** Monthly `messages` partitions kept ready beyond the current month. */
  PARTITION_MONTHS_AHEAD: envPositiveInt.max(24).default(3),
};

/** The worker's parsed configuration. */
export type WorkerEnv = z.infer<z.ZodObject<typeof workerEnvShape>>;
