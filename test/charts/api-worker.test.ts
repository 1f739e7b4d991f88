import { Testing } from 'cdk8s';
import { ApiChart } from '../../charts/api';
import { PLACEHOLDERS } from '../../charts/placeholders';
import { WorkerChart } from '../../charts/worker';
import { ofKind, synthChart, workloadProps, type K8sObject } from './synth-charts';

describe('ApiChart and WorkerChart', () => {
  // Given the prod profile (api 20 -> 40 pods of 500m / 768Mi, worker 3 -> 12 of 500m / 1Gi)
  const common = workloadProps('prod');
  const { profile } = common;
  const api = synthChart(new ApiChart(Testing.app(), 'Api', { ...common, image: PLACEHOLDERS.images.api }));
  const worker = synthChart(new WorkerChart(Testing.app(), 'Worker', { ...common, image: PLACEHOLDERS.images.worker }));

  test('the api scales 20 -> 40 on CPU with the default scale-down behaviour', () => {
    expect(ofKind(api, 'HorizontalPodAutoscaler')[0].spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' },
      minReplicas: 20,
      maxReplicas: 40,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
      ],
    });
  });

  test('the api runs on the api node group with the profile size', () => {
    const pod = ofKind(api, 'Deployment', 'api')[0].spec.template.spec;
    expect(pod.nodeSelector).toEqual({ 'co-talk.io/node-role': 'api' });
    expect(pod.containers[0].resources).toEqual({
      requests: { cpu: '500m', memory: '768Mi' },
      limits: { cpu: '500m', memory: '768Mi' },
    });
  });

  const envOf = (objects: K8sObject[], name: string) =>
    Object.fromEntries(
      (ofKind(objects, 'Deployment', name)[0].spec.template.spec.containers[0].env as K8sObject[]).map((e) => [
        e.name,
        e.value,
      ]),
    );
  const { backends } = PLACEHOLDERS;
  /** What both apps get alike: the region, spans to the trace collector (sampled at the profile's ratio), the primary. */
  const sharedEnv = (service: string, databaseUser: string) => ({
    AWS_REGION: 'region-placeholder',
    OTEL_SERVICE_NAME: service,
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger.observability.svc:4318',
    OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: '0.01',
    DATABASE_HOST: 'postgres-writer.example.internal',
    DATABASE_PORT: '5433',
    DATABASE_NAME: 'cotalk',
    DATABASE_USER: databaseUser,
    DATABASE_IAM_AUTH: 'true',
  });

  test('the api gets exactly the production contract: database, cache, OpenSearch, tokens, settings', () => {
    expect(envOf(api, 'api')).toEqual({
      ...sharedEnv('api', 'cotalk_api'),
      DATABASE_READER_HOSTS: 'postgres-replica-1.example.internal,postgres-replica-2.example.internal',
      REDIS_CACHE_URL: 'rediss://redis-cache.example.internal:6380',
      REDIS_CACHE_CLUSTER_MODE: 'true',
      REDIS_CACHE_USERNAME: 'cotalk-env-api-cache',
      REDIS_CACHE_SECRET_ARN: backends.redis.cache.users.api?.secretArn,
      OPENSEARCH_URL: 'https://opensearch.example.internal:443',
      OPENSEARCH_IAM_AUTH: 'true',
      JWT_ISSUER: 'https://auth.example.com',
      JWT_SIGNING_KEYS_SECRET_ARN: backends.jwt.signingKeysSecretArn,
      API_PORT: '3000',
      DATABASE_POOL_MAX: '50',
      CACHE_L1_TTL_SECONDS: '60',
      CACHE_L2_TTL_SECONDS: '3600',
      ACCESS_TOKEN_TTL_SECONDS: '3600',
      ALLOWED_ORIGINS: 'https://chat.example.com',
      API_TRUSTED_PROXIES: profile.network.vpcCidr,
      MIGRATE_ON_START: 'false',
    });
  });

  test('the worker gets the primary, the streams cluster and OpenSearch, its pod name, and no token key', () => {
    const env = ofKind(worker, 'Deployment', 'worker')[0].spec.template.spec.containers[0].env as K8sObject[];
    expect(env.find((e) => e.name === 'WORKER_CONSUMER_NAME')).toEqual({
      name: 'WORKER_CONSUMER_NAME',
      valueFrom: { fieldRef: { fieldPath: 'metadata.name' } },
    });
    expect(Object.fromEntries(env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value]))).toEqual({
      ...sharedEnv('worker', 'cotalk_worker'),
      REDIS_STREAMS_URL: 'rediss://redis-streams.example.internal:6382',
      REDIS_STREAMS_CLUSTER_MODE: 'false',
      REDIS_STREAMS_USERNAME: 'cotalk-env-worker-streams',
      REDIS_STREAMS_SECRET_ARN: backends.redis.streams.users.worker?.secretArn,
      OPENSEARCH_URL: 'https://opensearch.example.internal:443',
      OPENSEARCH_IAM_AUTH: 'true',
      METRICS_PORT: '9090',
      DATABASE_POOL_MAX: '50',
    });
  });

  test('the worker scales 3 -> 12 on CPU, runs on untainted nodes and probes its health endpoint', () => {
    expect(ofKind(worker, 'HorizontalPodAutoscaler')[0].spec).toMatchObject({ minReplicas: 3, maxReplicas: 12 });
    const pod = ofKind(worker, 'Deployment', 'worker')[0].spec.template.spec;
    expect(pod.nodeSelector).toBeUndefined();
    expect(pod.tolerations).toBeUndefined();
    expect(pod.containers[0].readinessProbe.httpGet).toEqual({ path: '/healthz', port: 9090, scheme: 'HTTP' });
    expect(ofKind(worker, 'Service', 'worker')[0].spec.selector).toEqual({ 'app.kubernetes.io/name': 'worker' });
  });
});
