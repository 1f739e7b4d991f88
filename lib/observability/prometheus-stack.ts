import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { PodIdentityRole } from '../cluster/pod-identity-role';
import {
  KUBE_PROMETHEUS_STACK_RELEASE,
  NODE_AGENTS_NAMESPACE,
  NODE_ROLE_LABEL,
  OBSERVABILITY_NAMESPACE,
} from '../contract';
import { KUBE_PROMETHEUS_STACK_CHART } from './versions';

/** Props for {@link PrometheusStack}. */
export interface PrometheusStackProps {
  /** The cluster to install into. */
  readonly cluster: eks.ICluster;
  /** Days Prometheus keeps samples. */
  readonly retentionDays: number;
  /** Size of Prometheus's persistent volume. */
  readonly volumeGiB: number;
  /** The alarm topic: Alertmanager publishes every in-cluster alert to it. */
  readonly alertTopic: sns.ITopic;
}

/** The ServiceAccount Alertmanager runs as; its Pod Identity role may publish to the topic. */
export const ALERTMANAGER_SERVICE_ACCOUNT = 'alertmanager';

/** Alertmanager receivers: the alarm topic, and a sink for the stack's always-firing heartbeat. */
export const ALERTMANAGER_RECEIVERS = { topic: 'sns-alarm-topic', none: 'null' } as const;

/**
 * Alertmanager's routing: every alert goes to the topic, grouped per alert name and namespace,
 * except `Watchdog` (fires all the time to prove the pipeline works; paging on it would be noise)
 * and `InfoInhibitor` (exists only to inhibit info-level alerts), which kube-prometheus-stack's
 * default rules define for that purpose.
 */
export function alertmanagerConfig(topicArn: string, region: string) {
  return {
    route: {
      receiver: ALERTMANAGER_RECEIVERS.topic,
      group_by: ['alertname', 'namespace'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      routes: [{ receiver: ALERTMANAGER_RECEIVERS.none, matchers: ['alertname =~ "Watchdog|InfoInhibitor"'] }],
    },
    receivers: [
      {
        name: ALERTMANAGER_RECEIVERS.topic,
        // SigV4 with the default credential chain, which picks up the Pod Identity credentials.
        // https://prometheus.io/docs/alerting/latest/configuration/#sns_config
        sns_configs: [
          {
            topic_arn: topicArn,
            sigv4: { region },
            subject: '[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}',
            send_resolved: true,
          },
        ],
      },
      { name: ALERTMANAGER_RECEIVERS.none },
    ],
  };
}

/**
 * Prometheus and Grafana in the cluster (the kube-prometheus-stack chart).
 *
 * In-cluster rather than Amazon Managed Prometheus and Grafana: the design names the open-source
 * pair for its custom dashboards and alert rules, the apps already expose `/metrics`, and one
 * chart brings Prometheus, Grafana, kube-state-metrics and node-exporter with no extra AWS
 * workspace, SSO set-up or per-sample cost. Alertmanager sends every in-cluster alert to the
 * same SNS topic as the CloudWatch alarms (its SNS receiver, signed with a Pod Identity role that
 * may publish there and nowhere else), so one subscription list reaches a person for both.
 * node-exporter runs in the node agents' namespace: it needs the host.
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
    const alertmanagerIdentity = new PodIdentityRole(this, 'AlertmanagerIdentity', {
      cluster: props.cluster,
      namespace: OBSERVABILITY_NAMESPACE,
      serviceAccountName: ALERTMANAGER_SERVICE_ACCOUNT,
      description: 'Alertmanager: publishes in-cluster alerts to the Co-Talk alarm topic',
    });
    props.alertTopic.grantPublish(alertmanagerIdentity.role);
    Validations.of(alertmanagerIdentity.role).acknowledge({
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason:
        "Publishing to the KMS-encrypted alarm topic needs GenerateDataKey* (every variant), on the topic's key only",
    });
    this.chart = new eks.HelmChart(this, 'Chart', {
      cluster: props.cluster,
      ...KUBE_PROMETHEUS_STACK_CHART,
      release: KUBE_PROMETHEUS_STACK_RELEASE,
      namespace: OBSERVABILITY_NAMESPACE,
      createNamespace: false,
      wait: true,
      timeout: Duration.minutes(15),
      values: {
        alertmanager: {
          enabled: true,
          serviceAccount: { create: true, name: ALERTMANAGER_SERVICE_ACCOUNT },
          config: alertmanagerConfig(props.alertTopic.topicArn, Stack.of(this).region),
          alertmanagerSpec: { ...onSystemNodes },
        },
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
        // Host network, PID namespace and root filesystem: Pod Security "privileged" only.
        'prometheus-node-exporter': { namespaceOverride: NODE_AGENTS_NAMESPACE },
      },
    });
    this.chart.node.addDependency(alertmanagerIdentity);
  }
}
