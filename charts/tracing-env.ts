import { TRACE_COLLECTOR_OTLP_ENDPOINT } from '../lib/contract';

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
