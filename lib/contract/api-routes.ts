import generated from './api-operations.json';

/**
 * The API's public route table as Kong needs it: every operation of the API's OpenAPI document
 * under {@link API_PATH_PREFIX}, and whether it is public. The API marks a public operation with
 * OpenAPI's empty `security: []`; every other operation names `bearerAuth`.
 *
 * `api-operations.json` is generated from the API's own document (`npm run contract:api-routes`);
 * `test/contract/api-routes.test.ts` fails when it is stale, so a route renamed in the API
 * reaches Kong's configuration in the same change.
 */

/** The prefix every API operation lives under; Kong routes nothing else. */
export const API_PATH_PREFIX = '/v1/';

/** HTTP methods an operation may use (OpenAPI's, upper-cased). */
export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'DELETE' | 'OPTIONS' | 'HEAD' | 'PATCH' | 'TRACE';

/** One operation of the API. */
export interface ApiOperation {
  readonly method: HttpMethod;
  /** The OpenAPI path, parameters in braces: `/v1/rooms/{roomId}`. */
  readonly path: string;
  /** No token needed (sign-up, sign-in). */
  readonly public: boolean;
}

const METHODS: readonly HttpMethod[] = ['GET', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH', 'TRACE'];

interface OpenApiLike {
  readonly paths?: Record<string, Record<string, { readonly security?: readonly Record<string, unknown>[] }>>;
}

/**
 * The operations of an OpenAPI document, sorted by path and method. Throws for an operation
 * outside {@link API_PATH_PREFIX} or one that declares no `security` (public or not must be said).
 */
export function apiOperationsOf(document: unknown): ApiOperation[] {
  const operations: ApiOperation[] = [];
  const problems: string[] = [];
  for (const [path, item] of Object.entries((document as OpenApiLike).paths ?? {})) {
    for (const [key, operation] of Object.entries(item)) {
      const method = key.toUpperCase() as HttpMethod;
      if (!METHODS.includes(method)) continue;
      if (!path.startsWith(API_PATH_PREFIX)) problems.push(`${method} ${path}: outside ${API_PATH_PREFIX}`);
      else if (operation.security === undefined) {
        problems.push(`${method} ${path}: declares no security (use [] for a public operation)`);
      } else operations.push({ method, path, public: operation.security.length === 0 });
    }
  }
  if (problems.length > 0) throw new Error(`API route table:\n  ${problems.join('\n  ')}`);
  return operations.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}

/** The API's operations, from the committed `api-operations.json`. */
export const API_OPERATIONS: readonly ApiOperation[] = generated.operations as ApiOperation[];
