import swagger from '@fastify/swagger';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { Histogram, type Registry } from 'prom-client';
import { type Logger } from '@co-talk/common/logger';
import { AccessTokenError, verifyAccessToken } from '@co-talk/common/jwt';
import { checkReady } from '@co-talk/common/metrics';
import { endServerSpan, startServerSpan, type TraceSpan } from '@co-talk/common/tracing';
import type { ApiContext } from './context';
import { installCors } from './cors';
import { installErrorHandlers, refuseNonFiniteNumbers, unauthorized } from './http-errors';
import { authRoutes } from './routes/auth';
import { friendRoutes } from './routes/friends';
import { messageRoutes } from './routes/messages';
import { roomRoutes } from './routes/rooms';
import { userRoutes } from './routes/users';

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest hook: verifies the bearer token and sets `request.userId`, else 401. */
    authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  }
  interface FastifyRequest {
    /** The authenticated caller (set by `authenticate`). */
    userId: string;
  }
}

/** Request bodies are small JSON documents; anything larger is refused before parsing. */
const BODY_LIMIT_BYTES = 64 * 1024;

/** Builds the API: routes, OpenAPI document, probes and metrics. Listening is the caller's job. */
export async function buildApp(ctx: ApiContext, registry: Registry, logger: Logger): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // Per-request lines would dominate the log at production rates; metrics count requests instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    // Unknown fields are an error, not silently dropped; query strings still coerce to numbers.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
    return503OnClosing: true,
    // request.ip is the client's address only through proxies named here (sign-in throttling).
    trustProxy: ctx.env.API_TRUSTED_PROXIES ?? false,
  });
  installErrorHandlers(app);
  installCors(app, ctx.env.ALLOWED_ORIGINS);
  app.addHook('preHandler', refuseNonFiniteNumbers);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Co-Talk API', version: '1.0.0', description: 'Accounts, friends, rooms and message history.' },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
  });

  app.decorateRequest('userId', '');
  app.decorate('authenticate', async (request: FastifyRequest) => {
    const header = request.headers.authorization;
    if (!header?.startsWith('Bearer ')) throw unauthorized('missing bearer token');
    try {
      const token = verifyAccessToken(ctx.env.JWT_SIGNING_KEYS.verification, header.slice(7), {
        issuer: ctx.env.JWT_ISSUER,
      });
      request.userId = token.userId;
    } catch (err) {
      if (err instanceof AccessTokenError) throw unauthorized(err.message);
      throw err;
    }
  });

  const duration = new Histogram({
    name: 'api_http_request_duration_seconds',
    help: 'Request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  // One server span per request (sampled per OTEL_TRACES_SAMPLER; Kong's traceparent is honoured).
  const spans = new WeakMap<object, TraceSpan>();
  app.addHook('onRequest', async (request) => {
    const route = request.routeOptions.url ?? 'unmatched';
    spans.set(
      request,
      startServerSpan(`${request.method} ${route}`, request.headers, {
        'http.request.method': request.method,
        'http.route': route,
      }),
    );
  });
  app.addHook('onResponse', async (request, reply) => {
    duration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    const span = spans.get(request);
    if (span) endServerSpan(span, reply.statusCode);
  });

  const hide = { schema: { hide: true } };
  app.get('/healthz', hide, async () => 'ok\n');
  app.get('/readyz', hide, async (_request, reply) => {
    const ready = await checkReady(async () => {
      await Promise.all([ctx.postgres.writer.query('SELECT 1'), ctx.postgres.reader.query('SELECT 1')]);
      return (await ctx.redis.ping()) === 'PONG';
    });
    return reply.code(ready ? 200 : 503).send(ready ? 'ready\n' : 'not ready\n');
  });
  app.get('/metrics', hide, async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  app.get('/openapi.json', hide, async () => app.swagger());

  const typed = app.withTypeProvider<JsonSchemaToTsProvider>();
  authRoutes(typed, ctx);
  userRoutes(typed, ctx);
  friendRoutes(typed, ctx);
  roomRoutes(typed, ctx);
  messageRoutes(typed, ctx);
  await app.ready();
  return app;
}
