import type { Pool } from 'pg';
import type { ChatMessage } from '@co-talk/common/chat-message';

/**
 * Writes messages to PostgreSQL. One INSERT per batch (arrays unnested server-side), and
 * ON CONFLICT DO NOTHING on (id, created_at): a message delivered twice is stored once.
 */

const INSERT_BATCH = `
  INSERT INTO messages (id, chat_room_id, sender_id, client_msg_id, content, created_at)
  SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::timestamptz[])
  ON CONFLICT (id, created_at) DO NOTHING`;

/** Stores `messages`; returns how many were new (the rest were already stored). */
export async function storeMessages(pool: Pool, messages: readonly ChatMessage[]): Promise<number> {
  if (messages.length === 0) return 0;
  const result = await pool.query(INSERT_BATCH, [
    messages.map((m) => m.id),
    messages.map((m) => m.roomId),
    messages.map((m) => m.senderId),
    messages.map((m) => m.clientMsgId),
    messages.map((m) => m.content),
    messages.map((m) => m.createdAt),
  ]);
  return result.rowCount ?? 0;
}

/**
 * True when PostgreSQL rejected the data itself (SQLSTATE classes 22 "data exception" and 23
 * "integrity constraint violation", e.g. no partition for the row's month): retrying cannot help.
 */
export function isDataError(err: unknown): boolean {
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
