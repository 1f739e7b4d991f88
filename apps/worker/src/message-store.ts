import type { Pool } from 'pg';
import type { ChatMessage } from '@co-talk/common';

/**
 * Writes messages to PostgreSQL, one INSERT per batch (arrays unnested server-side).
 *
 * Two keys make a delivery idempotent: the message id (a redelivered stream entry) and the
 * sender's key (room, sender, clientMsgId), which `message_keys` holds for every stored message
 * (migration 005: a trigger writes it in the same statement and its primary key refuses a second
 * message with the same key). A message whose key is taken is already stored, as itself or as
 * an earlier copy with another id (a resend the gateway did not recognise): it is skipped, and
 * reported as such so it is not indexed for search either.
 */

const STORE_BATCH = `
  WITH batch AS (
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::timestamptz[])
      AS b(id, chat_room_id, sender_id, client_msg_id, content, created_at)
  ),
  known AS (
    SELECT b.id, k.message_id FROM batch b JOIN message_keys k
      ON k.chat_room_id = b.chat_room_id AND k.sender_id = b.sender_id AND k.client_msg_id = b.client_msg_id
  ),
  inserted AS (
    INSERT INTO messages (id, chat_room_id, sender_id, client_msg_id, content, created_at)
    SELECT * FROM batch WHERE id NOT IN (SELECT id FROM known)
    ON CONFLICT (id, created_at) DO NOTHING
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM inserted)::int AS stored,
         ARRAY(SELECT id FROM known WHERE message_id <> id) AS copies`;

/** The constraint that refuses a second message with the same (room, sender, clientMsgId). */
const KEY_CONSTRAINT = 'message_keys_pkey';
/** A conflict means another writer stored the same key a moment ago; the retry then sees it. */
const KEY_CONFLICT_RETRIES = 3;

/** What {@link storeMessages} did with a batch. */
export interface StoreResult {
  /** Messages newly stored. */
  readonly stored: number;
  /** Ids of messages not stored because another message with the same key already is. */
  readonly copies: readonly string[];
}

/** The sender's idempotency key of a message. */
const senderKey = (m: ChatMessage): string => `${m.roomId}\n${m.senderId}\n${m.clientMsgId}`;

/** Stores `messages`; the rest were already stored (redeliveries) or are copies of stored ones. */
export async function storeMessages(pool: Pool, messages: readonly ChatMessage[]): Promise<StoreResult> {
  if (messages.length === 0) return { stored: 0, copies: [] };
  // Two messages with one key in one statement would both pass the filter and then conflict
  // with each other: the first of them is the message, the others are copies.
  const first = new Map<string, ChatMessage>();
  const inBatchCopies: string[] = [];
  for (const m of messages) {
    const held = first.get(senderKey(m));
    if (!held) first.set(senderKey(m), m);
    else if (held.id !== m.id) inBatchCopies.push(m.id);
  }
  const batch = [...first.values()];
  for (let attempt = 1; ; attempt += 1) {
    try {
      const { rows } = await pool.query<{ stored: number; copies: string[] }>(STORE_BATCH, [
        batch.map((m) => m.id),
        batch.map((m) => m.roomId),
        batch.map((m) => m.senderId),
        batch.map((m) => m.clientMsgId),
        batch.map((m) => m.content),
        batch.map((m) => m.createdAt),
      ]);
      return { stored: rows[0].stored, copies: [...rows[0].copies, ...inBatchCopies] };
    } catch (err) {
      if (!isKeyConflict(err)) throw err;
      // Another writer committed one of these keys between our filter and our insert.
      if (attempt >= KEY_CONFLICT_RETRIES) throw new KeyConflictError(err);
    }
  }
}

/** The sender's key of a message was taken concurrently, more often than retries allow. */
export class KeyConflictError extends Error {
  constructor(cause: unknown) {
    super('messages kept conflicting on their sender keys; the batch will be retried', { cause });
    this.name = 'KeyConflictError';
  }
}

function isKeyConflict(err: unknown): boolean {
  const { code, constraint } = err as { code?: unknown; constraint?: unknown };
  return code === '23505' && constraint === KEY_CONSTRAINT;
}

/**
 * True when PostgreSQL rejected the data itself (SQLSTATE classes 22 "data exception" and 23
 * "integrity constraint violation", e.g. no partition for the row's month): retrying cannot help.
 * A sender-key conflict is not one: it means the message is stored, and a retry says so.
 */
export function isDataError(err: unknown): boolean {
  if (err instanceof KeyConflictError || isKeyConflict(err)) return false;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

/** Creates `messages` partitions for this month and `monthsAhead` more. Returns how many were new. */
export async function ensurePartitions(pool: Pool, monthsAhead: number, now = new Date()): Promise<number> {
  const result = await pool.query<{ created: number }>('SELECT ensure_message_partitions($1, $2) AS created', [
    now,
    monthsAhead,
  ]);
  return result.rows[0].created;
}
