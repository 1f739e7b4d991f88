import { Testing } from 'cdk8s';
import { MonitoringChart } from '../../charts/monitoring';
import { ofKind, type K8sObject } from './synth-charts';

describe('MonitoringChart', () => {
  const objects = Testing.synth(
    new MonitoringChart(Testing.app(), 'Monitoring', { namespace: 'co-talk' }),
  ) as K8sObject[];

  test('scrapes each workload through its Service port, selected by the operator label', () => {
    const monitors = ofKind(objects, 'ServiceMonitor');
    expect(monitors.map((m) => [m.metadata.name, m.spec.endpoints[0].port, m.spec.endpoints[0].path])).toEqual([
      ['gateway', 'metrics', '/metrics'],
      ['api', 'http', '/metrics'],
      ['worker', 'metrics', '/metrics'],
      ['kong', 'status', '/metrics'],
    ]);
    for (const m of monitors) {
      expect(m.metadata).toMatchObject({ namespace: 'co-talk', labels: { release: 'kube-prometheus-stack' } });
    }
  });

  test('alerts on connection drops, error rates, stream backlog, dead letters and silence', () => {
    const rules = ofKind(objects, 'PrometheusRule')[0].spec.groups[0].rules as K8sObject[];
    expect(rules.map((r) => r.alert)).toEqual([
      'GatewayConnectionDrop',
      'GatewayAbnormalCloses',
      'ApiErrorRate',
      'KongErrorRate',
      'WorkerStreamLag',
      'WorkerStreamPending',
      'WorkerDeadLetters',
      'WorkerMetricsAbsent',
      'GatewayMetricsAbsent',
      'WorkerBatchFailures',
    ]);
    expect(rules.find((r) => r.alert === 'WorkerStreamPending')).toMatchObject({
      expr: 'max(worker_stream_pending) > 10000',
      labels: { severity: 'warning' },
    });
    expect(rules.find((r) => r.alert === 'WorkerDeadLetters')).toMatchObject({
      expr: 'sum(increase(worker_messages_dead_lettered_total[15m])) > 0',
    });
    expect(rules.find((r) => r.alert === 'WorkerMetricsAbsent')).toMatchObject({
      expr: 'absent(worker_stream_lag)',
      labels: { severity: 'critical' },
    });
    expect(rules.find((r) => r.alert === 'WorkerStreamLag')).toMatchObject({
      expr: 'max(worker_stream_lag) > 10000',
      for: '10m',
      labels: { severity: 'warning' },
    });
  });

  test('ships the dashboard as a ConfigMap the Grafana sidecar loads, in the namespace Grafana runs in', () => {
    const [dashboard] = ofKind(objects, 'ConfigMap', 'co-talk-dashboard');
    expect(dashboard.metadata).toEqual({
      name: 'co-talk-dashboard',
      namespace: 'observability',
      labels: { grafana_dashboard: '1' },
    });
    const json = JSON.parse(dashboard.data['co-talk.json']);
    expect(json.uid).toBe('co-talk');
    expect(json.panels.map((p: K8sObject) => p.targets[0].expr)).toContain('sum(gateway_connections)');
  });
});
