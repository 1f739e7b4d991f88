import { createLogger, loadSecretEnvOrExit, resolveSecretEnv } from '@co-talk/common';
import { workerEnvShape } from './config';
import { startWorker } from './worker';

/** Entry point: configuration from the environment, graceful stop on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  const env = await loadSecretEnvOrExit(workerEnvShape, resolveSecretEnv);
  const logger = createLogger({ service: 'worker', level: env.LOG_LEVEL });
  const worker = await startWorker(env, logger);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    worker.stop().then(
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
  process.stderr.write(`worker failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
