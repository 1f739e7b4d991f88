import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context';
import { badRequest, notFound } from '../http-errors';
import { authErrors, messageSchema, roomIdParams, uuid } from '../schemas';
import { roleIn } from './rooms';

const DEFAULT_PAGE = 50;
const MAX_PAGE = 200;

interface MessageRow {
  id: string;
  chat_room_id: string;
  sender_id: string;
  content: string;
  created_at: Date;
  /** created_at to the microsecond, so a cursor never skips or repeats a row. */
  created_at_exact: string;
}

/** A cursor is the last row's (created_at, id), opaque to clients. */
export function encodeCursor(createdAt: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');
}

export function decodeCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (
      typeof createdAt === 'string' &&
      !Number.isNaN(Date.parse(createdAt)) &&
      typeof id === 'string' &&
      /^[0-9a-f-]{36}$/i.test(id)
    ) {
      return { createdAt, id };
    }
  } catch {
    // fall through to the 400 below
  }
  throw badRequest('query.before', 'is not a cursor returned by this API');
}

const SELECT_PAGE = `
  SELECT id, chat_room_id, sender_id, content, created_at,
         to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at_exact
  FROM messages WHERE chat_room_id = $1`;

/** Message history (keyset pagination on created_at, id) and search. Both read from the replica. */
export function messageRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const security = [{ bearerAuth: [] }];
  const toMessage = (r: MessageRow): Record<string, string> => ({
    id: r.id,
    roomId: r.chat_room_id,
    senderId: r.sender_id,
    content: r.content,
    createdAt: r.created_at.toISOString(),
  });

  app.get<{ Params: { roomId: string }; Querystring: { limit: number; before?: string } }>(
    '/v1/rooms/:roomId/messages',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['messages'],
        summary: 'Messages of a room, newest first; pass nextCursor as `before` for the next page',
        security,
        params: roomIdParams,
        querystring: {
          type: 'object',
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE, default: DEFAULT_PAGE },
            before: { type: 'string', maxLength: 200 },
          },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              messages: { type: 'array', items: messageSchema },
              nextCursor: { type: ['string', 'null'] },
            },
            required: ['messages', 'nextCursor'],
          },
          ...authErrors,
        },
      },
    },
    async (request) => {
      const { roomId } = request.params;
      const { limit, before } = request.query;
      if (!(await roleIn(ctx.postgres.reader, roomId, request.userId))) throw notFound('room');
      const order = 'ORDER BY created_at DESC, id DESC LIMIT';
      const cursor = before ? decodeCursor(before) : undefined;
      const { rows } = cursor
        ? await ctx.postgres.reader.query<MessageRow>(
            `${SELECT_PAGE} AND (created_at, id) < ($2::timestamptz, $3::uuid) ${order} $4`,
            [roomId, cursor.createdAt, cursor.id, limit + 1],
          )
        : await ctx.postgres.reader.query<MessageRow>(`${SELECT_PAGE} ${order} $2`, [roomId, limit + 1]);
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        messages: page.map(toMessage),
        nextCursor: rows.length > limit && last ? encodeCursor(last.created_at_exact, last.id) : null,
      };
    },
  );

  app.get<{ Querystring: { q: string; roomId?: string; limit: number } }>(
    '/v1/messages/search',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['messages'],
        summary: "Full-text search in the caller's rooms (or one of them)",
        security,
        querystring: {
          type: 'object',
          properties: {
            q: { type: 'string', minLength: 1, maxLength: 200 },
            roomId: uuid,
            limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
          },
          required: ['q'],
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: { messages: { type: 'array', items: messageSchema }, backend: { type: 'string' } },
            required: ['messages', 'backend'],
          },
          ...authErrors,
        },
      },
    },
    async (request) => {
      const { q, roomId, limit } = request.query;
      let rooms: string[];
      if (roomId) {
        if (!(await roleIn(ctx.postgres.reader, roomId, request.userId))) throw notFound('room');
        rooms = [roomId];
      } else {
        const { rows } = await ctx.postgres.reader.query<{ room_id: string }>(
          'SELECT room_id FROM room_members WHERE user_id = $1',
          [request.userId],
        );
        rooms = rows.map((r) => r.room_id);
      }
      return { messages: await ctx.search.search(q, rooms, limit), backend: ctx.search.backend };
    },
  );
}
