import { validateAgainstSchema } from './k8s-schema';
import { synthCharts } from './synth-charts';

/**
 * Validators of Kubernetes objects accept removed API versions and unknown fields, so besides
 * the schema check the API versions we emit are an allow-list: a new one is a reviewed change.
 */
const ALLOWED_API_VERSIONS = [
  'v1',
  'apps/v1',
  'policy/v1',
  'autoscaling/v2',
  'networking.k8s.io/v1',
  'elbv2.k8s.aws/v1beta1',
  'monitoring.coreos.com/v1',
];

/** Kinds with no schema package on npm; their fields are pinned by the chart tests instead. */
const WITHOUT_SCHEMA = ['elbv2.k8s.aws/v1beta1 TargetGroupBinding'];

describe.each(['dev', 'staging', 'prod', 'scale'])('charts of the %s profile', (profileName) => {
  const { objects } = synthCharts(profileName);

  test('emit only allow-listed API versions', () => {
    const versions = [...new Set(objects.map((o) => o.apiVersion as string))].sort();
    expect(versions.filter((v) => !ALLOWED_API_VERSIONS.includes(v))).toEqual([]);
  });

  test('validate against the Kubernetes 1.36 and Prometheus operator schemas', () => {
    const withSchema = objects.filter((o) => !WITHOUT_SCHEMA.includes(`${o.apiVersion} ${o.kind}`));
    const failures = validateAgainstSchema(withSchema)
      .filter((r) => r.errors.length > 0)
      .map((r) => `${r.kind} ${withSchema[r.index].metadata?.name}: ${r.errors.join('; ')}`);
    expect(failures).toEqual([]);
  });
});

describe('the schema validator', () => {
  test('rejects a malformed object and an unknown kind', () => {
    // Given a Deployment with a string replica count and a kind no schema knows
    const results = validateAgainstSchema([
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { replicas: 'two' } },
      { apiVersion: 'apps/v1', kind: 'Nonsense', metadata: { name: 'x' } },
    ]);
    // Then both fail, with the reason
    expect(results[0].errors.join()).toMatch(/replicas must be integer/);
    expect(results[1].errors.join()).toMatch(/no schema for apps\/v1 Nonsense/);
  });
});
