import type { Logger } from './logger';

/**
 * Stops a service once on SIGTERM or SIGINT and exits: 0 after a clean stop, 1 when stopping
 * failed. A second signal while stopping is ignored, so Kubernetes' grace period is honoured.
 */
export function stopOnSignals(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    stop().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
