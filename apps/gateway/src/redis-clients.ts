import { type Logger } from '@co-talk/common/logger';
import { createRedis, redisOptionsFromEnv, type RedisClient } from '@co-talk/common/redis';
import type { GatewayEnv } from './config';

/**
 * The gateway's Redis connections besides the membership ones (which `RoomMembership` owns):
 * the streams cluster for the message stream, idempotency records and limits, and the pub/sub
 * cluster for fan-out (commands, and a subscribed connection of its own).
 */
export class GatewayRedis {
  /** Streams cluster: the stored-message script (idempotency, limits, XADD) and connection counts. */
  readonly streams: RedisClient;
  /** Pub/sub cluster: PUBLISH / SPUBLISH. */
  readonly publisher: RedisClient;
  /** Pub/sub cluster: the room subscriptions. */
  readonly subscriber: RedisClient;
  /** SPUBLISH/SSUBSCRIBE (cluster mode) rather than PUBLISH/SUBSCRIBE. */
  readonly sharded: boolean;
  /** Set by `quit`: the closes still being handled may write to a connection that is going away. */
  private quitting = false;

  constructor(env: GatewayEnv, connectionName: string, logger: Logger) {
    const pubsub = redisOptionsFromEnv(env, 'pubsub');
    this.sharded = pubsub.clusterMode ?? false;
    this.streams = createRedis({
      ...redisOptionsFromEnv(env, 'streams'),
      connectionName,
      autoPipelining: true,
    });
    this.publisher = createRedis({ ...pubsub, connectionName: `${connectionName}-pub`, autoPipelining: true });
    this.subscriber = createRedis({ ...pubsub, connectionName: `${connectionName}-sub` });
    for (const [client, role] of [
      [this.streams, 'streams'],
      [this.publisher, 'publisher'],
      [this.subscriber, 'subscriber'],
    ] as const) {
      client.on('error', (err: Error) => {
        if (!this.quitting) logger.warn({ err: err.message, role }, 'redis connection error');
      });
      client.on('ready', () => logger.info({ role }, 'redis ready'));
    }
  }

  /** Every connection is up. */
  isReady(): boolean {
    return [this.streams, this.publisher, this.subscriber].every((client) => client.status === 'ready');
  }

  async quit(): Promise<void> {
    this.quitting = true;
    await Promise.allSettled([this.streams.quit(), this.publisher.quit(), this.subscriber.quit()]);
  }
}
