import { Chart, type ChartProps } from 'cdk8s';
import type { Construct } from 'constructs';
import type { Profile } from '../lib/config';
import { backendEnv, type ChatBackends } from './backends';
import { ChatWorkload } from './chat-workload';
import { APP_PATHS, APP_PORTS } from './ports';

/** Props for {@link ApiChart}. */
export interface ApiChartProps extends ChartProps {
  /** The environment profile (pod size, HPA bounds, pool size, cache TTLs). */
  readonly profile: Profile;
  /** API image, pinned by digest or CDK asset hash. */
  readonly image: string;
  /** Data stores and secrets. */
  readonly backends: ChatBackends;
}

/** The REST API, behind Kong, on the `api` node group. */
export class ApiChart extends Chart {
  /** The api workload. */
  public readonly workload: ChatWorkload;

  constructor(scope: Construct, id: string, props: ApiChartProps) {
    super(scope, id, props);
    const { app, workloads, database } = props.profile;
    const port = APP_PORTS.api.http;

    this.workload = new ChatWorkload(this, 'Api', {
      name: 'api',
      image: props.image,
      size: workloads.api,
      ports: [{ name: 'http', port }],
      probes: { port, liveness: APP_PATHS.liveness, readiness: APP_PATHS.readiness },
      env: {
        ...backendEnv(props.backends, ['database', 'redis-cache', 'redis-streams', 'opensearch', 'jwt']),
        PORT: String(port),
        DATABASE_POOL_MAX: String(database.poolMaxPerInstance),
        L1_CACHE_TTL_SECONDS: String(app.l1CacheTtlSeconds),
        L2_CACHE_TTL_SECONDS: String(app.l2CacheTtlSeconds),
      },
      nodeRole: 'api',
    });
  }
}
