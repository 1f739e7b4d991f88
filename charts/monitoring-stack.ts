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
