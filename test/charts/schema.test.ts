import { validateAgainstSchema, type SchemaResult } from './k8s-schema';
import { synthCharts, type K8sObject } from './synth-charts';

/**
 * Validators of Kubernetes objects accept removed API versions and unknown fields, so besides
 * the schema check the API versions we emit are an allow-list: a new one is a reviewed change.
 */
const ALLOWED_API_VERSIONS = [
  'v1',
  'apps/v1',
  'policy/v1',
  'autoscaling/v2',
  'batch/v1',
  'networking.k8s.io/v1',
  'elbv2.k8s.aws/v1beta1',
  'monitoring.coreos.com/v1',
];

/** Kinds with no schema package on npm; their fields are pinned by the chart tests instead. */
const WITHOUT_SCHEMA = ['elbv2.k8s.aws/v1beta1 TargetGroupBinding'];

const PROFILES = ['dev', 'staging', 'prod', 'scale'];

/** Objects the validator must reject: a string replica count, and a kind no schema knows. */
const MALFORMED = [
  { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { replicas: 'two' } },
  { apiVersion: 'apps/v1', kind: 'Nonsense', metadata: { name: 'x' } },
];

const rendered = PROFILES.flatMap((profile) => synthCharts(profile).objects.map((object) => ({ profile, object })));
const withSchema = rendered.filter(({ object }) => !WITHOUT_SCHEMA.includes(`${object.apiVersion} ${object.kind}`));
// One validator process for every profile and the malformed objects: loading the 1.36 schemas is the slow part.
let results: SchemaResult[] = [];
let malformedResults: SchemaResult[] = [];
beforeAll(() => {
  const all = validateAgainstSchema([...withSchema.map(({ object }) => object), ...MALFORMED]);
  results = all.slice(0, withSchema.length);
  malformedResults = all.slice(withSchema.length);
});

describe('rendered objects of every profile', () => {
  test.each(PROFILES)('%s: only allow-listed API versions', (profile) => {
    const versions = new Set(rendered.filter((r) => r.profile === profile).map((r) => r.object.apiVersion as string));
    expect([...versions].filter((v) => !ALLOWED_API_VERSIONS.includes(v))).toEqual([]);
  });

  test.each(PROFILES)('%s: every object validates against the Kubernetes 1.36 and operator schemas', (profile) => {
    const name = (object: K8sObject) => `${object.kind} ${object.metadata?.name}`;
    const checked = results.filter((r) => withSchema[r.index].profile === profile);
    expect(checked.length).toBeGreaterThan(0);
    expect(
      checked.filter((r) => r.errors.length > 0).map((r) => `${name(withSchema[r.index].object)}: ${r.errors}`),
    ).toEqual([]);
  });
});

describe('the schema validator', () => {
  test('rejects a malformed object and an unknown kind', () => {
    // Given a Deployment with a string replica count and a kind no schema knows (validated with the
    // rendered objects), Then both fail, with the reason
    expect(malformedResults[0].errors.join()).toMatch(/replicas must be integer/);
    expect(malformedResults[1].errors.join()).toMatch(/no schema for apps\/v1 Nonsense/);
  });
});
