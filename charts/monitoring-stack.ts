/**
 * How the cluster's Prometheus stack finds things, defined once: the namespace and pod labels of
 * Prometheus (allowed through the network policies), the label its operator selects monitors and
 * rules by, and the label Grafana's dashboard sidecar loads ConfigMaps by.
 */
export const MONITORING_STACK = {
  namespace: 'monitoring',
  prometheusPodLabels: { 'app.kubernetes.io/name': 'prometheus' },
  selectorLabels: { release: 'kube-prometheus-stack' },
  grafanaDashboardLabel: { grafana_dashboard: '1' },
} as const;
