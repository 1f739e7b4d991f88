import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { PATTERN_REASONS } from './schemas';

/** An error whose status and message are safe to send to the client as they are. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (field: string, reason: string): HttpError =>
  new HttpError(400, 'bad_request', `${field}: ${reason}`, field);
export const notFound = (what: string): HttpError => new HttpError(404, 'not_found', `${what} not found`);
export const conflict = (message: string): HttpError => new HttpError(409, 'conflict', message);
export const forbidden = (message: string): HttpError => new HttpError(403, 'forbidden', message);
export const unauthorized = (message: string): HttpError => new HttpError(401, 'unauthorized', message);
export const tooManyRequests = (message: string): HttpError => new HttpError(429, 'too_many_requests', message);

/** The one error body shape: a code, a human message and, for bad input, the field at fault. */
export interface ErrorBody {
  error: string;
  message: string;
  field?: string;
}

/** Where a schema violation is, as `body.email` or `query.limit`. */
function fieldOf(error: FastifyError): string {
  const [first] = error.validation ?? [];
  const params = (first?.params ?? {}) as Record<string, unknown>;
  const path = (first?.instancePath ?? '')
    .split('/')
    .filter(Boolean)
    .concat(typeof params.missingProperty === 'string' ? [params.missingProperty] : [])
    .concat(typeof params.additionalProperty === 'string' ? [params.additionalProperty] : []);
  return [error.validationContext ?? 'request', ...path].join('.');
}

/**
 * The first number in `value` that is not finite, as a path (`limit`), or undefined. Ajv coerces
 * "Infinity" and "1e400" in a query string (and JSON.parse reads 1e400 in a body) to Infinity,
 * which then passes `type: integer` and skips `maximum` (its checks assume finite numbers); a
 * database refuses it. So after validation every input is checked once more for this.
 */
export function nonFiniteAt(value: unknown, path: readonly string[] = []): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : path.join('.');
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const found = nonFiniteAt(item, [...path, key]);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** preHandler hook: a 400 naming the field for any non-finite number in the validated input. */
export async function refuseNonFiniteNumbers(request: FastifyRequest): Promise<void> {
  for (const [part, value] of [
    ['querystring', request.query],
    ['body', request.body],
    ['params', request.params],
  ] as const) {
    const at = nonFiniteAt(value);
    if (at !== undefined) throw badRequest(at ? `${part}.${at}` : part, 'must be a finite number');
  }
}

/**
 * Bad input gets a 400 naming the field and the reason; unknown routes a 404; anything
 * unexpected a bare 500 (details go to the log, never to the client).
 */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler<FastifyError | HttpError>((error, request, reply) => {
    if (error instanceof HttpError) {
      const body: ErrorBody = { error: error.code, message: error.message, field: error.field };
      return reply.code(error.statusCode).send(body);
    }
    if (error.validation) {
      const field = fieldOf(error);
      const [first] = error.validation;
      const params = (first?.params ?? {}) as Record<string, unknown>;
      const pattern = typeof params.pattern === 'string' ? PATTERN_REASONS[params.pattern] : undefined;
      const reason = params.additionalProperty ? 'is not a known field' : (pattern ?? first?.message ?? 'is invalid');
      const allowed = Array.isArray(params.allowedValues) ? ` (allowed: ${params.allowedValues.join(', ')})` : '';
      const body: ErrorBody = { error: 'bad_request', message: `${field}: ${reason}${allowed}`, field };
      return reply.code(400).send(body);
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      // Fastify's own client errors (malformed JSON, body too large, wrong content type) say what was wrong.
      const body: ErrorBody = { error: 'bad_request', message: error.message };
      return reply.code(status).send(body);
    }
    request.log.error({ err: error }, 'request failed');
    const body: ErrorBody = { error: 'internal', message: 'internal error' };
    return reply.code(500).send(body);
  });

  app.setNotFoundHandler((request, reply) => {
    const body: ErrorBody = { error: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` };
    return reply.code(404).send(body);
  });
}
