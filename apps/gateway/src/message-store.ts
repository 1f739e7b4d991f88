import { MESSAGE_STREAM_KEY, STREAM_MESSAGE_FIELD, roomChannel, type ChatMessage } from '@co-talk/common/chat-message';
import { type RedisClient } from '@co-talk/common/redis';
import { startSend, type SendTrace } from '@co-talk/common/tracing';
import { uuidv7 } from './uuidv7';

/** A message rate shared by every connection of one user (or one source address), on every instance. */
export interface RateLimit {
  readonly perSecond: number;
  /** Messages allowed at once above the rate after a quiet spell. */
  readonly burst: number;
}

/** Settings for {@link MessageStore}. */
export interface MessageStoreOptions {
  /** Prefix for the keys the gateway writes (empty in production). */
  readonly keyPrefix: string;
  readonly idempotencyTtlSeconds: number;
  readonly streamMaxLen: number;
  /** SPUBLISH (cluster mode) instead of PUBLISH. */
  readonly sharded: boolean;
  readonly perUser: RateLimit;
  readonly perAddress: RateLimit;
}

/** The outcome of offering a message. */
export type Accepted =
  | {
      readonly kind: 'stored' | 'duplicate';
      readonly id: string;
      readonly createdAt: string;
      /** The message JSON to fan out, or null for a duplicate. */
      readonly json: string | null;
      /** False when the message is stored but the publish failed (members here still get it locally). */
      readonly published: boolean;
    }
  | {
      readonly kind: 'limited';
      /** Whose rate was exceeded. */
      readonly by: 'user' | 'address';
      /** When the next message would be accepted. */
      readonly retryAfterMs: number;
    };

/**
 * One atomic step on the streams cluster, so no crash can separate its parts (all keys share the
 * stream's hash slot):
 *
 * 1. An idempotency record for (room, sender, clientMsgId) exists → return it: the first
 *    attempt's id, nothing written.
 * 2. The sender's and the source address's rates (GCRA: one "theoretical arrival time" per key,
 *    on the server's clock) → over either, return which, nothing written.
 * 3. XADD the message (its id chosen by the gateway before), write the idempotency record and
 *    the two rate keys.
 *
 * A gateway that dies before the script runs stored nothing; one that dies after it left the
 * message and its record together, so the client's resend gets the first id. There is no
 * "in progress" state to time out.
 *
 * KEYS: idempotency record, stream, user rate, address rate.
 * ARGV: record (`<id>|<createdAt>`), message JSON, record TTL (s), stream MAXLEN, then per rate
 * the emission interval and the burst tolerance (ms), then any extra stream entry fields
 * (the trace context of a sampled send).
 */
const STORE_SCRIPT = `
local previous = redis.call('GET', KEYS[1])
if previous then return {1, previous} end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local tats = {}
for i = 0, 1 do
  local interval = tonumber(ARGV[5 + i * 2])
  local tolerance = tonumber(ARGV[6 + i * 2])
  local tat = tonumber(redis.call('GET', KEYS[3 + i]) or '0')
  if tat < now then tat = now end
  if tat - now > tolerance then return {2, i, tostring(math.ceil(tat - now - tolerance))} end
  tats[i + 1] = tat + interval
end
local entry = {'XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', '${STREAM_MESSAGE_FIELD}', ARGV[2]}
for i = 9, #ARGV do entry[#entry + 1] = ARGV[i] end
redis.call(unpack(entry))
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
for i = 0, 1 do
  redis.call('SET', KEYS[3 + i], tostring(tats[i + 1]), 'PX', math.ceil(tats[i + 1] - now) + 1)
end
return {0}
`;

type StoreReply = [0] | [1, string] | [2, 0 | 1, string];

/** A message as offered by `senderId` (connected from `address`), before it has an id. */
export interface Offer {
  readonly senderId: string;
  readonly address: string;
  readonly roomId: string;
  readonly clientMsgId: string;
  readonly content: string;
}

interface StoringClient {
  storeMessage(...args: Array<string | number>): Promise<StoreReply>;
}

/**
 * Accepts chat messages: assigns the server id, makes a resend of the same clientMsgId harmless,
 * holds each user and source address to its rate, appends to the stream for the worker, then
 * publishes to the room's channel. A message is acknowledged (the caller acks on return) only
 * once it is in the stream, so an acked message is never lost.
 */
export class MessageStore {
  private readonly streamKey: string;
  /** Every key of the script hashes to the stream's slot (cluster mode). */
  private readonly slotTag: string;
  private readonly rateArgs: number[];

  /**
   * @param redis the streams cluster: idempotency records, rates and the stream.
   * @param publisher the pub/sub cluster: the room channels.
   */
  constructor(
    private readonly redis: RedisClient,
    private readonly publisher: RedisClient,
    private readonly options: MessageStoreOptions,
  ) {
    this.streamKey = `${options.keyPrefix}${MESSAGE_STREAM_KEY}`;
    this.slotTag = `{${this.streamKey}}`;
    this.rateArgs = [options.perUser, options.perAddress].flatMap(({ perSecond, burst }) => {
      const interval = 1000 / perSecond;
      return [interval, interval * Math.max(0, burst - 1)];
    });
    if (!('storeMessage' in redis)) redis.defineCommand('storeMessage', { numberOfKeys: 4, lua: STORE_SCRIPT });
  }

  /** Offers a message for storage. */
  async accept(offer: Offer): Promise<Accepted> {
    // Sampled once per send; the stream entry carries the trace to the worker.
    const traced = startSend({ 'chat.room.id': offer.roomId });
    try {
      const accepted = await this.store(traced, offer);
      traced.end();
      return accepted;
    } catch (err) {
      traced.end(err);
      throw err;
    }
  }

  private async store(traced: SendTrace, offer: Offer): Promise<Accepted> {
    const { senderId, address, roomId, clientMsgId, content } = offer;
    const now = Date.now();
    const id = uuidv7(now);
    const createdAt = new Date(now).toISOString();
    const message: ChatMessage = { id, roomId, senderId, clientMsgId, content, createdAt };
    const json = JSON.stringify(message);
    const prefix = this.options.keyPrefix;
    const reply = await traced.append((trace) =>
      (this.redis as unknown as StoringClient).storeMessage(
        `${prefix}chat:idem:${this.slotTag}:${roomId}:${senderId}:${clientMsgId}`,
        this.streamKey,
        `${prefix}chat:rate:${this.slotTag}:user:${senderId}`,
        `${prefix}chat:rate:${this.slotTag}:addr:${address}`,
        `${id}|${createdAt}`,
        json,
        this.options.idempotencyTtlSeconds,
        this.options.streamMaxLen,
        ...this.rateArgs,
        ...trace,
      ),
    );
    if (reply[0] === 1) {
      const [firstId, firstCreatedAt] = reply[1].split('|');
      return { kind: 'duplicate', id: firstId, createdAt: firstCreatedAt, json: null, published: true };
    }
    if (reply[0] === 2) {
      return { kind: 'limited', by: reply[1] === 0 ? 'user' : 'address', retryAfterMs: Number(reply[2]) };
    }
    // Stored: from here on the message is acknowledged whatever happens to the publish.
    const channel = roomChannel(roomId);
    const published = await (
      this.options.sharded ? this.publisher.spublish(channel, json) : this.publisher.publish(channel, json)
    ).then(
      () => true,
      () => false,
    );
    return { kind: 'stored', id, createdAt, json, published };
  }
}
