import { signAccessToken } from '@co-talk/common';
import type { ApiApp, ApiContext } from '../context';
import { badRequest, conflict, tooManyRequests, unauthorized } from '../http-errors';
import { passwordProblem } from '../password-policy';
import { DUMMY_HASH_PROMISE, hashPassword, verifyPassword } from '../passwords';
import { errorSchema, plainText, userSchema } from '../schemas';
import { toUser, userCacheKey, USER_COLUMNS } from '../users';

const credentials = {
  email: { type: 'string', format: 'email', maxLength: 254 },
  password: { type: 'string', minLength: 8, maxLength: 128 },
} as const;

const sessionSchema = {
  type: 'object',
  properties: { user: userSchema, accessToken: { type: 'string' }, expiresIn: { type: 'integer' } },
  required: ['user', 'accessToken', 'expiresIn'],
  additionalProperties: false,
} as const;

/** Sign-up and sign-in; both answer with the user and an access token for the API and the gateway. */
export function authRoutes(app: ApiApp, ctx: ApiContext): void {
  const issue = (userId: string): Promise<string> =>
    signAccessToken(ctx.env.JWT_SECRET, {
      userId,
      ttlSeconds: ctx.env.ACCESS_TOKEN_TTL_SECONDS,
      issuer: ctx.env.JWT_ISSUER,
    });

  app.post(
    '/v1/auth/sign-up',
    {
      schema: {
        tags: ['auth'],
        // Public: no token needed (OpenAPI's empty security). Kong routes these without its jwt plugin.
        security: [],
        summary: 'Create an account; the password must not be a common one, a sequence, or the email or name',
        body: {
          type: 'object',
          properties: { ...credentials, displayName: plainText(1, 64) },
          required: ['email', 'password', 'displayName'],
          additionalProperties: false,
        },
        response: { 201: sessionSchema, 400: errorSchema, 409: errorSchema },
      },
    },
    async (request, reply) => {
      const { email, password, displayName } = request.body;
      const problem = passwordProblem(password, { email, displayName });
      if (problem) throw badRequest('body.password', problem);
      const passwordHash = await hashPassword(password);
      const { rows } = await ctx.postgres.writer.query(
        `INSERT INTO users (email, display_name, password_hash) VALUES ($1, $2, $3)
         ON CONFLICT (email) DO NOTHING RETURNING ${USER_COLUMNS}`,
        [email.toLowerCase(), displayName, passwordHash],
      );
      if (rows.length === 0) throw conflict('an account with this email exists');
      const user = toUser(rows[0]);
      await ctx.cache.set(userCacheKey(user.id), user);
      return reply
        .code(201)
        .send({ user, accessToken: await issue(user.id), expiresIn: ctx.env.ACCESS_TOKEN_TTL_SECONDS });
    },
  );

  app.post(
    '/v1/auth/sign-in',
    {
      schema: {
        tags: ['auth'],
        // Public: no token needed (OpenAPI's empty security). Kong routes these without its jwt plugin.
        security: [],
        summary:
          'Exchange email and password for an access token. Failed attempts are throttled per account and per address (429 with Retry-After)',
        body: {
          type: 'object',
          properties: credentials,
          required: ['email', 'password'],
          additionalProperties: false,
        },
        response: { 200: sessionSchema, 400: errorSchema, 401: errorSchema, 429: errorSchema },
      },
    },
    async (request, reply) => {
      const { email, password } = request.body;
      const wait = await ctx.throttle.retryAfterSeconds(email, request.ip);
      if (wait > 0) {
        reply.header('retry-after', String(wait));
        throw tooManyRequests(`too many failed sign-ins; try again in ${wait} s`);
      }
      // The primary: a replica may not have an account created a moment ago.
      const { rows } = await ctx.postgres.writer.query(
        `SELECT ${USER_COLUMNS}, password_hash FROM users WHERE email = $1`,
        [email.toLowerCase()],
      );
      // Unknown email and wrong password cost the same (a hash is always checked, against a
      // dummy when there is no account), count the same and answer the same.
      const ok = await verifyPassword(password, rows[0]?.password_hash ?? (await DUMMY_HASH_PROMISE));
      if (!rows[0] || !ok) {
        await ctx.throttle.failed(email, request.ip);
        throw unauthorized('email or password is wrong');
      }
      await ctx.throttle.succeeded(email);
      const user = toUser(rows[0]);
      return { user, accessToken: await issue(user.id), expiresIn: ctx.env.ACCESS_TOKEN_TTL_SECONDS };
    },
  );
}
