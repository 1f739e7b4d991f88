import type { Construct } from 'constructs';
import type { Profile } from '../lib/config';
import { CHAT_NAMESPACE } from '../lib/contract';
import { ApiChart } from './api';
import { ApiMigrationsChart } from './api-migrations';
import type { ChatBackends } from './backends';
import type { Fingerprint } from './content-hash';
import { GatewayChart } from './gateway';
import { KongChart } from './kong';
import { MonitoringChart } from './monitoring';
import { PlatformChart } from './platform';
import { WorkerChart } from './worker';

/** Props for {@link CoTalkCharts}. */
export interface CoTalkChartsProps {
  /** The environment profile. */
  readonly profile: Profile;
  /** Images of the three apps, pinned by digest or CDK asset hash. */
  readonly images: { readonly gateway: string; readonly api: string; readonly worker: string };
  /** Data stores, secrets and the token issuer. */
  readonly backends: ChatBackends;
  /** Target groups (target type `ip`) the pods bind to. */
  readonly targetGroupArns: { readonly gateway: string; readonly kong: string };
  /** Stable text of values that may hold tokens, for the charts' content hashes. @default plainFingerprint */
  readonly fingerprint?: Fingerprint;
}

/** Every chart of one environment, typed so the workloads stack and the tests can reach each. */
export interface CoTalkCharts {
  readonly platform: PlatformChart;
  readonly gateway: GatewayChart;
  readonly apiMigrations: ApiMigrationsChart;
  readonly api: ApiChart;
  readonly worker: WorkerChart;
  readonly kong: KongChart;
  readonly monitoring: MonitoringChart;
}

/**
 * Creates the Co-Talk charts in `scope`: a cdk8s `App` for standalone YAML, or the workloads
 * stack's cdk8s app when deploying through the cluster. The platform chart (namespace, policies)
 * comes first; the others depend on it so it is applied before them.
 */
export function createCoTalkCharts(scope: Construct, props: CoTalkChartsProps): CoTalkCharts {
  const common = { profile: props.profile, backends: props.backends, namespace: CHAT_NAMESPACE };
  const platform = new PlatformChart(scope, 'Platform', {
    profile: props.profile,
    namespace: CHAT_NAMESPACE,
    backends: props.backends,
  });
  const gateway = new GatewayChart(scope, 'Gateway', {
    ...common,
    image: props.images.gateway,
    targetGroupArn: props.targetGroupArns.gateway,
  });
  const apiMigrations = new ApiMigrationsChart(scope, 'ApiMigrations', {
    ...common,
    image: props.images.api,
    fingerprint: props.fingerprint,
  });
  const api = new ApiChart(scope, 'Api', { ...common, image: props.images.api });
  const worker = new WorkerChart(scope, 'Worker', { ...common, image: props.images.worker });
  const kong = new KongChart(scope, 'Kong', {
    ...common,
    targetGroupArn: props.targetGroupArns.kong,
    apiNamespace: CHAT_NAMESPACE,
    credentialsImage: props.images.api,
    fingerprint: props.fingerprint,
  });
  const monitoring = new MonitoringChart(scope, 'Monitoring', { namespace: CHAT_NAMESPACE });
  for (const chart of [gateway, apiMigrations, api, worker, kong, monitoring]) chart.addDependency(platform);
  // The api runs as the ServiceAccount the migrations chart creates, with the schema it migrated.
  api.addDependency(apiMigrations);
  return { platform, gateway, apiMigrations, api, worker, kong, monitoring };
}
