import type { ApiApp, ApiContext } from '../context';
import { addMember, createRoom, MAX_INITIAL_MEMBERS, membersOf, removeMember, roomFor, roomsOf } from '../rooms';
import { authErrors, errorSchema, plainText, roomIdParams, roomSchema, timestamp, uuid } from '../schemas';

const memberSchema = {
  type: 'object',
  properties: { userId: uuid, role: { type: 'string', enum: ['owner', 'member'] }, joinedAt: timestamp },
  required: ['userId', 'role', 'joinedAt'],
  additionalProperties: false,
} as const;

/** Rooms and their membership (see `../rooms`). */
export function roomRoutes(app: ApiApp, ctx: ApiContext): void {
  const security = [{ bearerAuth: [] }];

  app.post(
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
            name: plainText(1, 100),
            memberIds: { type: 'array', items: uuid, maxItems: MAX_INITIAL_MEMBERS, uniqueItems: true },
          },
          required: ['name'],
          additionalProperties: false,
        },
        response: { 201: roomSchema, ...authErrors },
      },
    },
    async (request, reply) => {
      const room = await createRoom(ctx, request.userId, request.body.name, request.body.memberIds ?? []);
      return reply.code(201).send(room);
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
          200: {
            type: 'object',
            properties: { rooms: { type: 'array', items: roomSchema } },
            required: ['rooms'],
            additionalProperties: false,
          },
          ...authErrors,
        },
      },
    },
    async (request) => ({ rooms: await roomsOf(ctx, request.userId) }),
  );

  app.get(
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
    async (request) => roomFor(ctx, request.params.roomId, request.userId),
  );

  app.get(
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
            additionalProperties: false,
          },
          ...authErrors,
        },
      },
    },
    async (request) => ({ members: await membersOf(ctx, request.params.roomId, request.userId) }),
  );

  app.post(
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
      const member = await addMember(ctx, request.params.roomId, request.userId, request.body.userId);
      return reply.code(201).send(member);
    },
  );

  app.delete(
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
      await removeMember(ctx, request.params.roomId, request.userId, request.params.userId);
      return reply.code(204).send(null);
    },
  );
}
