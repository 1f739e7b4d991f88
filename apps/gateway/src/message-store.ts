import { MESSAGE_STREAM_KEY, STREAM_MESSAGE_FIELD, roomChannel, type ChatMessage } from '@co-talk/common/chat-message';
import { type RedisClient } from '@co-talk/common/redis';
import { uuidv7 } from './uuidv7';

/** Settings for {@link MessageStore}. */
export interface MessageStoreOptions {
  /** Prefix for the keys the gateway writes (empty in production). */
  readonly keyPrefix: string;
  readonly idempotencyTtlSeconds: number;
  readonly streamMaxLen: number;
  /** SPUBLISH (cluster mode) instead of PUBLISH. */
  readonly sharded: boolean;
}

/** The outcome of accepting a message. */
export interface Accepted {
  readonly id: string;
  readonly createdAt: string;
  /** True when this clientMsgId was seen before: nothing was written again. */
  readonly duplicate: boolean;
  /** The message JSON to fan out, or null for a duplicate. */
  readonly json: string | null;
  /** False when the message is stored but the publish failed (members here still get it locally). */
  readonly published: boolean;
}

/** A resend arrived while the first attempt is still being written; the client retries shortly. */
export class InProgressError extends Error {}

/** Marks an idempotency entry whose XADD has not succeeded yet. */
const PENDING = 'p';
/**
 * A pending entry outlives any XADD attempt but not by much: if the gateway dies mid-write, the
 * client's resend is accepted again within seconds instead of hearing "in progress" for a day.
 */
const PENDING_TTL_SECONDS = 30;

/**
 * Accepts chat messages: assigns the server id, makes a resend of the same clientMsgId harmless,
 * appends to the stream for the worker, then publishes to the room's channel. A message is only
 * acknowledged (the caller acks on return) after XADD succeeded, so an acked message is never lost.
 */
export class MessageStore {
  private readonly streamKey: string;

  /**
   * @param redis the streams cluster: idempotency keys and the stream.
   * @param publisher the pub/sub cluster: the room channels.
   */
  constructor(
    private readonly redis: RedisClient,
    private readonly publisher: RedisClient,
    private readonly options: MessageStoreOptions,
  ) {
    this.streamKey = `${options.keyPrefix}${MESSAGE_STREAM_KEY}`;
  }

  async accept(senderId: string, roomId: string, clientMsgId: string, content: string): Promise<Accepted> {
    const now = Date.now();
    const id = uuidv7(now);
    const createdAt = new Date(now).toISOString();
    // The room's hash tag keeps the key on the room's shard in cluster mode.
    const key = `${this.options.keyPrefix}chat:idem:{${roomId}}:${senderId}:${clientMsgId}`;
    // One round trip claims the key or returns who claimed it first (SET ... NX GET, Redis 7).
    const claim = `${PENDING}|${id}|${createdAt}`;
    const previous = (await this.redis.call('SET', key, claim, 'EX', PENDING_TTL_SECONDS, 'NX', 'GET')) as
      string | null;
    if (previous !== null) {
      const [state, firstId, firstCreatedAt] = previous.split('|');
      if (state === PENDING) throw new InProgressError(`message ${clientMsgId} is still being stored`);
      return { id: firstId, createdAt: firstCreatedAt, duplicate: true, json: null, published: true };
    }
    const message: ChatMessage = { id, roomId, senderId, clientMsgId, content, createdAt };
    const json = JSON.stringify(message);
    try {
      await this.redis.xadd(this.streamKey, 'MAXLEN', '~', this.options.streamMaxLen, '*', STREAM_MESSAGE_FIELD, json);
    } catch (err) {
      // Not stored, so not acknowledged: release the key so the client's retry can succeed.
      await this.redis.del(key).catch(() => undefined);
      throw err;
    }
    // Stored: from here on the message is acknowledged whatever happens to the two writes below.
    const channel = roomChannel(roomId);
    const [, published] = await Promise.allSettled([
      this.redis.set(key, `ok|${id}|${createdAt}`, 'EX', this.options.idempotencyTtlSeconds, 'XX'),
      this.options.sharded ? this.publisher.spublish(channel, json) : this.publisher.publish(channel, json),
    ]);
    return { id, createdAt, duplicate: false, json, published: published.status === 'fulfilled' };
  }
}
