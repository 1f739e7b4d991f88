import { Duration, Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { App, type Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { ChatBackends } from '../../charts/backends';
import { createCoTalkCharts, type CoTalkCharts } from '../../charts/co-talk-charts';
import { CHAT_NAMESPACE } from '../contract';
import type { Profile } from '../config';

/**
 * How long a deploy waits for the migrations Job to succeed before it fails (and rolls back).
 * The kubectl handler's Lambda stops at 15 minutes.
 */
const MIGRATIONS_TIMEOUT = Duration.minutes(10);

/** Props for {@link ChatWorkloads}. */
export interface ChatWorkloadsProps {
  /** The environment profile (pod sizes, HPA bounds, settings). */
  readonly profile: Profile;
  /** The cluster the charts are applied to, through its kubectl provider. */
  readonly cluster: eks.ICluster;
  /** Image URIs of the apps, pinned by asset-hash tag. */
  readonly images: { readonly gateway: string; readonly api: string; readonly worker: string };
  /** Data stores, secret ARNs and the token issuer. */
  readonly backends: ChatBackends;
  /** The edge stack's target groups (target type `ip`). */
  readonly targetGroups: { readonly gateway: elbv2.ITargetGroup; readonly kong: elbv2.ITargetGroup };
  /** Installs the `TargetGroupBinding` CRD (the load balancer controller's Helm release). */
  readonly targetGroupBindingCrd: Construct;
  /** Installs the ServiceMonitor and PrometheusRule CRDs (kube-prometheus-stack's Helm release). */
  readonly monitoringCrds: Construct;
}

/**
 * The Co-Talk charts, applied to the cluster: one Kubernetes manifest resource per chart, in the
 * charts' order, after the controllers whose CRDs they use; the api chart waits until the
 * migrations Job has succeeded.
 *
 * Each chart becomes a `KubernetesManifest` of its `toJson()`, which is what
 * `Cluster.addCdk8sChart` does, but scoped here: `addCdk8sChart` creates the resource under the
 * cluster, in the cluster stack, which would then depend on the observability stack (the
 * Prometheus CRDs) that already depends on it.
 */
export class ChatWorkloads extends Construct {
  /** The charts, as built. */
  public readonly charts: CoTalkCharts;
  /** The manifest resource of each chart. */
  public readonly manifests: Record<keyof CoTalkCharts, eks.KubernetesManifest>;
  /** Resolves once the migrations Job has succeeded; the api chart depends on it. */
  public readonly migrationsDone: eks.KubernetesObjectValue;

  constructor(scope: Construct, id: string, props: ChatWorkloadsProps) {
    super(scope, id);
    // The charts' own construct tree, apart from the CDK's: only their rendered JSON crosses over.
    const charts = createCoTalkCharts(new App(), {
      profile: props.profile,
      images: props.images,
      backends: props.backends,
      targetGroupArns: {
        gateway: props.targetGroups.gateway.targetGroupArn,
        kong: props.targetGroups.kong.targetGroupArn,
      },
      // Tokens as the CloudFormation references they stand for: the same in every synth.
      fingerprint: (value) => JSON.stringify(Stack.of(this).resolve(value)),
    });
    this.charts = charts;

    const manifest = (manifestId: string, chart: Chart) =>
      new eks.KubernetesManifest(this, manifestId, { cluster: props.cluster, manifest: chart.toJson() });
    this.manifests = {
      platform: manifest('Platform', charts.platform),
      gateway: manifest('Gateway', charts.gateway),
      apiMigrations: manifest('ApiMigrations', charts.apiMigrations),
      api: manifest('Api', charts.api),
      worker: manifest('Worker', charts.worker),
      kong: manifest('Kong', charts.kong),
      monitoring: manifest('Monitoring', charts.monitoring),
    };
    const { platform, gateway, apiMigrations, api, worker, kong, monitoring } = this.manifests;
    for (const inNamespace of [gateway, apiMigrations, api, worker, kong, monitoring]) {
      inNamespace.node.addDependency(platform);
    }
    // The TargetGroupBinding kind exists once the controller's chart is installed, and the
    // ServiceMonitor/PrometheusRule kinds once kube-prometheus-stack's is.
    gateway.node.addDependency(props.targetGroupBindingCrd);
    kong.node.addDependency(props.targetGroupBindingCrd);
    monitoring.node.addDependency(props.monitoringCrds);

    this.migrationsDone = new eks.KubernetesObjectValue(this, 'MigrationsDone', {
      cluster: props.cluster,
      objectType: 'job',
      objectName: charts.apiMigrations.jobName,
      objectNamespace: CHAT_NAMESPACE,
      // Set only once a pod of the Job has exited successfully.
      jsonPath: '.status.succeeded',
      timeout: MIGRATIONS_TIMEOUT,
    });
    this.migrationsDone.node.addDependency(apiMigrations);
    api.node.addDependency(this.migrationsDone);
  }
}
