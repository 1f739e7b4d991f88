import { Chart, type ChartProps } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { PrometheusRule, ServiceMonitor } from './imports/monitoring.coreos.com';
import { APP_PATHS, MONITORING_STACK } from '../lib/contract';

/** Props for {@link MonitoringChart}. */
export interface MonitoringChartProps extends ChartProps {
  /** Namespace the chat workloads (and these objects) live in. */
  readonly namespace: string;
}

/**
 * Alert thresholds. They are ratios and durations of the service's behaviour rather than sizes of
 * an environment, so every profile shares them.
 */
const ALERTS = {
  /** Fraction of open connections lost within 10 minutes that pages someone. */
  connectionDropRatio: 0.3,
  /** Share of 5xx responses over 5 minutes. */
  errorRatio: 0.05,
  /** Stream entries not yet delivered to the worker group. */
  streamLagEntries: 10000,
} as const;

/** The Service ports that serve `/metrics`, by workload. */
const SCRAPED = [
  { id: 'GatewayMonitor', app: 'gateway', port: 'metrics', path: APP_PATHS.metrics },
  { id: 'ApiMonitor', app: 'api', port: 'http', path: APP_PATHS.metrics },
  { id: 'WorkerMonitor', app: 'worker', port: 'metrics', path: APP_PATHS.metrics },
  { id: 'KongMonitor', app: 'kong', port: 'status', path: APP_PATHS.metrics },
] as const;

/**
 * What the cluster's Prometheus operator and Grafana pick up for the chat workloads: a
 * ServiceMonitor per workload, alert rules (connection drops, error rates, stream lag) and the
 * Co-Talk dashboard as code.
 */
export class MonitoringChart extends Chart {
  constructor(scope: Construct, id: string, props: MonitoringChartProps) {
    super(scope, id, { ...props, namespace: props.namespace });
    const labels = { ...MONITORING_STACK.selectorLabels };

    for (const { id, app, port, path } of SCRAPED) {
      new ServiceMonitor(this, id, {
        metadata: { name: app, labels },
        spec: {
          selector: { matchLabels: { 'app.kubernetes.io/name': app } },
          endpoints: [{ port, path, interval: '30s' }],
        },
      });
    }

    new PrometheusRule(this, 'Alerts', {
      metadata: { name: 'co-talk', labels },
      spec: { groups: [{ name: 'co-talk', rules: alertRules() }] },
    });

    new kplus.ConfigMap(this, 'Dashboard', {
      metadata: {
        name: 'co-talk-dashboard',
        namespace: MONITORING_STACK.namespace,
        labels: { ...MONITORING_STACK.grafanaDashboardLabel },
      },
      data: { 'co-talk.json': JSON.stringify(dashboard(), undefined, 2) },
    });
  }
}

function alertRules() {
  const rule = (alert: string, expr: string, forDuration: string, severity: string, summary: string) => ({
    alert,
    expr,
    for: forDuration,
    labels: { severity },
    annotations: { summary },
  });
  return [
    rule(
      'GatewayConnectionDrop',
      `sum(gateway_connections) < ${1 - ALERTS.connectionDropRatio} * sum(gateway_connections offset 10m)`,
      '2m',
      'critical',
      `Open WebSocket connections fell by more than ${ALERTS.connectionDropRatio * 100}% in 10 minutes`,
    ),
    rule(
      'GatewayAbnormalCloses',
      `sum(rate(gateway_closes_total{code!~"1000|1001"}[5m])) / clamp_min(sum(gateway_connections), 1) > ${ALERTS.errorRatio}`,
      '10m',
      'warning',
      'The gateway is closing connections with error codes',
    ),
    rule(
      'ApiErrorRate',
      `sum(rate(http_requests_total{job="api",status_code=~"5.."}[5m])) / clamp_min(sum(rate(http_requests_total{job="api"}[5m])), 1e-9) > ${ALERTS.errorRatio}`,
      '5m',
      'critical',
      `More than ${ALERTS.errorRatio * 100}% of API requests fail`,
    ),
    rule(
      'KongErrorRate',
      `sum(rate(kong_http_requests_total{code=~"5.."}[5m])) / clamp_min(sum(rate(kong_http_requests_total[5m])), 1e-9) > ${ALERTS.errorRatio}`,
      '5m',
      'critical',
      `More than ${ALERTS.errorRatio * 100}% of requests through Kong fail`,
    ),
    rule(
      'WorkerStreamLag',
      `max(worker_stream_lag) > ${ALERTS.streamLagEntries}`,
      '10m',
      'warning',
      'Messages wait in the Redis stream: the workers are not keeping up',
    ),
    rule(
      'WorkerBatchFailures',
      'sum(rate(worker_batch_failures_total[5m])) > 0',
      '10m',
      'warning',
      'The worker keeps failing to store message batches',
    ),
  ];
}

function dashboard() {
  const panel = (id: number, title: string, expr: string, unit: string) => ({
    id,
    title,
    type: 'timeseries',
    datasource: { type: 'prometheus', uid: '${datasource}' },
    fieldConfig: { defaults: { unit }, overrides: [] },
    gridPos: { h: 8, w: 12, x: ((id - 1) % 2) * 12, y: Math.floor((id - 1) / 2) * 8 },
    targets: [{ refId: 'A', expr, legendFormat: '__auto' }],
  });
  return {
    uid: 'co-talk',
    title: 'Co-Talk',
    tags: ['co-talk'],
    schemaVersion: 39,
    time: { from: 'now-6h', to: 'now' },
    templating: {
      list: [{ name: 'datasource', type: 'datasource', query: 'prometheus', label: 'Data source' }],
    },
    panels: [
      panel(1, 'Open WebSocket connections', 'sum(gateway_connections)', 'short'),
      panel(2, 'WebSocket upgrades by result', 'sum by (result) (rate(gateway_upgrades_total[5m]))', 'reqps'),
      panel(3, 'Connection closes by code', 'sum by (code) (rate(gateway_closes_total[5m]))', 'ops'),
      panel(4, 'API requests by status', 'sum by (status_code) (rate(http_requests_total{job="api"}[5m]))', 'reqps'),
      panel(5, 'Kong requests by status', 'sum by (code) (rate(kong_http_requests_total[5m]))', 'reqps'),
      panel(6, 'Stream lag', 'max(worker_stream_lag)', 'short'),
    ],
  };
}
