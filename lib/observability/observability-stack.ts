import { Stack, type StackProps } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { Construct } from 'constructs';
import type { Profile } from '../config';
import { ChatMonitoring } from './chat-monitoring';
import { JaegerTracing } from './jaeger-tracing';
import { OBSERVABILITY_NAMESPACE } from './observability-namespace';
import { PrometheusStack } from './prometheus-stack';

/** Props for {@link ObservabilityStack}. */
export interface ObservabilityStackProps extends StackProps {
  /** The validated environment profile. */
  readonly profile: Profile;
  /** The cluster the in-cluster tools are installed into. */
  readonly cluster: eks.ICluster;
  /** The REST ALB and Kong's target group. */
  readonly restLoadBalancer: elbv2.IApplicationLoadBalancer;
  readonly restTargetGroup: elbv2.IApplicationTargetGroup;
  /** The gateway's target group on the WebSocket NLB. */
  readonly websocketTargetGroup: elbv2.INetworkTargetGroup;
}

/**
 * Metrics, logs, traces and alarms: Prometheus and Grafana, Jaeger and Fluent Bit in the
 * cluster; CloudWatch alarms on every AWS tier through one monitoring construct.
 */
export class ObservabilityStack extends Stack {
  /** Every CloudWatch alarm of the environment, and the topic they notify. */
  public readonly monitoring: ChatMonitoring;

  constructor(scope: Construct, id: string, props: ObservabilityStackProps) {
    super(scope, id, props);
    const { profile, cluster } = props;
    const { observability } = profile;

    const namespace = new eks.KubernetesManifest(this, 'Namespace', {
      cluster,
      manifest: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: OBSERVABILITY_NAMESPACE } }],
    });
    const prometheus = new PrometheusStack(this, 'Prometheus', {
      cluster,
      retentionDays: observability.metricsRetentionDays,
      volumeGiB: observability.metricsVolumeGiB,
    });
    const tracing = new JaegerTracing(this, 'Tracing', {
      cluster,
      retentionDays: observability.traceRetentionDays,
      volumeGiB: observability.traceVolumeGiB,
    });
    for (const inNamespace of [prometheus, tracing]) inNamespace.node.addDependency(namespace);

    this.monitoring = new ChatMonitoring(this, 'Monitoring', { alarmEmail: observability.alarmEmail });
    this.monitoring.monitorRestLoadBalancer(props.restLoadBalancer, props.restTargetGroup);
    this.monitoring.monitorWebSocketLoadBalancer(props.websocketTargetGroup);
    const groups = Object.values(profile.cluster.nodeGroups);
    this.monitoring.monitorClusterCapacity({
      clusterName: cluster.clusterName,
      minNodes: groups.reduce((sum, g) => sum + g.minSize, 0),
      maxNodes: groups.reduce((sum, g) => sum + g.maxSize, 0),
    });
  }
}
