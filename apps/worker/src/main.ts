import { loadSecretEnvOrExit } from '@co-talk/common/env';
import { createLogger } from '@co-talk/common/logger';
import { resolveSecretEnv } from '@co-talk/common/secrets';
import { stopOnSignals } from '@co-talk/common/shutdown';
import { startTracing } from '@co-talk/common/tracing';
import { workerEnvShape } from './config';
import { startWorker } from './worker';

/** Entry point: configuration from the environment, graceful stop on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  const env = await loadSecretEnvOrExit(workerEnvShape, resolveSecretEnv);
  const logger = createLogger({ service: 'worker', level: env.LOG_LEVEL });
  const tracing = startTracing(process.env);
  const worker = await startWorker(env, logger);
  // Flush the last spans after the last batch.
  stopOnSignals(logger, () => worker.stop().then(() => tracing?.shutdown()));
}

main().catch((err) => {
  process.stderr.write(`worker failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
