import type { ApiApp, ApiContext } from '../context';
import { historyPage, searchMessages } from '../messages';
import { authErrors, messageSchema, plainText, roomIdParams, uuid } from '../schemas';

const DEFAULT_PAGE = 50;
const MAX_PAGE = 200;

/** Message history (keyset pagination on created_at, id) and search (see `../messages`). */
export function messageRoutes(app: ApiApp, ctx: ApiContext): void {
  const security = [{ bearerAuth: [] }];

  app.get(
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
            additionalProperties: false,
          },
          ...authErrors,
        },
      },
    },
    async (request) =>
      historyPage(ctx, request.params.roomId, request.userId, request.query.limit, request.query.before),
  );

  app.get(
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
            q: plainText(1, 200),
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
            additionalProperties: false,
          },
          ...authErrors,
        },
      },
    },
    async (request) => {
      const { q, roomId, limit } = request.query;
      return { messages: await searchMessages(ctx, request.userId, q, limit, roomId), backend: ctx.search.backend };
    },
  );
}
