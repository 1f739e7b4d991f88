import cluster, { type Worker } from 'node:cluster';
import { createServer } from 'node:http';
import type { Logger } from '@co-talk/common/logger';
import { AggregatorRegistry } from 'prom-client';
import type { GatewayEnv } from './config';

/** What a worker tells the primary (over the cluster IPC channel). */
export interface WorkerStatus {
  readonly gatewayReady: boolean;
}

/** How often a worker reports its readiness. */
export const STATUS_INTERVAL_MS = 1000;

/**
 * The pod's primary process: forks one gateway worker per core, restarts a worker that dies,
 * serves the probes and the metrics of all workers on GATEWAY_HTTP_PORT, and on SIGTERM has every
 * worker drain, exiting when the last one has.
 */
export function runPrimary(env: GatewayEnv, logger: Logger): void {
  const ready = new Map<number, boolean>();
  let draining = false;
  const fork = (): Worker => {
    const worker = cluster.fork();
    worker.on('message', (message: Partial<WorkerStatus> | null) => {
      // The same channel carries prom-client's metric replies.
      if (typeof message?.gatewayReady === 'boolean') ready.set(worker.id, message.gatewayReady);
    });
    return worker;
  };
  // Fixed by the first fork; set here so NODE_CLUSTER_SCHED_POLICY cannot silently disagree.
  cluster.schedulingPolicy = env.GATEWAY_CLUSTER_SCHEDULING === 'os' ? cluster.SCHED_NONE : cluster.SCHED_RR;
  cluster.setupPrimary({ execArgv: [...process.execArgv, `--max-semi-space-size=${env.GATEWAY_SEMI_SPACE_MB}`] });
  for (let i = 0; i < env.GATEWAY_WORKERS; i++) fork();
  cluster.on('exit', (worker, code, signal) => {
    ready.delete(worker.id);
    if (draining) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    logger.error({ pid: worker.process.pid, code, signal }, 'gateway worker died; starting another');
    fork();
  });

  const aggregator = new AggregatorRegistry();
  const isReady = (): boolean =>
    !draining && ready.size === env.GATEWAY_WORKERS && [...ready.values()].every((value) => value);
  const probes = createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path === '/healthz') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    if (path === '/readyz') {
      const ok = isReady();
      return void res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ready\n' : 'not ready\n');
    }
    if (path === '/metrics') {
      aggregator.clusterMetrics().then(
        (body) => res.writeHead(200, { 'content-type': aggregator.contentType }).end(body),
        () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n'),
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  probes.listen(env.GATEWAY_HTTP_PORT, env.GATEWAY_HOST);

  process.on('SIGTERM', () => {
    if (draining) return;
    draining = true;
    logger.info({ workers: env.GATEWAY_WORKERS }, 'SIGTERM: draining workers');
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    // Past the drain window plus a margin, whatever is left is stuck: exit rather than be SIGKILLed.
    setTimeout(() => process.exit(1), (env.GATEWAY_DRAIN_SECONDS + 5) * 1000).unref();
  });
}
