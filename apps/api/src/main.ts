import { loadSecretEnvOrExit } from '@co-talk/common/env';
import { createLogger } from '@co-talk/common/logger';
import { createPostgres, postgresOptionsFromEnv } from '@co-talk/common/postgres';
import { refreshSecretEvery, resolveSecretEnv } from '@co-talk/common/secrets';
import { stopOnSignals } from '@co-talk/common/shutdown';
import { startTracing } from '@co-talk/common/tracing';
import { startApi } from './api';
import { apiEnvShape, migrateEnvShape } from './config';
import { migrate } from './migrate';

/**
 * Entry point. `node main.js` serves the API (graceful stop on SIGTERM/SIGINT); `node main.js
 * migrate` applies the pending migrations and exits (0 when the schema is current), which is how
 * a deployment runs them once, before the new API starts.
 */
async function main(): Promise<void> {
  const command = process.argv[2];
  if (command === 'migrate') {
    const env = await loadSecretEnvOrExit(migrateEnvShape, resolveSecretEnv);
    const logger = createLogger({ service: 'api', level: env.LOG_LEVEL });
    const postgres = createPostgres(postgresOptionsFromEnv(env, 'co-talk-api-migrate'));
    try {
      const applied = await migrate(postgres.writer, env.MIGRATIONS_DIR, logger);
      logger.info({ applied }, 'migrations done');
    } finally {
      await postgres.close();
    }
    return;
  }
  if (command !== undefined) throw new Error(`unknown command "${command}"; expected none (serve) or "migrate"`);
  const env = await loadSecretEnvOrExit(apiEnvShape, resolveSecretEnv);
  const logger = createLogger({ service: 'api', level: env.LOG_LEVEL });
  const tracing = startTracing(process.env);
  const api = await startApi(env, logger);
  if (env.JWT_SIGNING_KEYS_SECRET_ARN !== undefined) {
    // A rotation moves the current key: the API signs with the new one once it has read it. The
    // timer does not hold the process open, so a stop needs nothing more.
    refreshSecretEvery({
      variable: 'JWT_SIGNING_KEYS_SECRET_ARN',
      arn: env.JWT_SIGNING_KEYS_SECRET_ARN,
      region: process.env.AWS_REGION,
      intervalMs: env.JWT_KEYS_REFRESH_SECONDS * 1000,
      apply: (value) => env.JWT_SIGNING_KEYS.update(value),
      onError: (err) => logger.warn({ err }, 'token signing keys not refreshed; keeping the ones in hand'),
    });
  }
  stopOnSignals(logger, () => api.stop().then(() => tracing?.shutdown()));
}

main().catch((err) => {
  process.stderr.write(`api failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
