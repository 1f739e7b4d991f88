import type { ApiApp, ApiContext } from '../context';
import { getFriends, writeThroughFriends } from '../friends';
import { badRequest, conflict, notFound } from '../http-errors';
import { authErrors, errorSchema, timestamp, uuid } from '../schemas';
import { withTransaction } from '../transaction';

const STATUSES = ['requested', 'pending', 'accepted'] as const;

const friendSchema = {
  type: 'object',
  properties: { userId: uuid, status: { type: 'string', enum: STATUSES }, since: timestamp },
  required: ['userId', 'status', 'since'],
  additionalProperties: false,
} as const;

const userIdParams = {
  type: 'object',
  properties: { userId: uuid },
  required: ['userId'],
  additionalProperties: false,
} as const;

/** Friend lists (cached) and the request/accept flow (written through to both cache levels). */
export function friendRoutes(app: ApiApp, ctx: ApiContext): void {
  const security = [{ bearerAuth: [] }];

  app.get(
    '/v1/friends',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['friends'],
        summary: "The caller's friends and open requests",
        security,
        querystring: {
          type: 'object',
          properties: { status: { type: 'string', enum: STATUSES } },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: { friends: { type: 'array', items: friendSchema } },
            required: ['friends'],
            additionalProperties: false,
          },
          ...authErrors,
        },
      },
    },
    async (request, reply) => {
      const { friends, source } = await getFriends(ctx, request.userId);
      // Tells a client (and the tests) which level answered; the data is the caller's own.
      reply.header('x-cache', source);
      const status = request.query.status;
      return { friends: status ? friends.filter((f) => f.status === status) : friends };
    },
  );

  app.post(
    '/v1/friends/requests',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['friends'],
        summary: 'Ask another user to be friends',
        security,
        body: userIdParams,
        response: { 201: friendSchema, ...authErrors, 409: errorSchema },
      },
    },
    async (request, reply) => {
      const me = request.userId;
      const other = request.body.userId;
      if (other === me) throw badRequest('body.userId', 'must be another user');
      const since = await withTransaction(ctx.postgres.writer, async (client) => {
        const exists = await client.query('SELECT 1 FROM users WHERE id = $1', [other]);
        if (exists.rowCount === 0) throw notFound('user');
        const inserted = await client.query<{ updated_at: Date }>(
          `INSERT INTO friends (user_id, friend_id, status) VALUES ($1, $2, 'requested'), ($2, $1, 'pending')
           ON CONFLICT DO NOTHING RETURNING updated_at`,
          [me, other],
        );
        if (inserted.rowCount !== 2) throw conflict('a request or friendship between these users exists');
        return inserted.rows[0].updated_at;
      });
      await writeThroughFriends(ctx, me, other);
      return reply.code(201).send({ userId: other, status: 'requested', since: since.toISOString() });
    },
  );

  app.post(
    '/v1/friends/requests/:userId/accept',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['friends'],
        summary: 'Accept a pending request from userId',
        security,
        params: userIdParams,
        response: { 200: friendSchema, ...authErrors },
      },
    },
    async (request) => {
      const me = request.userId;
      const other = request.params.userId;
      const { rows } = await ctx.postgres.writer.query<{ updated_at: Date }>(
        `UPDATE friends SET status = 'accepted', updated_at = now()
         WHERE (user_id = $1 AND friend_id = $2 AND status = 'pending')
            OR (user_id = $2 AND friend_id = $1 AND status = 'requested')
         RETURNING updated_at`,
        [me, other],
      );
      if (rows.length !== 2) throw notFound('pending friend request');
      await writeThroughFriends(ctx, me, other);
      return { userId: other, status: 'accepted' as const, since: rows[0].updated_at.toISOString() };
    },
  );
}
