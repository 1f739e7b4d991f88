/**
 * How the cluster's kube-prometheus-stack finds things, defined once: the namespace it runs in
 * and the pod labels of Prometheus (allowed through the network policies), the release label its
 * operator selects rules by, and the label Grafana's dashboard sidecar loads ConfigMaps by (the
 * sidecar watches only its own namespace, so dashboards go there).
 */
export const MONITORING_STACK = {
  namespace: 'observability',
  prometheusPodLabels: { 'app.kubernetes.io/name': 'prometheus' },
  selectorLabels: { release: 'kube-prometheus-stack' },
  grafanaDashboardLabel: { grafana_dashboard: '1' },
} as const;

/**
 * The gateway's open-connection gauge (apps/gateway/src/gateway-metrics.ts), summed over a pod's
 * workers by its primary. Prometheus Adapter serves it to the HPA as a per-pod custom metric
 * (`lib/observability/prometheus-adapter.ts`), so the gateway scales on connections.
 */
export const GATEWAY_CONNECTIONS_METRIC = 'gateway_connections';
