import { Duration } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Construct } from 'constructs';
import { KUBE_PROMETHEUS_STACK_RELEASE, NODE_ROLE_LABEL, OBSERVABILITY_NAMESPACE } from '../contract';
import { KUBE_PROMETHEUS_STACK_CHART } from './versions';

/** Props for {@link PrometheusStack}. */
export interface PrometheusStackProps {
  /** The cluster to install into. */
  readonly cluster: eks.ICluster;
  /** Days Prometheus keeps samples. */
  readonly retentionDays: number;
  /** Size of Prometheus's persistent volume. */
  readonly volumeGiB: number;
}

/**
 * Prometheus and Grafana in the cluster (the kube-prometheus-stack chart).
 *
 * In-cluster rather than Amazon Managed Prometheus and Grafana: the design names the open-source
 * pair for its custom dashboards and alert rules, the apps already expose `/metrics`, and one
 * chart brings Prometheus, Grafana, kube-state-metrics and node-exporter with no extra AWS
 * workspace, SSO set-up or per-sample cost. Paging does not depend on it: the CloudWatch alarms
 * of the monitoring construct do, so Alertmanager is off.
 *
 * Prometheus picks up every `ServiceMonitor` and `PodMonitor` in the cluster (not only the
 * chart's own), so the workload charts declare their scrape targets next to their pods. Nothing
 * is exposed outside the cluster: reach Grafana with `kubectl port-forward`.
 */
export class PrometheusStack extends Construct {
  /** The Helm release. */
  public readonly chart: eks.HelmChart;

  constructor(scope: Construct, id: string, props: PrometheusStackProps) {
    super(scope, id);
    const onSystemNodes = { nodeSelector: { [NODE_ROLE_LABEL]: 'system' } };
    this.chart = new eks.HelmChart(this, 'Chart', {
      cluster: props.cluster,
      ...KUBE_PROMETHEUS_STACK_CHART,
      release: KUBE_PROMETHEUS_STACK_RELEASE,
      namespace: OBSERVABILITY_NAMESPACE,
      createNamespace: false,
      wait: true,
      timeout: Duration.minutes(15),
      values: {
        alertmanager: { enabled: false },
        prometheus: {
          prometheusSpec: {
            ...onSystemNodes,
            retention: `${props.retentionDays}d`,
            serviceMonitorSelectorNilUsesHelmValues: false,
            podMonitorSelectorNilUsesHelmValues: false,
            storageSpec: {
              volumeClaimTemplate: {
                spec: {
                  storageClassName: 'gp3',
                  accessModes: ['ReadWriteOnce'],
                  resources: { requests: { storage: `${props.volumeGiB}Gi` } },
                },
              },
            },
          },
        },
        // Empty: the Grafana chart then generates a random admin password into its Secret,
        // instead of the chart's well-known default.
        grafana: { ...onSystemNodes, adminPassword: '' },
        prometheusOperator: onSystemNodes,
        'kube-state-metrics': onSystemNodes,
      },
    });
  }
}
