import { Match } from 'aws-cdk-lib/assertions';
import { parse } from 'yaml';
import { PROFILE_NAMES } from '../../lib/config';
import { ALARM_THRESHOLDS } from '../../lib/observability/alarm-thresholds';
import { JAEGER_IMAGE, KUBE_PROMETHEUS_STACK_CHART, PROMETHEUS_ADAPTER_CHART } from '../../lib/observability/versions';
import { synthApp } from '../support/synth-app';
import { renderReferences } from '../workloads/manifest-json';

describe.each(PROFILE_NAMES)('ObservabilityStack (%s)', (name) => {
  const { profile, template } = synthApp(name);
  const t = template('observability');

  test('alarms go to one KMS-encrypted topic that e-mails the profile address', () => {
    t.resourceCountIs('AWS::SNS::Topic', 1);
    t.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MonitoringTopicKey'), 'Arn'] },
    });
    for (const address of profile.observability.alertEmails) {
      t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: address });
    }
    for (const url of profile.observability.alertHttpsEndpoints) {
      t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'https', Endpoint: url });
    }
    t.resourceCountIs(
      'AWS::SNS::Subscription',
      profile.observability.alertEmails.length + profile.observability.alertHttpsEndpoints.length,
    );
    const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^MonitoringTopic/) }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: expect.stringMatching(/^MonitoringTopic/) }]);
    }
  });

  test('alarms on the ALB 5xx rate and unhealthy targets on both load balancers', () => {
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: ALARM_THRESHOLDS.alb5xxPercent,
      Metrics: Match.arrayWith([Match.objectLike({ Expression: '100 * (elb + target) / MAX([requests, 1])' })]),
    });
    for (const namespace of ['AWS/ApplicationELB', 'AWS/NetworkELB']) {
      t.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: namespace,
        MetricName: 'UnHealthyHostCount',
        Threshold: ALARM_THRESHOLDS.unhealthyTargets,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    }
  });

  test('alarms when the node groups fall below their minimum or reach their maximum', () => {
    const groups = Object.values(profile.cluster.nodeGroups);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'ContainerInsights',
      MetricName: 'cluster_node_count',
      ComparisonOperator: 'LessThanThreshold',
      Threshold: groups.reduce((sum, g) => sum + g.minSize, 0),
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'ContainerInsights',
      MetricName: 'cluster_node_count',
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: groups.reduce((sum, g) => sum + g.maxSize, 0),
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'ContainerInsights',
      MetricName: 'cluster_failed_node_count',
      Threshold: ALARM_THRESHOLDS.failedNodes,
    });
  });

  test('installs kube-prometheus-stack at its pinned version with the profile retention and volume', () => {
    const charts = t.findResources('Custom::AWSCDK-EKS-HelmChart', {
      Properties: { Chart: KUBE_PROMETHEUS_STACK_CHART.chart },
    });
    const [chart] = Object.values(charts);
    expect(chart.Properties).toMatchObject({
      Repository: KUBE_PROMETHEUS_STACK_CHART.repository,
      Version: KUBE_PROMETHEUS_STACK_CHART.version,
      Namespace: 'observability',
    });
    const values = JSON.parse(renderReferences(chart.Properties.Values));
    expect(values.prometheus.prometheusSpec.retention).toBe(`${profile.observability.metricsRetentionDays}d`);
    expect(values.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage).toBe(
      `${profile.observability.metricsVolumeGiB}Gi`,
    );
    // Never the chart's well-known default admin password.
    expect(values.grafana.adminPassword).toBe('');
  });

  test('installs Prometheus Adapter serving the gateway connections per pod to the HPA, nothing else', () => {
    const [chart] = Object.values(
      t.findResources('Custom::AWSCDK-EKS-HelmChart', { Properties: { Chart: PROMETHEUS_ADAPTER_CHART.chart } }),
    );
    expect(chart.Properties).toMatchObject({
      Repository: 'https://prometheus-community.github.io/helm-charts',
      Version: PROMETHEUS_ADAPTER_CHART.version,
      Namespace: 'observability',
      Release: 'prometheus-adapter',
    });
    expect(chart.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^PrometheusChart/)]));
    const values = JSON.parse(chart.Properties.Values);
    expect(values.prometheus).toEqual({ url: 'http://kube-prometheus-stack-prometheus.observability.svc', port: 9090 });
    // Default rules off and no resource rules: metrics.k8s.io stays with the metrics-server add-on.
    expect(values.rules).toEqual({
      default: false,
      custom: [
        {
          seriesQuery: 'gateway_connections{namespace!="",pod!=""}',
          resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
          name: { matches: '^gateway_connections$', as: 'gateway_connections' },
          metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)',
        },
      ],
    });
  });

  test('runs Jaeger with OTLP in and Badger storage expiring spans after the trace retention', () => {
    const manifests = Object.values(t.findResources('Custom::AWSCDK-EKS-KubernetesResource'));
    const objects = manifests.flatMap((m) => JSON.parse(m.Properties.Manifest));
    const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'jaeger');
    expect(deployment.spec.template.spec.containers[0].image).toBe(JAEGER_IMAGE);
    const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'jaeger');
    const config = parse(configMap.data['config.yaml']);
    expect(config.extensions.jaeger_storage.backends.main.badger.ttl.spans).toBe(
      `${profile.observability.traceRetentionDays * 24}h`,
    );
    expect(Object.keys(config.receivers.otlp.protocols).sort()).toEqual(['grpc', 'http']);
    const claim = objects.find((o) => o.kind === 'PersistentVolumeClaim');
    expect(claim.spec.resources.requests.storage).toBe(`${profile.observability.traceVolumeGiB}Gi`);
  });
});

