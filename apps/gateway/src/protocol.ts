import { messageTextSchema } from '@co-talk/common';
import { z } from 'zod';

/**
 * The client/gateway protocol (documented in PROTOCOL.md). A client sends one JSON object per
 * text frame; the gateway sends a JSON array of events per frame, because it coalesces everything
 * a connection gets in one event-loop turn into a single frame.
 */

const roomId = z.uuid();

export const clientFrameSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('join'), roomId }).strict(),
  z.object({ type: z.literal('leave'), roomId }).strict(),
  z
    .object({
      type: z.literal('send'),
      roomId,
      clientMsgId: z.string().min(1).max(64),
      /** The shared message-text contract: refused here, before any ack, when it does not hold. */
      content: messageTextSchema,
    })
    .strict(),
  /** In-band re-authentication: a fresh token for the same user extends the session. */
  z.object({ type: z.literal('auth'), token: z.string().min(1).max(8192) }).strict(),
]);

/** A validated client frame. */
export type ClientFrame = z.infer<typeof clientFrameSchema>;

/** Machine-readable error codes; `message` says the details. */
export type ErrorCode =
  | 'bad_json'
  | 'invalid_frame'
  | 'frame_too_large'
  | 'binary_not_supported'
  | 'rate_limited'
  | 'not_joined'
  | 'not_a_member'
  | 'too_many_rooms'
  | 'unavailable'
  | 'auth_failed'
  | 'draining';

/** The outcome of parsing one inbound frame. */
export type ParseResult =
  { ok: true; frame: ClientFrame } | { ok: false; code: ErrorCode; message: string; ref?: string };

/** Parses and validates a text frame. Never throws. */
export function parseClientFrame(text: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, code: 'bad_json', message: `frame is not JSON: ${(err as Error).message}` };
  }
  const result = clientFrameSchema.safeParse(value);
  if (result.success) return { ok: true, frame: result.data };
  const issue = result.error.issues[0];
  const where = issue.path.length > 0 ? issue.path.join('.') : 'frame';
  return { ok: false, code: 'invalid_frame', message: `${where}: ${issue.message}`, ref: refOf(value) };
}

/** The frame's clientMsgId (else room id) when it has one, so the client can match the error. */
function refOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { clientMsgId, roomId } = value as { clientMsgId?: unknown; roomId?: unknown };
  if (typeof clientMsgId === 'string' && clientMsgId.length <= 64) return clientMsgId;
  if (typeof roomId === 'string' && roomId.length <= 64) return roomId;
  return undefined;
}

/** Server events, serialized once; fan-out reuses the same string for every member. */
export const serverEvent = {
  joined: (roomId: string) => JSON.stringify({ type: 'joined', roomId }),
  /** `removed`: the user was removed from the room (through the API), not a `leave` of theirs. */
  left: (roomId: string, reason?: 'removed') => JSON.stringify({ type: 'left', roomId, reason }),
  ack: (clientMsgId: string, id: string, createdAt: string, duplicate: boolean) =>
    JSON.stringify({ type: 'ack', clientMsgId, id, createdAt, duplicate }),
  error: (code: ErrorCode, message: string, ref?: string) => JSON.stringify({ type: 'error', code, message, ref }),
  reconnect: (reason: string) => JSON.stringify({ type: 'reconnect', reason }),
  /** The token expires at `expiresAt` (seconds since the epoch): send `auth` with a fresh one before. */
  tokenExpiring: (expiresAt: number) => JSON.stringify({ type: 'token_expiring', expiresAt }),
  authenticated: (expiresAt: number) => JSON.stringify({ type: 'authenticated', expiresAt }),
  /** `messageJson` is the JSON of a `ChatMessage` exactly as published; it is not parsed again. */
  message: (messageJson: string) => `{"type":"message","message":${messageJson}}`,
};
