import { z } from 'zod';
import { messageTextSchema } from './message-text';

/**
 * The contract between the gateway (producer) and the worker (consumer), and between gateway
 * instances (pub/sub fan-out). Changing a field here changes both sides at once.
 */

/** The Redis Stream every accepted message is appended to (XADD) for the worker. */
export const MESSAGE_STREAM_KEY = 'chat:messages';
/** The worker's consumer group on {@link MESSAGE_STREAM_KEY}. */
export const MESSAGE_CONSUMER_GROUP = 'chat-workers';

/** The pub/sub channel a room's messages are fanned out on across gateway instances. */
export function roomChannel(roomId: string): string {
  return `chat:room:{${roomId}}`;
}

/** A chat message as it travels on the stream and the pub/sub channels. */
export const chatMessageSchema = z
  .object({
    /** Server-assigned id (UUIDv7: time-ordered, unique across gateways). */
    id: z.uuid(),
    roomId: z.uuid(),
    senderId: z.uuid(),
    /** The sender's idempotency key: a resend with the same key is the same message. */
    clientMsgId: z.string().min(1).max(64),
    /** Within the message-text contract (`message-text.ts`): what the gateway acked, byte for byte. */
    content: messageTextSchema,
    /** ISO-8601 UTC timestamp set by the gateway. */
    createdAt: z.iso.datetime(),
  })
  .strict();

/** A chat message on the stream or a pub/sub channel. */
export type ChatMessage = z.infer<typeof chatMessageSchema>;

/** Stream entries carry the message as one JSON field, so the schema above is the only format. */
export const STREAM_MESSAGE_FIELD = 'message';
