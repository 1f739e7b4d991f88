import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { awsApiEgressCidr, type Profile, requireAlertDestination } from '../config';
import { logRetention } from '../shared/log-retention';
import { ChatMonitoring, type MonitoredDatabase, type MonitoredRedis } from './chat-monitoring';
import { JaegerTracing } from './jaeger-tracing';
import { LogShipping } from './log-shipping';
import { CHAT_NAMESPACE } from '../contract';
import { ObservabilityNetworkPolicies, observabilityNamespaceObjects } from './observability-namespaces';
import { PrometheusAdapter } from './prometheus-adapter';
import { PrometheusStack } from './prometheus-stack';

/** Props for {@link ObservabilityStack}. */
export interface ObservabilityStackProps extends StackProps {
  /** The validated environment profile. */
  readonly profile: Profile;
  /**
   * Refuse a non-dev profile without an alert destination (see `requireAlertDestination`); off
   * only for a synthesis made to be read, never deployed.
   * @default true
   */
  readonly alertDestinationRequired?: boolean;
  /** The cluster the in-cluster tools are installed into. */
  readonly cluster: eks.ICluster;
  /** The REST ALB and Kong's target group. */
  readonly restLoadBalancer: elbv2.IApplicationLoadBalancer;
  readonly restTargetGroup: elbv2.IApplicationTargetGroup;
  /** The gateway's target group on the WebSocket NLB. */
  readonly websocketTargetGroup: elbv2.INetworkTargetGroup;
  /** The VPC (the log setup function reaches the search domain in it). */
  readonly vpc: ec2.IVpc;
  /** The group the data stores accept; the log setup function carries it. */
  readonly workloadSecurityGroup: ec2.ISecurityGroup;
  /** PostgreSQL, for its alarms. */
  readonly database: MonitoredDatabase;
  /** The three Redis replication groups, for their alarms. */
  readonly redis: { readonly cache: MonitoredRedis; readonly pubsub: MonitoredRedis; readonly streams: MonitoredRedis };
  /** The search domain: log store, and alarms. */
  readonly searchDomain: opensearch.IDomain;
  /** The search domain's fine-grained access control master user. */
  readonly searchMasterUserSecret: secretsmanager.ISecret;
}

/**
 * Metrics, logs, traces and alarms: Prometheus and Grafana, Jaeger and Fluent Bit in the
 * cluster; CloudWatch alarms on every AWS tier through one monitoring construct.
 */
export class ObservabilityStack extends Stack {
  /** Every CloudWatch alarm of the environment, and the topic they notify. */
  public readonly monitoring: ChatMonitoring;
  /** kube-prometheus-stack; manifests with ServiceMonitors or PrometheusRules depend on it (its CRDs). */
  public readonly prometheus: PrometheusStack;

  constructor(scope: Construct, id: string, props: ObservabilityStackProps) {
    super(scope, id, props);
    const { profile, cluster } = props;
    const { observability } = profile;

    // Same construct id as before the namespaces got their labels: a new id would delete the
    // old manifest, and with it the namespace and everything in it.
    const namespace = new eks.KubernetesManifest(this, 'Namespace', {
      cluster,
      manifest: observabilityNamespaceObjects(profile.cluster.kubernetesVersion),
    });
    const networkPolicies = new ObservabilityNetworkPolicies(this, 'NetworkPolicies', {
      cluster,
      vpcCidr: profile.network.vpcCidr,
      awsApiCidr: awsApiEgressCidr(profile, ['Sns']),
      appsNamespace: CHAT_NAMESPACE,
    });
    networkPolicies.node.addDependency(namespace);
    if (props.alertDestinationRequired ?? true) requireAlertDestination(profile);
    this.monitoring = new ChatMonitoring(this, 'Monitoring', {
      alertEmails: observability.alertEmails,
      alertHttpsEndpoints: observability.alertHttpsEndpoints,
    });
    const prometheus = new PrometheusStack(this, 'Prometheus', {
      cluster,
      retentionDays: observability.metricsRetentionDays,
      volumeGiB: observability.metricsVolumeGiB,
      alertTopic: this.monitoring.topic,
    });
    this.prometheus = prometheus;
    // The gateway's HPA reads its connections per pod through it.
    const adapter = new PrometheusAdapter(this, 'PrometheusAdapter', { cluster });
    adapter.node.addDependency(prometheus);
    const tracing = new JaegerTracing(this, 'Tracing', {
      cluster,
      retentionDays: observability.traceRetentionDays,
      volumeGiB: observability.traceVolumeGiB,
    });
    const logShipping = new LogShipping(this, 'LogShipping', {
      cluster,
      domain: props.searchDomain,
      masterUserSecret: props.searchMasterUserSecret,
      vpc: props.vpc,
      securityGroup: props.workloadSecurityGroup,
      retentionDays: observability.logRetentionDays,
      logRetention: logRetention(observability.logRetentionDays, 'observability.logRetentionDays'),
    });
    for (const inNamespace of [prometheus, tracing, logShipping]) inNamespace.node.addDependency(namespace);

    this.monitoring.monitorRestLoadBalancer(
      props.restLoadBalancer,
      props.restTargetGroup,
      profile.workloads.kong.minReplicas,
    );
    this.monitoring.monitorWebSocketLoadBalancer(props.websocketTargetGroup, profile.workloads.gateway.minReplicas);
    this.monitoring.monitorDatabase(props.database);
    this.monitoring.monitorRedis('RedisCache', props.redis.cache);
    this.monitoring.monitorRedis('RedisPubsub', props.redis.pubsub);
    this.monitoring.monitorRedis('RedisStreams', props.redis.streams);
    this.monitoring.monitorSearch(props.searchDomain, profile.search.volumeSizeGiB);
    const groups = Object.values(profile.cluster.nodeGroups);
    this.monitoring.monitorClusterCapacity({
      clusterName: cluster.clusterName,
      minNodes: groups.reduce((sum, g) => sum + g.minSize, 0),
      maxNodes: groups.reduce((sum, g) => sum + g.maxSize, 0),
    });
  }
}
