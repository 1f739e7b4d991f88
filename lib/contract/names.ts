/**
 * Names two sides of the system share: namespaces, ServiceAccounts and the labels by which the
 * cluster's kube-prometheus-stack finds things. The cluster stack associates Pod Identity roles
 * with these namespaces and accounts, the observability stack installs into them, the charts
 * create and label objects with them.
 */

/** The namespace every chat workload runs in (the charts create it). */
export const CHAT_NAMESPACE = 'co-talk';

/** The namespace the in-cluster observability tools run in. */
export const OBSERVABILITY_NAMESPACE = 'observability';

/** The chat workloads that call AWS APIs, with the ServiceAccount each runs as. */
export const WORKLOAD_SERVICE_ACCOUNTS = { gateway: 'gateway', api: 'api', worker: 'worker', kong: 'kong' } as const;

/** The Helm release name of kube-prometheus-stack; its operator selects rules by `release=<name>`. */
export const KUBE_PROMETHEUS_STACK_RELEASE = 'kube-prometheus-stack';

/**
 * How the cluster's kube-prometheus-stack finds things: the namespace it runs in and the pod
 * labels of Prometheus (allowed through the network policies), the release label its operator
 * selects rules by, and the label Grafana's dashboard sidecar loads ConfigMaps by (the sidecar
 * watches only its own namespace, so dashboards go there).
 */
export const MONITORING_STACK = {
  namespace: OBSERVABILITY_NAMESPACE,
  prometheusPodLabels: { 'app.kubernetes.io/name': 'prometheus' },
  selectorLabels: { release: KUBE_PROMETHEUS_STACK_RELEASE },
  grafanaDashboardLabel: { grafana_dashboard: '1' },
} as const;
