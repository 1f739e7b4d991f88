import { App } from 'aws-cdk-lib';
import { assertCapacity, CapacityError, evaluateCapacity, instanceShape } from '../../lib/capacity';
import { GATEWAY_CONTAINER_NOFILE, GATEWAY_NODE_CONNTRACK_MAX } from '../../lib/cluster/gateway-node-tuning';
import { createCoTalkStacks } from '../../lib/co-talk-app';
import { loadProfile, PROFILE_NAMES, PROFILES, type Profile, validateProfile } from '../../lib/config';

/** A shipped profile with some fields changed, validated. */
function variant(name: 'dev' | 'prod', change: (p: Profile) => void): Profile {
  const profile = structuredClone(validateProfile(PROFILES[name], name));
  change(profile);
  return validateProfile(profile, `${name} variant`);
}

const limit = (report: ReturnType<typeof evaluateCapacity>, name: string) =>
  report.limits.find((l) => l.name === name)!;

describe('capacity model', () => {
  test.each(PROFILE_NAMES)('%s carries its target, and a server at the vertical size holds 1M+', (name) => {
    const report = evaluateCapacity(loadProfile(name));
    expect(report.failures).toEqual([]);
    expect(report.totalConnections).toBeGreaterThanOrEqual(report.targetConnections);
    expect(report.ceilingPerServerConnections).toBeGreaterThanOrEqual(1_000_000);
  });

  test('prod: the brief target column, 1M on 10 servers, with headroom, every limit sourced', () => {
    const report = evaluateCapacity(loadProfile('prod'));
    expect(report).toMatchObject({ targetConnections: 1_000_000, targetPerServer: 100_000, servers: 10 });
    expect(report.headroom).toBeGreaterThan(0.5);
    expect(report.limits.map((l) => l.name)).toEqual([
      'nlb-per-target',
      'nlb-targets',
      'ec2-connection-tracking',
      'conntrack',
      'file-descriptors',
      'memory',
      'redis-pubsub-connections',
      'scale-in-reconnects',
      'heartbeat-vs-idle-timeout',
    ]);
    for (const l of report.limits) expect(l.source).toMatch(/^(https:\/\/|measured: |allowance: |lib\/|.*https:\/\/)/);
    // The node's conntrack table and each process's open files come from the gateway node settings.
    expect(limit(report, 'conntrack').perServer).toBe(GATEWAY_NODE_CONNTRACK_MAX - 16_384);
    // prod's gateway pod has 3 whole CPUs (3500m), so 3 event-loop processes.
    expect(limit(report, 'file-descriptors').perServer).toBe(3 * (GATEWAY_CONTAINER_NOFILE - 1_024));
    expect(limit(report, 'ec2-connection-tracking').checked).toBe(false);
  });

  test('the scale profile: 10M on 50 servers', () => {
    expect(evaluateCapacity(loadProfile('scale'))).toMatchObject({ targetConnections: 10_000_000, servers: 50 });
  });

  test('memory per connection: the measured RSS plus the kernel socket, against the pod', () => {
    const report = evaluateCapacity(variant('prod', (p) => (p.workloads.gateway.memory = '2Gi')));
    // (2 GiB - 4 processes (3 workers and the primary) x 115 MiB) / (5,110 + 3,712 bytes)
    expect(limit(report, 'memory').perServer).toBeCloseTo((2 * 1024 ** 3 - 4 * 115 * 1024 ** 2) / 8_822, 0);
    expect(report.binding).toBe('memory');
  });

  test('without client IP preservation the NLB allows 55,000 per target, which prod cannot live with', () => {
    const report = evaluateCapacity(loadProfile('prod'), { clientIpPreservation: false });
    expect(limit(report, 'nlb-per-target').perServer).toBe(55_000);
    expect(report.binding).toBe('nlb-per-target');
    expect(report.failures[0]).toMatch(
      /^nlb-per-target binds at 55,000 connections per server .*below capacity\.targetPerServer 100,000; 10 servers hold 550,000 of capacity\.targetConnections 1,000,000$/,
    );
    expect(report.failures[1]).toMatch(/vertical size holds 55,000 connections, below 1,000,000: nlb-per-target binds/);
  });

  test('a heartbeat too slow for the NLB idle timeout fails', () => {
    const report = evaluateCapacity(variant('prod', (p) => (p.app.gatewayHeartbeatIntervalSeconds = 180)));
    expect(limit(report, 'heartbeat-vs-idle-timeout').ok).toBe(false);
    expect(report.failures).toEqual([expect.stringMatching(/^heartbeat-vs-idle-timeout is exceeded: .*360 s .*350 s/)]);
  });

  test('more gateway servers than the NLB takes as targets fail', () => {
    // Past the schema's node-group bound (450), so changed after validation.
    const profile = structuredClone(loadProfile('prod'));
    profile.workloads.gateway.maxReplicas = 501;
    const report = evaluateCapacity(profile);
    expect(report.failures).toEqual([expect.stringMatching(/^nlb-targets is exceeded: 501 targets .* of 500/)]);
  });

  test('a draining server hands its clients to the others no faster than they can take them', () => {
    const report = evaluateCapacity(variant('prod', (p) => (p.app.gatewayDrainSeconds = 10)));
    // 9 other servers x 3 processes x 0.5 / 636 µs over 5 s
    expect(limit(report, 'scale-in-reconnects').perServer).toBeCloseTo(((9 * 3 * 0.5) / 636e-6) * 5, 0);
  });

  test('synth stops on a profile that cannot carry its target, naming the binding limit and its numbers', () => {
    const small = variant('dev', (p) => {
      p.workloads.gateway.memory = '256Mi';
      p.capacity = { targetConnections: 60_000, targetPerServer: 60_000 };
    });
    expect(() => assertCapacity(small)).toThrow(CapacityError);
    expect(() => createCoTalkStacks(new App(), small)).toThrow(
      /Profile "dev" cannot carry its connection target.*\n {2}- memory binds at 3,090 connections per server \(c7g\.large: pod 0\.3 GiB - 2 processes x 115 MiB, over 8\.8 KB per connection/,
    );
  });
});

// The naming rule itself is tested in test/config/instance-shapes.test.ts.
describe('instance shapes', () => {
  test("a known type has the naming rule's shape", () => {
    expect(instanceShape('c7i.4xlarge')).toEqual({ vcpu: 16, memoryGiB: 32 });
  });

  test('an unknown type is named', () => {
    expect(() => instanceShape('x2iedn.xlarge')).toThrow(
      /instance type "x2iedn.xlarge" is unknown to the capacity model/,
    );
  });
});

describe('profile capacity fields', () => {
  test('the planned servers must reach the target', () => {
    const input = structuredClone(PROFILES.prod);
    input.capacity = { targetConnections: 1_000_000, targetPerServer: 90_000 };
    expect(() => validateProfile(input, 'prod')).toThrow(
      /capacity\.targetPerServer: times workloads\.gateway\.minReplicas \(10\) must reach capacity\.targetConnections \(1000000\); got 90000/,
    );
  });
});
