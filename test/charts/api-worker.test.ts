import { Testing } from 'cdk8s';
import { ApiChart } from '../../charts/api';
import { PLACEHOLDERS } from '../../charts/placeholders';
import { WorkerChart } from '../../charts/worker';
import { loadProfile } from '../../lib/config';
import { ofKind, type K8sObject } from './synth-charts';

describe('ApiChart and WorkerChart', () => {
  // Given the prod profile (api 5 -> 20 pods of 2 CPU / 4Gi, worker 3 -> 12 of 1 CPU / 2Gi)
  const profile = loadProfile('prod');
  const common = { profile, namespace: 'co-talk', backends: PLACEHOLDERS.backends };
  const api = Testing.synth(
    new ApiChart(Testing.app(), 'Api', { ...common, image: PLACEHOLDERS.images.api }),
  ) as K8sObject[];
  const worker = Testing.synth(
    new WorkerChart(Testing.app(), 'Worker', { ...common, image: PLACEHOLDERS.images.worker }),
  ) as K8sObject[];

  test('the api scales 5 -> 20 on CPU with the default scale-down behaviour', () => {
    expect(ofKind(api, 'HorizontalPodAutoscaler')[0].spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' },
      minReplicas: 5,
      maxReplicas: 20,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
      ],
    });
  });

  test('the api runs on the api node group with the profile size', () => {
    const pod = ofKind(api, 'Deployment', 'api')[0].spec.template.spec;
    expect(pod.nodeSelector).toEqual({ 'co-talk/role': 'api' });
    expect(pod.containers[0].resources).toEqual({
      requests: { cpu: '2000m', memory: '4096Mi' },
      limits: { cpu: '2000m', memory: '4096Mi' },
    });
  });

  test('the api gets reader and writer endpoints, pool size, cache TTLs and secret ARNs', () => {
    const env = Object.fromEntries(
      (ofKind(api, 'Deployment', 'api')[0].spec.template.spec.containers[0].env as K8sObject[]).map((e) => [
        e.name,
        e.value,
      ]),
    );
    expect(env).toMatchObject({
      DATABASE_HOST: 'postgres-writer.example.internal',
      DATABASE_READ_HOST: 'postgres-reader.example.internal',
      DATABASE_SECRET_ARN: PLACEHOLDERS.backends.databaseSecretArn,
      DATABASE_POOL_MAX: '50',
      L1_CACHE_TTL_SECONDS: '60',
      L2_CACHE_TTL_SECONDS: '3600',
      OPENSEARCH_URL: 'https://opensearch.example.internal:443',
      REDIS_SECRET_ARN: PLACEHOLDERS.backends.redisSecretArn,
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
