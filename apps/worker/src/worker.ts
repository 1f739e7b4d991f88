import type { Server } from 'node:http';
import { MESSAGE_CONSUMER_GROUP, MESSAGE_STREAM_KEY } from '@co-talk/common/chat-message';
import { createLogger, type Logger } from '@co-talk/common/logger';
import { createMetricsRegistry, startProbeServer } from '@co-talk/common/metrics';
import { createPostgres, postgresOptionsFromEnv } from '@co-talk/common/postgres';
import { createRedis, redisOptionsFromEnv } from '@co-talk/common/redis';
import { searchOptionsFromEnv } from '@co-talk/common/search-client';
import type { WorkerEnv } from './config';
import { ensurePartitions, isDataError, storeMessages } from './message-store';
import { SearchIndexer } from './search-indexer';
import { StreamConsumer } from './stream-consumer';
import { createWorkerMetrics } from './worker-metrics';

/** How often partition maintenance runs; far more often than a month, so a missed run is harmless. */
const PARTITION_CHECK_MS = 60 * 60 * 1000;
/** Consumers idle this long with nothing pending are stopped processes; their names are removed. */
const STALE_CONSUMER_MS = 24 * 60 * 60 * 1000;

/** A running worker: the consumer loop, partition maintenance and the probe server. */
export interface Worker {
  /** The probe server's port (useful when METRICS_PORT is 0 in tests). */
  readonly port: number;
  readonly consumer: StreamConsumer;
  /** Stops reading, finishes the batch in hand, closes every connection. */
  stop(): Promise<void>;
}

/** Builds and starts the worker from parsed configuration. */
export async function startWorker(
  env: WorkerEnv,
  logger: Logger = createLogger({ service: 'worker', level: env.LOG_LEVEL }),
): Promise<Worker> {
  const streamKey = `${env.REDIS_KEY_PREFIX}${MESSAGE_STREAM_KEY}`;
  const postgres = createPostgres(postgresOptionsFromEnv(env, 'co-talk-worker'));
  // The blocking reader gets its own connection; the other holds short commands (metrics).
  const reader = createRedis(redisOptionsFromEnv(env, 'streams', 'co-talk-worker-reader'));
  const commands = createRedis(redisOptionsFromEnv(env, 'streams', 'co-talk-worker'));
  const searchOptions = searchOptionsFromEnv(env);
  const indexer = searchOptions ? new SearchIndexer(searchOptions) : undefined;

  const registry = createMetricsRegistry('worker');
  const metrics = createWorkerMetrics(registry, () => streamState(commands, streamKey));

  const maintainPartitions = async (): Promise<void> => {
    try {
      const created = await ensurePartitions(postgres.writer, env.PARTITION_MONTHS_AHEAD);
      if (created > 0) logger.info({ created }, 'created message partitions ahead of time');
    } catch (err) {
      logger.error({ err }, 'partition maintenance failed; retrying next round');
    }
  };
  await maintainPartitions();

  const consumer = new StreamConsumer({
    redis: reader,
    streamKey,
    group: MESSAGE_CONSUMER_GROUP,
    consumer: env.WORKER_CONSUMER_NAME,
    deadLetterKey: `${streamKey}:dead`,
    batchSize: env.WORKER_BATCH_SIZE,
    blockMs: env.WORKER_BLOCK_MS,
    claimIdleMs: env.WORKER_CLAIM_IDLE_MS,
    claimIntervalMs: env.WORKER_CLAIM_INTERVAL_MS,
    sink: {
      store: (messages) => storeMessages(postgres.writer, messages),
      index: async (messages) => indexer?.index(messages),
      isDataError,
    },
    metrics,
    logger,
  });
  await consumer.start();

  const pruneConsumers = async (): Promise<void> => {
    try {
      const removed = await consumer.pruneConsumers(STALE_CONSUMER_MS);
      if (removed.length > 0) logger.info({ removed }, 'removed stale consumers');
    } catch (err) {
      logger.warn({ err }, 'consumer pruning failed; retrying next round');
    }
  };
  const maintenanceTimer = setInterval(() => {
    void maintainPartitions();
    void pruneConsumers();
  }, PARTITION_CHECK_MS);
  maintenanceTimer.unref();

  const server: Server = await startProbeServer(env.METRICS_PORT, {
    registry,
    ready: async () => (await postgres.writer.query('SELECT 1')).rowCount === 1 && (await commands.ping()) === 'PONG',
  });
  const address = server.address();
  logger.info({ consumer: env.WORKER_CONSUMER_NAME, stream: streamKey }, 'worker started');

  return {
    port: typeof address === 'object' && address ? address.port : env.METRICS_PORT,
    consumer,
    async stop() {
      clearInterval(maintenanceTimer);
      await consumer.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await Promise.all([reader.quit(), commands.quit(), postgres.close(), indexer?.close()]);
      logger.info('worker stopped');
    },
  };
}

/** Lag and pending count of the consumer group, from XINFO GROUPS. */
export async function streamState(
  redis: ReturnType<typeof createRedis>,
  streamKey: string,
): Promise<{ lag: number; pending: number }> {
  const groups = (await redis.xinfo('GROUPS', streamKey)) as (string | number | null)[][];
  for (const fields of groups) {
    const info = new Map<string, string | number | null>();
    for (let i = 0; i < fields.length; i += 2) info.set(String(fields[i]), fields[i + 1]);
    if (info.get('name') === MESSAGE_CONSUMER_GROUP) {
      return { lag: Number(info.get('lag') ?? 0), pending: Number(info.get('pending') ?? 0) };
    }
  }
  return { lag: 0, pending: 0 };
}
