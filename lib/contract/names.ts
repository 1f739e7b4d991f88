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
export const WORKLOAD_SERVICE_ACCOUNTS = {
  gateway: 'gateway',
  api: 'api',
  worker: 'worker',
  kong: 'kong',
  // The migrations Job: the one role that may read the database master secret.
  migrations: 'migrations',
} as const;

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

/**
 * The node agents that need the host (Fluent Bit reads `/var/log` through hostPath, node-exporter
 * uses the host's network, PID namespace and root filesystem): Pod Security "privileged" allows
 * them, so they get a namespace of their own and nothing else runs there.
 */
export const NODE_AGENTS_NAMESPACE = 'observability-agents';

/**
 * The trace collector (Jaeger, `lib/observability/jaeger-tracing.ts`) as the apps and the network
 * policies see it: its Service in the observability namespace, its pod labels, and the OTLP ports;
 * the apps export OTLP/HTTP to {@link TRACE_COLLECTOR_OTLP_ENDPOINT} (`OTEL_EXPORTER_OTLP_ENDPOINT`).
 */
export const TRACE_COLLECTOR = {
  namespace: OBSERVABILITY_NAMESPACE,
  service: 'jaeger',
  podLabels: { 'app.kubernetes.io/name': 'jaeger' },
  otlpGrpcPort: 4317,
  otlpHttpPort: 4318,
} as const;

/** The OTLP/HTTP base URL the apps send spans to (the SDK appends `/v1/traces`). */
export const TRACE_COLLECTOR_OTLP_ENDPOINT = `http://${TRACE_COLLECTOR.service}.${TRACE_COLLECTOR.namespace}.svc:${TRACE_COLLECTOR.otlpHttpPort}`;

/** The EKS Pod Identity agent's link-local address on every node (pods fetch credentials there). */
export const POD_IDENTITY_AGENT = { cidr: '169.254.170.23/32', port: 80 } as const;

/**
 * The gateway's open-connection gauge (apps/gateway/src/gateway-metrics.ts), summed over a pod's
 * workers by its primary. Prometheus Adapter (`lib/observability/prometheus-adapter.ts`) serves it
 * to the gateway's HPA as a per-pod custom metric, so the gateway scales on connections.
 */
export const GATEWAY_CONNECTIONS_METRIC = 'gateway_connections';
