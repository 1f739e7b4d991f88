import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { APP_PATHS, APP_PORTS, WORKLOAD_SERVICE_ACCOUNTS, appEnv, type ApiEnvName } from '../lib/contract';
import type { AppChartProps } from './app-chart-props';
import { backendEnv } from './backends';
import { ChatWorkload } from './chat-workload';
import { tracingEnv } from './tracing-env';

/** The api's ServiceAccount (its Pod Identity association names it); the migrations chart creates it. */
export const API_SERVICE_ACCOUNT = WORKLOAD_SERVICE_ACCOUNTS.api;

/** Props for {@link ApiChart}. */
export type ApiChartProps = AppChartProps;

/** The api's environment (its database role, IAM authentication, the private token keys). */
export function apiEnv(props: ApiChartProps): Record<string, string> {
  const { app, database } = props.profile;
  return appEnv<ApiEnvName>({
    ...backendEnv(props.backends, 'api'),
    ...tracingEnv('api', props.profile.observability.traceSampleRatio),
    API_PORT: String(APP_PORTS.api.http),
    DATABASE_POOL_MAX: String(database.poolMaxPerInstance),
    CACHE_L1_TTL_SECONDS: String(app.l1CacheTtlSeconds),
    CACHE_L2_TTL_SECONDS: String(app.l2CacheTtlSeconds),
    // Kong's jwt plugin refuses tokens that live longer (maximum_expiration, same profile field).
    ACCESS_TOKEN_TTL_SECONDS: String(app.accessTokenTtlSeconds),
    ALLOWED_ORIGINS: app.allowedOrigins.join(','),
    // Requests arrive through the ALB and Kong, both in the VPC: their X-Forwarded-For names the
    // client, whose address sign-in throttling counts (else every client would be Kong's pod).
    API_TRUSTED_PROXIES: props.profile.network.vpcCidr,
    // The migrations Job applies them once, before this Deployment rolls (see api-migrations.ts).
    MIGRATE_ON_START: 'false',
  });
}

/** The REST API, behind Kong, on the `api` node group. */
export class ApiChart extends Chart {
  /** The api workload. */
  public readonly workload: ChatWorkload;

  constructor(scope: Construct, id: string, props: ApiChartProps) {
    super(scope, id, props);
    const port = APP_PORTS.api.http;

    this.workload = new ChatWorkload(this, 'Api', {
      name: 'api',
      image: props.image,
      size: props.profile.workloads.api,
      ports: [{ name: 'http', port }],
      probes: { port, liveness: APP_PATHS.liveness, readiness: APP_PATHS.readiness },
      env: apiEnv(props),
      nodeRole: 'api',
      existingServiceAccount: API_SERVICE_ACCOUNT,
    });
  }
}
