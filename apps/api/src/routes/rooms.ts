import type { FastifyInstance } from 'fastify';
import type { Pool, PoolClient } from 'pg';
import type { ApiContext } from '../context';
import { badRequest, conflict, forbidden, notFound } from '../http-errors';
import { authErrors, errorSchema, roomIdParams, roomSchema, timestamp, uuid } from '../schemas';

const MAX_INITIAL_MEMBERS = 100;

interface RoomRow {
  id: string;
  name: string;
  created_by: string;
  created_at: Date;
}

const toRoom = (r: RoomRow): Record<string, string> => ({
  id: r.id,
  name: r.name,
  createdBy: r.created_by,
  createdAt: r.created_at.toISOString(),
});

const memberSchema = {
  type: 'object',
  properties: { userId: uuid, role: { type: 'string', enum: ['owner', 'member'] }, joinedAt: timestamp },
  required: ['userId', 'role', 'joinedAt'],
} as const;

/** The caller's role in a room, or undefined when not a member. */
export async function roleIn(pool: Pool | PoolClient, roomId: string, userId: string): Promise<string | undefined> {
  const { rows } = await pool.query<{ role: string }>(
    'SELECT role FROM room_members WHERE room_id = $1 AND user_id = $2',
    [roomId, userId],
  );
  return rows[0]?.role;
}

/** Rooms and their membership. A room is visible only to its members (others get a 404). */
export function roomRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const security = [{ bearerAuth: [] }];

  app.post<{ Body: { name: string; memberIds?: string[] } }>(
    '/v1/rooms',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['rooms'],
        summary: 'Create a room; the caller becomes its owner',
        security,
        body: {
          type: 'object',
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 100 },
            memberIds: { type: 'array', items: uuid, maxItems: MAX_INITIAL_MEMBERS, uniqueItems: true },
          },
          required: ['name'],
          additionalProperties: false,
        },
        response: { 201: roomSchema, ...authErrors },
      },
    },
    async (request, reply) => {
      const members = (request.body.memberIds ?? []).filter((id) => id !== request.userId);
      const client = await ctx.postgres.writer.connect();
      try {
        await client.query('BEGIN');
        const { rows } = await client.query<RoomRow>(
          'INSERT INTO chat_rooms (name, created_by) VALUES ($1, $2) RETURNING id, name, created_by, created_at',
          [request.body.name, request.userId],
        );
        const room = rows[0];
        await client.query(
          `INSERT INTO room_members (room_id, user_id, role)
           SELECT $1, u, CASE WHEN u = $2 THEN 'owner' ELSE 'member' END FROM unnest($3::uuid[]) AS u`,
          [room.id, request.userId, [request.userId, ...members]],
        );
        await client.query('COMMIT');
        await ctx.members.created(room.id, [request.userId, ...members]);
        return reply.code(201).send(toRoom(room));
      } catch (err) {
        await client.query('ROLLBACK');
        if ((err as { code?: string }).code === '23503')
          throw badRequest('body.memberIds', 'names a user that does not exist');
        throw err;
      } finally {
        client.release();
      }
    },
  );

  app.get(
    '/v1/rooms',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['rooms'],
        summary: 'Rooms the caller belongs to',
        security,
        response: {
          200: { type: 'object', properties: { rooms: { type: 'array', items: roomSchema } }, required: ['rooms'] },
          ...authErrors,
        },
      },
    },
    async (request) => {
      const { rows } = await ctx.postgres.reader.query<RoomRow>(
        `SELECT r.id, r.name, r.created_by, r.created_at FROM room_members m JOIN chat_rooms r ON r.id = m.room_id
         WHERE m.user_id = $1 ORDER BY r.created_at DESC, r.id`,
        [request.userId],
      );
      return { rooms: rows.map(toRoom) };
    },
  );

  app.get<{ Params: { roomId: string } }>(
    '/v1/rooms/:roomId',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['rooms'],
        summary: 'One room',
        security,
        params: roomIdParams,
        response: { 200: roomSchema, ...authErrors },
      },
    },
    async (request) => {
      const { rows } = await ctx.postgres.reader.query<RoomRow>(
        `SELECT r.id, r.name, r.created_by, r.created_at FROM chat_rooms r
         JOIN room_members m ON m.room_id = r.id AND m.user_id = $2 WHERE r.id = $1`,
        [request.params.roomId, request.userId],
      );
      if (!rows[0]) throw notFound('room');
      return toRoom(rows[0]);
    },
  );

  app.get<{ Params: { roomId: string } }>(
    '/v1/rooms/:roomId/members',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['rooms'],
        summary: "A room's members",
        security,
        params: roomIdParams,
        response: {
          200: {
            type: 'object',
            properties: { members: { type: 'array', items: memberSchema } },
            required: ['members'],
          },
          ...authErrors,
        },
      },
    },
    async (request) => {
      if (!(await roleIn(ctx.postgres.reader, request.params.roomId, request.userId))) throw notFound('room');
      const { rows } = await ctx.postgres.reader.query<{ user_id: string; role: string; joined_at: Date }>(
        'SELECT user_id, role, joined_at FROM room_members WHERE room_id = $1 ORDER BY joined_at, user_id',
        [request.params.roomId],
      );
      return { members: rows.map((r) => ({ userId: r.user_id, role: r.role, joinedAt: r.joined_at.toISOString() })) };
    },
  );

  app.post<{ Params: { roomId: string }; Body: { userId: string } }>(
    '/v1/rooms/:roomId/members',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['rooms'],
        summary: 'Add a user to a room (any member may)',
        security,
        params: roomIdParams,
        body: { type: 'object', properties: { userId: uuid }, required: ['userId'], additionalProperties: false },
        response: { 201: memberSchema, ...authErrors, 409: errorSchema },
      },
    },
    async (request, reply) => {
      const { roomId } = request.params;
      if (!(await roleIn(ctx.postgres.writer, roomId, request.userId))) throw notFound('room');
      try {
        const { rows } = await ctx.postgres.writer.query<{ joined_at: Date }>(
          `INSERT INTO room_members (room_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING joined_at`,
          [roomId, request.body.userId],
        );
        if (!rows[0]) throw conflict('already a member');
        await ctx.members.added(roomId, request.body.userId);
        return reply
          .code(201)
          .send({ userId: request.body.userId, role: 'member', joinedAt: rows[0].joined_at.toISOString() });
      } catch (err) {
        if ((err as { code?: string }).code === '23503')
          throw badRequest('body.userId', 'names a user that does not exist');
        throw err;
      }
    },
  );

  app.delete<{ Params: { roomId: string; userId: string } }>(
    '/v1/rooms/:roomId/members/:userId',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['rooms'],
        summary: 'Leave a room, or remove a member (owner only)',
        security,
        params: {
          type: 'object',
          properties: { roomId: uuid, userId: uuid },
          required: ['roomId', 'userId'],
          additionalProperties: false,
        },
        response: { 204: { type: 'null' }, ...authErrors, 403: errorSchema },
      },
    },
    async (request, reply) => {
      const { roomId, userId } = request.params;
      const role = await roleIn(ctx.postgres.writer, roomId, request.userId);
      if (!role) throw notFound('room');
      if (userId !== request.userId && role !== 'owner') throw forbidden('only the owner may remove other members');
      const result = await ctx.postgres.writer.query('DELETE FROM room_members WHERE room_id = $1 AND user_id = $2', [
        roomId,
        userId,
      ]);
      if (result.rowCount === 0) throw notFound('member');
      await ctx.members.removed(roomId, userId);
      return reply.code(204).send();
    },
  );
}
