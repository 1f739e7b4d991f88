import type { FastifyInstance } from 'fastify';
import { isOriginAllowed, type AllowedOrigin } from '@co-talk/common';

/**
 * CORS for browser clients, answered here and nowhere else: in production Kong forwards
 * preflights to the API (its jwt plugin skips `OPTIONS`), so a browser meets the same code
 * behind Kong, under `npm run dev` and in the tests.
 *
 * Tokens travel in `Authorization`, never in cookies, so credentials are not allowed and no
 * page can ride on a user's cookies.
 */

/** How long a browser may cache a preflight answer (seconds). */
const PREFLIGHT_MAX_AGE_SECONDS = 600;
const ALLOWED_METHODS = 'GET, POST, PATCH, DELETE';
const ALLOWED_HEADERS = 'authorization, content-type';
/** Response headers a page may read beyond the CORS-safelisted ones. */
const EXPOSED_HEADERS = 'x-cache';

/** Adds the CORS headers for allowed origins and answers preflights under `/v1/`. */
export function installCors(app: FastifyInstance, allowed: readonly AllowedOrigin[]): void {
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    // Vary always: a cache must not serve one origin's answer to another.
    reply.header('vary', 'Origin');
    if (origin !== undefined && isOriginAllowed(allowed, origin)) {
      reply.header('access-control-allow-origin', origin);
      reply.header('access-control-expose-headers', EXPOSED_HEADERS);
    }
  });

  app.options('/v1/*', { schema: { hide: true } }, async (request, reply) => {
    const origin = request.headers.origin;
    const isPreflight = origin !== undefined && request.headers['access-control-request-method'] !== undefined;
    if (!isPreflight)
      return reply.code(404).send({ error: 'not_found', message: `no route OPTIONS ${request.url.split('?')[0]}` });
    if (!isOriginAllowed(allowed, origin)) {
      return reply.code(403).send({ error: 'forbidden', message: 'origin not allowed' });
    }
    return reply
      .code(204)
      .header('access-control-allow-methods', ALLOWED_METHODS)
      .header('access-control-allow-headers', ALLOWED_HEADERS)
      .header('access-control-max-age', String(PREFLIGHT_MAX_AGE_SECONDS))
      .send();
  });
}
