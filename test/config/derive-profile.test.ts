import { PROFILES } from '../../lib/config';
import { deriveProfile } from '../../lib/config/profiles/derive';

describe('deriveProfile', () => {
  const base = PROFILES.prod;

  // Given prod, When a profile changes one nested field, Then its siblings stay prod's.
  test('an object merges into the base field by field', () => {
    const derived = deriveProfile(base, {
      name: 'staging',
      env: { account: '222222222222' },
      cluster: { nodeGroups: { gateway: { maxSize: 11 } } },
    });
    expect(derived.cluster.nodeGroups.gateway).toEqual({ ...base.cluster.nodeGroups.gateway, maxSize: 11 });
    expect(derived.cluster.nodeGroups.api).toBe(base.cluster.nodeGroups.api);
    expect(derived.env).toEqual({ ...base.env, account: '222222222222' });
  });

  test('an array replaces the base array whole', () => {
    const derived = deriveProfile(base, {
      name: 'scale',
      env: { account: '444444444444' },
      cluster: { nodeGroups: { api: { instanceTypes: ['c7g.2xlarge'] } } },
    });
    expect(derived.cluster.nodeGroups.api.instanceTypes).toEqual(['c7g.2xlarge']);
  });

  test('the base is left as it was', () => {
    const before = structuredClone(base);
    deriveProfile(base, { name: 'dev', env: { account: '111111111111' }, database: { readReplicas: 0 } });
    expect(base).toEqual(before);
  });
});
