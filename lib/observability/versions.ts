import type { PinnedChart } from '../cluster/versions';

/**
 * Versions the observability tier installs, pinned and committed like the cluster's
 * (`lib/cluster/versions.ts`): synth never fetches a Helm index.
 */

/** Prometheus, Alertmanager's rules, Grafana, node-exporter and kube-state-metrics. */
export const KUBE_PROMETHEUS_STACK_CHART: PinnedChart = {
  chart: 'kube-prometheus-stack',
  repository: 'https://prometheus-community.github.io/helm-charts',
  version: '79.7.1',
};

/** Fluent Bit, the node log shipper. */
export const FLUENT_BIT_CHART: PinnedChart = {
  chart: 'fluent-bit',
  repository: 'https://fluent.github.io/helm-charts',
  version: '0.54.0',
};

/** Jaeger v2 (an OpenTelemetry Collector distribution): receives OTLP, stores and serves traces. */
export const JAEGER_IMAGE = 'jaegertracing/jaeger:2.12.0';

/** Prometheus Adapter: serves Prometheus series to the HPA as custom metrics (the gateway's connections). */
export const PROMETHEUS_ADAPTER_CHART: PinnedChart = {
  chart: 'prometheus-adapter',
  repository: 'https://prometheus-community.github.io/helm-charts',
  version: '5.3.0',
};
