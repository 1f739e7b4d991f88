import cluster from 'node:cluster';
import { EnvError } from '@co-talk/common/env';
import { createLogger } from '@co-talk/common/logger';
import { refreshSecretEvery, resolveSecretEnv } from '@co-talk/common/secrets';
import { startTracing } from '@co-talk/common/tracing';
import { AggregatorRegistry } from 'prom-client';
import { loadGatewayEnv, type GatewayEnv } from './config';
import { Gateway } from './gateway';
import { runPrimary, STATUS_INTERVAL_MS, type WorkerStatus } from './primary';

/**
 * Entry point. With GATEWAY_WORKERS > 1 (the default on a multi-core node) the process becomes the
 * primary of a node cluster and each worker runs one gateway event loop on the shared port;
 * with 1 it runs the gateway itself.
 */
async function loadEnvOrExit(): Promise<GatewayEnv> {
  try {
    return loadGatewayEnv(await resolveSecretEnv(process.env));
  } catch (err) {
    if (err instanceof EnvError) {
      process.stderr.write(`gateway: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

async function runGateway(env: GatewayEnv): Promise<void> {
  const inCluster = cluster.isWorker;
  const logger = createLogger({ service: 'gateway', level: env.LOG_LEVEL });
  // Each event-loop process exports its own spans.
  startTracing(process.env);
  const gateway = await Gateway.start(env, { logger, serveProbes: !inCluster });
  logger.info({ port: gateway.port, pid: process.pid }, 'gateway listening');
  if (env.JWT_PUBLIC_KEYS_SECRET_ARN !== undefined) {
    // Each event-loop process follows a key rotation on its own (a few reads per interval per pod).
    refreshSecretEvery({
      variable: 'JWT_PUBLIC_KEYS_SECRET_ARN',
      arn: env.JWT_PUBLIC_KEYS_SECRET_ARN,
      region: env.AWS_REGION,
      intervalMs: env.JWT_KEYS_REFRESH_SECONDS * 1000,
      apply: (value) => env.JWT_PUBLIC_KEYS.update(value),
      onError: (err) => logger.warn({ err }, 'token public keys not refreshed; keeping the ones in hand'),
    });
  }
  if (inCluster) {
    // Constructing one installs the listener that answers the primary's metric requests.
    new AggregatorRegistry();
    AggregatorRegistry.setRegistries([gateway.registry]);
    const report = (): void => {
      const status: WorkerStatus = { gatewayReady: gateway.isReady() };
      // A send racing the primary's exit fails; the 'disconnect' handler below deals with that.
      if (process.connected) process.send?.(status, undefined, undefined, () => undefined);
    };
    report();
    setInterval(report, STATUS_INTERVAL_MS).unref();
    // Orphaned (the primary is gone): nobody serves probes or restarts us, so drain and leave.
    process.on('disconnect', () => void gateway.drain().then(() => process.exit(0)));
  }
  process.on('SIGTERM', () => {
    gateway.drain().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'drain failed');
        process.exit(1);
      },
    );
  });
  // In a cluster the primary forwards SIGTERM; a SIGINT from a terminal reaches every process.
  process.on('SIGINT', () => void gateway.drain().then(() => process.exit(0)));
}

void loadEnvOrExit().then((env) => {
  if (cluster.isPrimary && env.GATEWAY_WORKERS > 1) {
    runPrimary(env, createLogger({ service: 'gateway', level: env.LOG_LEVEL }));
  } else {
    runGateway(env).catch((err: unknown) => {
      process.stderr.write(`gateway: failed to start: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    });
  }
});
