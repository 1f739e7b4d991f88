import type { ApiApp, ApiContext } from '../context';
import { notFound } from '../http-errors';
import { authErrors, plainText, publicUserSchema, userSchema, uuid } from '../schemas';
import { getUser, publicView, toUser, userCacheKey, USER_COLUMNS } from '../users';

/** The caller's own profile and other users' public profiles (cached: L1 then L2 then replica). */
export function userRoutes(app: ApiApp, ctx: ApiContext): void {
  const security = [{ bearerAuth: [] }];

  app.get(
    '/v1/users/me',
    {
      onRequest: app.authenticate,
      schema: { tags: ['users'], summary: 'The caller', security, response: { 200: userSchema, ...authErrors } },
    },
    async (request) => {
      const user = await getUser(ctx, request.userId);
      if (!user) throw notFound('user');
      return user;
    },
  );

  app.patch(
    '/v1/users/me',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['users'],
        summary: 'Change the display name',
        security,
        body: {
          type: 'object',
          properties: { displayName: plainText(1, 64) },
          required: ['displayName'],
          additionalProperties: false,
        },
        response: { 200: userSchema, ...authErrors },
      },
    },
    async (request) => {
      const { rows } = await ctx.postgres.writer.query(
        `UPDATE users SET display_name = $2, updated_at = now() WHERE id = $1 RETURNING ${USER_COLUMNS}`,
        [request.userId, request.body.displayName],
      );
      if (!rows[0]) throw notFound('user');
      const user = toUser(rows[0]);
      await ctx.cache.set(userCacheKey(user.id), user);
      return user;
    },
  );

  app.get(
    '/v1/users/:userId',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['users'],
        summary: "Another user's public profile",
        security,
        params: { type: 'object', properties: { userId: uuid }, required: ['userId'], additionalProperties: false },
        response: { 200: publicUserSchema, ...authErrors },
      },
    },
    async (request) => {
      const user = await getUser(ctx, request.params.userId);
      if (!user) throw notFound('user');
      return publicView(user);
    },
  );
}
