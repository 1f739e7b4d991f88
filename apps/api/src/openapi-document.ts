import { createLogger, createMetricsRegistry, loadEnv } from '@co-talk/common';
import { buildApp } from './app';
import { apiEnvShape } from './config';
import type { ApiContext } from './context';

/**
 * The API's OpenAPI document without a database or Redis: the routes are registered (which is
 * all the document needs) but never called, so the stores are never touched. Kong's routes are
 * derived from it (`npm run contract:api-routes`).
 */
export async function openApiDocument(): Promise<unknown> {
  const env = loadEnv(apiEnvShape, { JWT_SECRET: 'document-only-key-never-signs-anything' });
  const unused = new Proxy(
    {},
    {
      get(_target, name) {
        throw new Error(`openApiDocument: the document build touched ctx.${String(name)}`);
      },
    },
  );
  const ctx = { env, postgres: unused, redis: unused, cache: unused, search: unused, members: unused };
  const app = await buildApp(
    ctx as unknown as ApiContext,
    createMetricsRegistry('api'),
    createLogger({ service: 'api', level: 'silent' }),
  );
  try {
    return app.swagger();
  } finally {
    await app.close();
  }
}
