import { createLogger, loadEnvOrExit } from '@co-talk/common';
import { startApi } from './api';
import { apiEnvShape } from './config';

/** Entry point: configuration from the environment, graceful stop on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  const env = loadEnvOrExit(apiEnvShape);
  const logger = createLogger({ service: 'api', level: env.LOG_LEVEL });
  const api = await startApi(env, logger);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    api.stop().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`api failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
