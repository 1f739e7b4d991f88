import { Duration } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Construct } from 'constructs';
import { GATEWAY_CONNECTIONS_METRIC, NODE_ROLE_LABEL, OBSERVABILITY_NAMESPACE } from '../contract';
import { PROMETHEUS_ADAPTER_CHART } from './versions';

/** The in-cluster address of kube-prometheus-stack's Prometheus (release `kube-prometheus-stack`). */
export const PROMETHEUS_URL = `http://kube-prometheus-stack-prometheus.${OBSERVABILITY_NAMESPACE}.svc`;

/**
 * The custom-metrics rule: the gateway's open connections per pod, as the HPA's `Pods` metric
 * `gateway_connections`. The series carries the `namespace` and `pod` labels Prometheus adds when
 * it scrapes through the gateway's ServiceMonitor; those map to the Kubernetes resources.
 */
export const GATEWAY_CONNECTIONS_RULE = {
  seriesQuery: `${GATEWAY_CONNECTIONS_METRIC}{namespace!="",pod!=""}`,
  resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
  name: { matches: `^${GATEWAY_CONNECTIONS_METRIC}$`, as: GATEWAY_CONNECTIONS_METRIC },
  metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)',
} as const;

/** Props for {@link PrometheusAdapter}. */
export interface PrometheusAdapterProps {
  /** The cluster to install into. */
  readonly cluster: eks.ICluster;
}

/**
 * Prometheus Adapter (the prometheus-community chart): the custom metrics API
 * (`custom.metrics.k8s.io`) over the cluster's Prometheus, serving exactly one rule, the gateway's
 * connections per pod, so the gateway's HPA scales on connections with CPU and memory as guards.
 *
 * Chosen over KEDA: the gateway already has an autoscaling/v2 HPA with a careful scale-down
 * policy (one draining pod at a time); the adapter adds a metric to it without a second
 * controller owning the HPA. The chart's default rules are off, and no resource-metrics rules are
 * given, so `metrics.k8s.io` stays with the metrics-server add-on.
 */
export class PrometheusAdapter extends Construct {
  /** The Helm release. */
  public readonly chart: eks.HelmChart;

  constructor(scope: Construct, id: string, props: PrometheusAdapterProps) {
    super(scope, id);
    this.chart = new eks.HelmChart(this, 'Chart', {
      cluster: props.cluster,
      ...PROMETHEUS_ADAPTER_CHART,
      release: 'prometheus-adapter',
      namespace: OBSERVABILITY_NAMESPACE,
      createNamespace: false,
      wait: true,
      timeout: Duration.minutes(10),
      values: {
        prometheus: { url: PROMETHEUS_URL, port: 9090 },
        // The port the network policy 'prometheus-adapter-from-api-server' opens (the chart's default).
        listenPort: 6443,
        // Two replicas: while the API is unavailable the HPA cannot read connections.
        replicas: 2,
        nodeSelector: { [NODE_ROLE_LABEL]: 'system' },
        rules: { default: false, custom: [GATEWAY_CONNECTIONS_RULE] },
      },
    });
  }
}
