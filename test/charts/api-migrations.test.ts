import { Testing } from 'cdk8s';
import { ApiMigrationsChart } from '../../charts/api-migrations';
import { PLACEHOLDERS } from '../../charts/placeholders';
import { loadProfile } from '../../lib/config';
import { ofKind, synthCharts, type K8sObject } from './synth-charts';

describe('ApiMigrationsChart', () => {
  // Given the prod profile and the placeholder api image
  const profile = loadProfile('prod');
  const props = { profile, namespace: 'co-talk', backends: PLACEHOLDERS.backends, image: PLACEHOLDERS.images.api };
  const chart = new ApiMigrationsChart(Testing.app(), 'ApiMigrations', props);
  const objects = Testing.synth(chart) as K8sObject[];
  const job = ofKind(objects, 'Job')[0];

  test("runs the api image's migrate command once, as the master user, under a ServiceAccount of its own", () => {
    expect(job.metadata.name).toBe(chart.jobName);
    const pod = job.spec.template.spec;
    // Not the api's: only this ServiceAccount's Pod Identity role may read the master secret.
    expect(pod.serviceAccountName).toBe('migrations');
    expect(ofKind(objects, 'ServiceAccount', 'migrations')[0].automountServiceAccountToken).toBe(false);
    expect(pod.restartPolicy).toBe('Never');
    expect(job.spec.backoffLimit).toBe(3);
    expect(pod.containers[0]).toMatchObject({ image: PLACEHOLDERS.images.api, args: ['dist/main.js', 'migrate'] });
    const env = Object.fromEntries((pod.containers[0].env as K8sObject[]).map((e) => [e.name, e.value]));
    // The database and the master secret, nothing else: no token key, no cache, no search.
    expect(env).toEqual({
      AWS_REGION: PLACEHOLDERS.backends.region,
      DATABASE_HOST: 'postgres-writer.example.internal',
      DATABASE_PORT: '5433',
      DATABASE_NAME: 'cotalk',
      DATABASE_SECRET_ARN: PLACEHOLDERS.backends.database.secretArn,
    });
    expect(ofKind(objects, 'ServiceAccount', 'api')[0].automountServiceAccountToken).toBe(false);
  });

  test('is hardened like every workload', () => {
    const pod = job.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
    });
    expect(pod.containers[0].resources.requests).toEqual(pod.containers[0].resources.limits);
  });

  test('a new image makes a new Job (its pod template is immutable); the same inputs keep the name', () => {
    const again = new ApiMigrationsChart(Testing.app(), 'ApiMigrations', props);
    const image = `registry.example/co-talk/api@sha256:${'1'.repeat(64)}`;
    const other = new ApiMigrationsChart(Testing.app(), 'ApiMigrations', { ...props, image });
    expect(again.jobName).toBe(chart.jobName);
    expect(other.jobName).not.toBe(chart.jobName);
    expect(chart.jobName).toMatch(/^api-migrate-[0-9a-f]{12}$/);
  });

  test('the api Deployment uses the ServiceAccount this chart creates and comes after it', () => {
    const { charts, objects: all } = synthCharts('dev');
    expect(ofKind(all, 'ServiceAccount', 'api')).toHaveLength(1);
    expect(charts.api.node.dependencies).toContain(charts.apiMigrations);
  });
});
