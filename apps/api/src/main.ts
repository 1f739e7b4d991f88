import { loadSecretEnvOrExit } from '@co-talk/common/env';
import { createLogger } from '@co-talk/common/logger';
import { createPostgres, postgresOptionsFromEnv } from '@co-talk/common/postgres';
import { resolveSecretEnv } from '@co-talk/common/secrets';
import { stopOnSignals } from '@co-talk/common/shutdown';
import { startApi } from './api';
import { apiEnvShape } from './config';
import { migrate } from './migrate';

/**
 * Entry point. `node main.js` serves the API (graceful stop on SIGTERM/SIGINT); `node main.js
 * migrate` applies the pending migrations and exits (0 when the schema is current), which is how
 * a deployment runs them once, before the new API starts.
 */
async function main(): Promise<void> {
  const env = await loadSecretEnvOrExit(apiEnvShape, resolveSecretEnv);
  const logger = createLogger({ service: 'api', level: env.LOG_LEVEL });
  const command = process.argv[2];
  if (command === 'migrate') {
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
  const api = await startApi(env, logger);
  stopOnSignals(logger, () => api.stop());
}

main().catch((err) => {
  process.stderr.write(`api failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
