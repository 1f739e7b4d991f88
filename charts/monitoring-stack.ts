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
 * The trace collector (Jaeger, `lib/observability/jaeger-tracing.ts`) as the apps and the network
 * policies see it: its Service in the monitoring namespace, its pod labels, and the OTLP/HTTP port
 * the apps export to (`OTEL_EXPORTER_OTLP_ENDPOINT`).
 */
export const TRACE_COLLECTOR = {
  namespace: MONITORING_STACK.namespace,
  service: 'jaeger',
  podLabels: { 'app.kubernetes.io/name': 'jaeger' },
  otlpGrpcPort: 4317,
  otlpHttpPort: 4318,
} as const;

/** The OTLP/HTTP base URL the apps send spans to (the SDK appends `/v1/traces`). */
export const TRACE_COLLECTOR_OTLP_ENDPOINT = `http://${TRACE_COLLECTOR.service}.${TRACE_COLLECTOR.namespace}.svc:${TRACE_COLLECTOR.otlpHttpPort}`;

/**
 * The standard OpenTelemetry variables an app's pods get: its service name, the collector, and
 * the profile's sampling ratio, parent-based so a sampled caller's trace is continued.
 */
export function tracingEnv(service: 'gateway' | 'api' | 'worker', traceSampleRatio: number): Record<string, string> {
  return {
    OTEL_SERVICE_NAME: service,
    OTEL_EXPORTER_OTLP_ENDPOINT: TRACE_COLLECTOR_OTLP_ENDPOINT,
    OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: String(traceSampleRatio),
  };
}