describe.each(PROFILE_NAMES)('ObservabilityStack data-store alarms (%s)', (name) => {
  const { profile, template } = synthApp(name);
  const t = template('observability');
  const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm'));
  const count = (namespace: string, metricName: string) =>
    alarms.filter((a) => a.Properties.Namespace === namespace && a.Properties.MetricName === metricName).length;

  test('RDS: CPU, free storage and connections on every instance, replica lag on every replica', () => {
    const instances = 1 + profile.database.readReplicas;
    expect(count('AWS/RDS', 'CPUUtilization')).toBe(instances);
    expect(count('AWS/RDS', 'FreeStorageSpace')).toBe(instances);
    expect(count('AWS/RDS', 'DatabaseConnections')).toBe(instances);
    expect(count('AWS/RDS', 'ReplicaLag')).toBe(profile.database.readReplicas);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'FreeStorageSpace',
      Namespace: 'AWS/RDS',
      Threshold: profile.database.allocatedStorageGiB * 1024 ** 3 * ALARM_THRESHOLDS.rdsFreeStorageFraction,
      ComparisonOperator: 'LessThanThreshold',
    });
  });

  test('ElastiCache: CPU, memory, evictions and replication lag on every node of the three groups', () => {
    const { cache, pubsub, streams } = profile.redis;
    const nodes = cache.shards * (cache.replicasPerShard + 1) + (pubsub.replicas + 1) + (streams.replicas + 1);
    for (const metric of ['EngineCPUUtilization', 'DatabaseMemoryUsagePercentage', 'Evictions', 'ReplicationLag']) {
      expect(count('AWS/ElastiCache', metric)).toBe(nodes);
    }
  });

  test('OpenSearch: red and yellow status, free storage, JVM pressure', () => {
    for (const metric of ['ClusterStatus.red', 'ClusterStatus.yellow', 'FreeStorageSpace', 'JVMMemoryPressure']) {
      expect(count('AWS/ES', metric)).toBe(1);
    }
  });

  test('ships node logs with Fluent Bit and sets up their retention in the domain', () => {
    t.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', { Chart: 'fluent-bit', Namespace: 'observability-agents' });
    t.hasResourceProperties('Custom::CoTalkSearchLogSetup', {
      Name: 'co-talk-logs',
      Roles: [
        Match.objectLike({
          name: 'co_talk_logs_writer',
          index_permissions: [Match.objectLike({ index_patterns: ['co-talk-logs-*'] })],
        }),
      ],
      IsmPolicies: [
        {
          id: 'co-talk-logs-retention',
          policy: Match.objectLike({
            states: Match.arrayWith([
              Match.objectLike({
                transitions: [
                  {
                    state_name: 'delete',
                    conditions: { min_index_age: `${profile.observability.logRetentionDays}d` },
                  },
                ],
              }),
            ]),
          }),
        },
      ],
    });
  });
});
