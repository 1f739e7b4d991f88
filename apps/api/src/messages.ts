import type { MessageSearchDocument } from '@co-talk/common/search';
import type { ApiContext } from './context';
import { decodeCursor, encodeCursor } from './cursor';
import { requireMember, roomIdsOf } from './rooms';

/** Message history and search; both read from the replica and only the caller's rooms. */

/** A message as clients read it (the search backends return the same shape). */
export type Message = MessageSearchDocument;

interface MessageRow {
  id: string;
  chat_room_id: string;
  sender_id: string;
  content: string;
  created_at: Date;
  /** created_at to the microsecond, so a cursor never skips or repeats a row. */
  created_at_exact: string;
}

const SELECT_PAGE = `
  SELECT id, chat_room_id, sender_id, content, created_at,
         to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at_exact
  FROM messages WHERE chat_room_id = $1`;
const ORDER = 'ORDER BY created_at DESC, id DESC LIMIT';

const toMessage = (r: MessageRow): Message => ({
  id: r.id,
  roomId: r.chat_room_id,
  senderId: r.sender_id,
  content: r.content,
  createdAt: r.created_at.toISOString(),
});

/** One page of a room's history, newest first, keyset-paginated on (created_at, id). */
export async function historyPage(
  ctx: ApiContext,
  roomId: string,
  userId: string,
  limit: number,
  before?: string,
): Promise<{ messages: Message[]; nextCursor: string | null }> {
  // Before the membership check: a malformed cursor is the client's error whatever the room.
  const cursor = before === undefined ? undefined : decodeCursor(before);
  await requireMember(ctx.postgres.reader, roomId, userId);
  const { rows } = cursor
    ? await ctx.postgres.reader.query<MessageRow>(
        `${SELECT_PAGE} AND (created_at, id) < ($2::timestamptz, $3::uuid) ${ORDER} $4`,
        [roomId, cursor.createdAt, cursor.id, limit + 1],
      )
    : await ctx.postgres.reader.query<MessageRow>(`${SELECT_PAGE} ${ORDER} $2`, [roomId, limit + 1]);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    messages: page.map(toMessage),
    nextCursor: rows.length > limit && last ? encodeCursor(last.created_at_exact, last.id) : null,
  };
}

/** Full-text search in one of the caller's rooms, or all of them. */
export async function searchMessages(
  ctx: ApiContext,
  userId: string,
  query: string,
  limit: number,
  roomId?: string,
): Promise<Message[]> {
  if (roomId === undefined) return ctx.search.search(query, await roomIdsOf(ctx.postgres.reader, userId), limit);
  await requireMember(ctx.postgres.reader, roomId, userId);
  return ctx.search.search(query, [roomId], limit);
}
