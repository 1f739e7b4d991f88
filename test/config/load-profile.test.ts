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
      (p) => (p.workloads.api.minReplicas = 50),
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
      (p) => (p.cluster.nodeGroups.system.instanceTypes = ['m7i.large']),
      /cluster\.nodeGroups\.system\.instanceTypes\[0\]: "m7i\.large" is not a Graviton type/,
    ],
    [
      'a gateway node above its ceiling',
      'prod',
      (p) => (p.cluster.nodeGroups.gateway.instanceTypes = ['c7g.8xlarge', 'c6g.8xlarge']),
      /cluster\.nodeGroups\.gateway\.instanceTypes\[0\]: "c7g\.8xlarge" \(32 vCPU \/ 64 GiB\) is above cluster\.nodeGroups\.gateway\.ceiling \(16 vCPU \/ 32 GiB\)/,
    ],
    [
      'a database class above its ceiling',
      'scale',
      (p) => (p.database.instanceClass = 'db.r7g.8xlarge'),
      /database\.instanceClass: "db\.r7g\.8xlarge" \(32 vCPU \/ 256 GiB\) is above database\.ceiling \(32 vCPU \/ 128 GiB\)/,
    ],
    [
      'a Spot group with one instance type',
      'prod',
      (p) => (p.cluster.nodeGroups.api.instanceTypes = ['c7g.xlarge']),
      /cluster\.nodeGroups\.api\.instanceTypes: must list at least two instance types of one size with capacityType SPOT/,
    ],
    [
      'a Spot group of mixed sizes',
      'prod',
      (p) => (p.cluster.nodeGroups.gateway.instanceTypes = ['c7g.xlarge', 'm7g.xlarge']),
      /cluster\.nodeGroups\.gateway\.instanceTypes\[1\]: "m7g\.xlarge" \(4 vCPU \/ 16 GiB\) is not the size of "c7g\.xlarge" \(4 vCPU \/ 8 GiB\)/,
    ],
    [
      'a gateway drain longer than the Spot interruption notice',
      'prod',
      (p) => (p.app.gatewayDrainSeconds = 300),
      /app\.gatewayDrainSeconds: deregistrationDelaySeconds \+ gatewayDrainSeconds \(330 s\) must be at most 120 when the gateway nodes are SPOT/,
    ],
    [
      'a gateway pod larger than its node',
      'prod',
      (p) => (p.workloads.gateway.memory = '8Gi'),
      /workloads\.gateway\.cpu: a gateway pod \(3500m CPU, 8Gi\) does not fit one c7g\.xlarge node/,
    ],
    [
      'api nodes too few for the api pods',
      'prod',
      (p) => (p.cluster.nodeGroups.api.maxSize = 4),
      /cluster\.nodeGroups\.api\.maxSize: 4 nodes of c7g\.xlarge hold 28 api pods \(7 each\), fewer than workloads\.api\.maxReplicas \(40\)/,
    ],
    [
      'an instance type of unknown size',
      'dev',
      (p) => (p.cluster.nodeGroups.system.instanceTypes = ['x2gd.large']),
      /cluster\.nodeGroups\.system\.instanceTypes\[0\]: "x2gd\.large" has no known vCPU and memory/,
    ],
    [
      'an interface endpoint without its reason',
      'dev',
      (p) => (p.network.interfaceEndpoints = { Sts: '' }),
      /network\.interfaceEndpoints\.Sts: must give the reason/,
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

describe('prod is the design target column', () => {
  // The design's target column runs at rest: 10 WebSocket servers, 20 API pods, 5 read replicas.
  const prod = loadProfile('prod');
  test('10 gateway servers, 20 api pods and 5 read replicas at rest', () => {
    expect(prod.cluster.nodeGroups.gateway.minSize).toBe(10);
    expect(prod.workloads.gateway.minReplicas).toBe(10);
    expect(prod.workloads.api.minReplicas).toBe(20);
    expect(prod.database.readReplicas).toBe(5);
  });

  test('each tier states the design vertical size as its ceiling', () => {
    expect(prod.cluster.nodeGroups.gateway.ceiling).toEqual({ vcpu: 16, memoryGiB: 32 });
    expect(prod.cluster.nodeGroups.api.ceiling).toEqual({ vcpu: 8, memoryGiB: 16 });
    expect(prod.database.ceiling).toEqual({ vcpu: 32, memoryGiB: 128 });
  });
});
