import { loadProfile, PROFILES, type ProfileInput, validateProfile } from '../../lib/config';

/** A deep copy of a shipped profile with one change applied, for negative cases. */
function variant(name: keyof typeof PROFILES, change: (p: ProfileInput) => void): ProfileInput {
  const copy = structuredClone(PROFILES[name]) as ProfileInput;
  change(copy);
  return copy;
}

describe('loadProfile', () => {
  test.each(['dev', 'staging', 'prod', 'scale'])('the shipped %s profile is valid', (name) => {
    expect(loadProfile(name).name).toBe(name);
  });

  test('an unknown profile name lists the allowed names', () => {
    expect(() => loadProfile('qa')).toThrow(
      'Unknown profile "qa" given with -c env=...: allowed values are dev, staging, prod, scale',
    );
  });

  test('a non-string context value is rejected, not coerced', () => {
    expect(() => loadProfile(42)).toThrow(/Unknown profile 42/);
  });
});

describe('validateProfile', () => {
  // Given a shipped profile with one bad field, When it is validated, Then the error names that field.
  test.each<[string, keyof typeof PROFILES, (p: ProfileInput) => void, RegExp]>([
    [
      'zero read replicas in prod',
      'prod',
      (p) => (p.database.readReplicas = 0),
      /database\.readReplicas: must be at least 1 in prod/,
    ],
    [
      'more replicas than RDS allows',
      'prod',
      (p) => (p.database.readReplicas = 16),
      /database\.readReplicas: Too big: expected number to be <=15/,
    ],
    [
      'a zone outside the region',
      'dev',
      (p) => (p.env.availabilityZones = ['us-east-1a', 'ap-northeast-2b', 'ap-northeast-2c']),
      /env\.availabilityZones\[0\]: zone "us-east-1a" is not in region ap-northeast-2/,
    ],
    [
      'two zones the same',
      'dev',
      (p) => (p.env.availabilityZones = ['ap-northeast-2a', 'ap-northeast-2a', 'ap-northeast-2c']),
      /env\.availabilityZones: must list three different zones/,
    ],
    [
      'a malformed admin role ARN',
      'prod',
      (p) => (p.cluster.adminRoleArns = ['arn:aws:iam::123:user/bob']),
      /cluster\.adminRoleArns\[0\]: must be an IAM role ARN/,
    ],
    ['a malformed CIDR', 'dev', (p) => (p.network.vpcCidr = '10.0.0.0/33'), /network\.vpcCidr: must be an IPv4 CIDR/],
    [
      'a malformed account id',
      'dev',
      (p) => (p.env.account = '1234'),
      /env\.account: must be a 12-digit AWS account id/,
    ],
    [
      'a public Kubernetes API open to the world',
      'dev',
      (p) => (p.cluster.publicAccessCidrs = ['0.0.0.0/0']),
      /cluster\.publicAccessCidrs: 0\.0\.0\.0\/0 would expose/,
    ],
    [
      'min above max replicas',
      'prod',
      (p) => (p.workloads.api.minReplicas = 30),
      /workloads\.api\.maxReplicas: must be >= minReplicas/,
    ],
    [
      'a gateway node group smaller than the HPA',
      'prod',
      (p) => (p.cluster.nodeGroups.gateway.maxSize = 5),
      /cluster\.nodeGroups\.gateway\.maxSize: must be >= workloads\.gateway\.maxReplicas \(20\)/,
    ],
    ['unprotected data outside dev', 'staging', (p) => (p.protectData = false), /protectData: must be true in staging/],
    [
      'an x86 type on a Graviton cluster',
      'dev',
      (p) => (p.cluster.graviton = true),
      /cluster\.nodeGroups\.system\.instanceTypes\[0\]: "m7i\.large" is not a Graviton type/,
    ],
    [
      'an unknown field',
      'dev',
      (p) => Object.assign(p.network, { natGateway: 1 }),
      /network: Unrecognized key: "natGateway"/,
    ],
    [
      'a missing field',
      'dev',
      (p) => delete (p.database as Partial<ProfileInput['database']>).instanceClass,
      /database\.instanceClass: Invalid input: expected string, received undefined/,
    ],
    [
      'an out-of-range backup retention',
      'prod',
      (p) => (p.database.backupRetentionDays = 40),
      /database\.backupRetentionDays: Too big: expected number to be <=35/,
    ],
    [
      'no certificate and no hosted zone',
      'dev',
      (p) => delete p.edge.certificateArn,
      /edge\.certificateArn: set edge\.certificateArn, or edge\.hostedZone/,
    ],
    [
      'an allowed origin with a path',
      'prod',
      (p) => (p.app.allowedOrigins = ['https://chat.example.com', 'https://chat.example.com/app']),
      /app\.allowedOrigins\[1\]: must be an origin scheme:\/\/host\[:port\]/,
    ],
    [
      'an allowed origin with a wildcard port',
      'prod',
      (p) => (p.app.allowedOrigins = ['http://localhost:*']),
      /app\.allowedOrigins\[0\]: must be an origin/,
    ],
    [
      'a public rate limit no stricter than the general one',
      'prod',
      (p) => (p.app.apiPublicRateLimitPerMinute = p.app.apiRateLimitPerMinute),
      /app\.apiPublicRateLimitPerMinute: must be below app\.apiRateLimitPerMinute/,
    ],
  ])('%s', (_case, name, change, message) => {
    expect(() => validateProfile(variant(name, change), name)).toThrow(message);
  });

  test('every bad field is reported at once, under the profile name', () => {
    const bad = variant('prod', (p) => {
      p.database.readReplicas = 0;
      p.network.natGateways = 0;
    });
    expect(() => validateProfile(bad, 'prod')).toThrow(
      /^Invalid profile "prod":\n {2}- network\.natGateways: .*\n {2}- database\.readReplicas: must be at least 1/,
    );
  });
});
