import { Testing } from 'cdk8s';
import { GatewayChart } from '../../charts/gateway';
import { PLACEHOLDERS } from '../../charts/placeholders';
import { ofKind, synthChart, workloadProps, type K8sObject } from './synth-charts';

describe('GatewayChart', () => {
  // Given the prod profile (10 -> 20 pods, 90 s drain, 30 s deregistration: within a Spot notice)
  const props = {
    ...workloadProps('prod'),
    image: PLACEHOLDERS.images.gateway,
    targetGroupArn: PLACEHOLDERS.targetGroupArns.gateway,
  };
  const objects = synthChart(new GatewayChart(Testing.app(), 'Gateway', props));
  const pod = ofKind(objects, 'Deployment', 'gateway')[0].spec.template.spec;

  test('runs on the dedicated gateway nodes', () => {
    expect(pod.nodeSelector).toEqual({ 'co-talk.io/node-role': 'gateway' });
    expect(pod.tolerations).toEqual([
      { key: 'co-talk.io/node-role', operator: 'Equal', value: 'gateway', effect: 'NoSchedule' },
    ]);
  });

  test('waits out the NLB deregistration, then drains for the profile drain time', () => {
    expect(pod.containers[0].lifecycle).toEqual({ preStop: { sleep: { seconds: 30 } } });
    expect(pod.terminationGracePeriodSeconds).toBe(120);
    expect(pod.containers[0].env).toEqual(expect.arrayContaining([{ name: 'GATEWAY_DRAIN_SECONDS', value: '90' }]));
  });

  test('heartbeats at the profile interval (GATEWAY_HEARTBEAT_INTERVAL_MS)', () => {
    expect(pod.containers[0].env).toEqual(
      expect.arrayContaining([{ name: 'GATEWAY_HEARTBEAT_INTERVAL_MS', value: '30000' }]),
    );
  });

  test('scales on connections per pod with CPU and memory as guards, removing one pod per drain period after a long stabilization', () => {
    expect(ofKind(objects, 'HorizontalPodAutoscaler')[0].spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'gateway' },
      minReplicas: 10,
      maxReplicas: 20,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } },
        { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 80 } } },
        {
          type: 'Pods',
          pods: {
            metric: { name: 'gateway_connections' },
            target: { type: 'AverageValue', averageValue: 100_000 },
          },
        },
      ],
      behavior: {
        scaleDown: {
          stabilizationWindowSeconds: 1800,
          selectPolicy: 'Min',
          policies: [{ type: 'Pods', value: 1, periodSeconds: 120 }],
        },
      },
    });
  });

  test('replaces pods one at a time without a surge pod', () => {
    expect(ofKind(objects, 'Deployment', 'gateway')[0].spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: 0, maxUnavailable: 1 },
    });
    expect(ofKind(objects, 'PodDisruptionBudget')[0].spec.maxUnavailable).toBe(1);
  });

  test('binds the WebSocket port to the NLB target group by pod IP', () => {
    expect(ofKind(objects, 'TargetGroupBinding')[0]).toEqual({
      apiVersion: 'elbv2.k8s.aws/v1beta1',
      kind: 'TargetGroupBinding',
      metadata: { name: 'gateway', namespace: 'co-talk' },
      spec: {
        targetGroupARN: PLACEHOLDERS.targetGroupArns.gateway,
        targetType: 'ip',
        serviceRef: { name: 'gateway', port: 8080 },
      },
    });
    expect(ofKind(objects, 'Service', 'gateway')[0].spec.ports).toEqual([
      { name: 'websocket', port: 8080, targetPort: 8080 },
      { name: 'metrics', port: 9090, targetPort: 9090 },
    ]);
  });

  test('probes the metrics listener and passes endpoints and secret ARNs, never secret values', () => {
    const c = pod.containers[0];
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 9090, scheme: 'HTTP' });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 9090, scheme: 'HTTP' });
    const { backends } = PLACEHOLDERS;
    const env = Object.fromEntries((c.env as K8sObject[]).map((e) => [e.name, e.value]));
    // Pub/sub fan-out, the stream, the cache cluster's room membership sets, and the token key.
    expect(Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('GATEWAY_')))).toEqual({
      AWS_REGION: 'region-placeholder',
      // Spans to the trace collector, sampled at the profile's ratio.
      OTEL_SERVICE_NAME: 'gateway',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger.observability.svc:4318',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.01',
      REDIS_PUBSUB_URL: 'rediss://redis-pubsub.example.internal:6381',
      REDIS_PUBSUB_CLUSTER_MODE: 'false',
      REDIS_PUBSUB_USERNAME: 'cotalk-env-gateway-pubsub',
      REDIS_PUBSUB_SECRET_ARN: backends.redis.pubsub.users.gateway?.secretArn,
      REDIS_STREAMS_URL: 'rediss://redis-streams.example.internal:6382',
      REDIS_STREAMS_CLUSTER_MODE: 'false',
      REDIS_STREAMS_USERNAME: 'cotalk-env-gateway-streams',
      REDIS_STREAMS_SECRET_ARN: backends.redis.streams.users.gateway?.secretArn,
      REDIS_CACHE_URL: 'rediss://redis-cache.example.internal:6380',
      REDIS_CACHE_CLUSTER_MODE: 'true',
      REDIS_CACHE_USERNAME: 'cotalk-env-gateway-cache',
      REDIS_CACHE_SECRET_ARN: backends.redis.cache.users.gateway?.secretArn,
      JWT_ISSUER: 'https://auth.example.com',
      JWT_PUBLIC_KEYS_SECRET_ARN: backends.jwt.publicKeysSecretArn,
      ALLOWED_ORIGINS: 'https://chat.example.com',
    });
  });

  test.each([
    ['a floating tag', 'registry.example/co-talk/gateway:latest'],
    ['a version tag', 'registry.example/co-talk/gateway:1.2.3'],
    ['no tag', 'registry.example/co-talk/gateway'],
  ])('refuses an image with %s, naming the field', (_what, image) => {
    expect(() => new GatewayChart(Testing.app(), 'Gateway', { ...props, image })).toThrow(
      /gateway image ".*" is not pinned: use a digest .* or a CDK asset-hash tag/,
    );
  });

  test('accepts a CDK asset image URI tagged with its hash', () => {
    const image = `\${Token[AWS.AccountId.1]}.dkr.ecr.ap-northeast-2.amazonaws.com/cdk-assets:${'ab'.repeat(32)}`;
    expect(() => new GatewayChart(Testing.app(), 'Gateway', { ...props, image })).not.toThrow();
  });
});
