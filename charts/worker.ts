import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { APP_PATHS, APP_PORTS, appEnv, type WorkerEnvName } from '../lib/contract';
import type { AppChartProps } from './app-chart-props';
import { backendEnv } from './backends';
import { ChatWorkload } from './chat-workload';
import { tracingEnv } from './tracing-env';

/** Props for {@link WorkerChart}. */
export type WorkerChartProps = AppChartProps;

/**
 * The stream worker: consumes the Redis message stream into PostgreSQL and OpenSearch. It has no
 * readiness endpoint of its own (it serves no traffic), so liveness doubles as readiness; it
 * scales on CPU.
 */
export class WorkerChart extends Chart {
  /** The worker workload. */
  public readonly workload: ChatWorkload;

  constructor(scope: Construct, id: string, props: WorkerChartProps) {
    super(scope, id, props);
    const { workloads, database } = props.profile;
    const port = APP_PORTS.worker.metrics;

    this.workload = new ChatWorkload(this, 'Worker', {
      name: 'worker',
      image: props.image,
      size: workloads.worker,
      ports: [{ name: 'metrics', port }],
      probes: { port, liveness: APP_PATHS.liveness, readiness: APP_PATHS.liveness },
      env: appEnv<WorkerEnvName>({
        ...backendEnv(props.backends, 'worker'),
        ...tracingEnv('worker', props.profile.observability.traceSampleRatio),
        METRICS_PORT: String(port),
        DATABASE_POOL_MAX: String(database.poolMaxPerInstance),
      }),
      // One consumer of the stream's group per pod, named after it.
      fieldEnv: { WORKER_CONSUMER_NAME: kplus.EnvFieldPaths.POD_NAME },
    });
  }
}
