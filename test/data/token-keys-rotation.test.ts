import { signAccessToken, TokenSigningKeys, TokenVerificationKeys, verifyAccessToken } from '../../apps/common/src/jwt';

// The rotation function is plain JavaScript run by Lambda; its key-set logic is tested here against
// the apps' own parsers, so what it writes is what the api, the gateway and Kong read.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const rotation = require('../../lib/data/token-keys-rotation/index.js') as {
  rotateSet: (set: KeySet | null) => KeySet;
  publicSetOf: (set: KeySet) => { keys: { kid: string; publicKey: string }[] };
  parseSet: (value: string) => KeySet | null;
  checkSet: (set: KeySet) => void;
};
interface KeySet {
  current: string;
  keys: { kid: string; privateKey: string }[];
}

const ISSUER = 'co-talk-test';

describe('token key rotation function', () => {
  test('the first rotation replaces the placeholder with a current and a next key', () => {
    expect(rotation.parseSet('{"placeholder":"x"}')).toBeNull();
    const set = rotation.rotateSet(rotation.parseSet('{"placeholder":"x"}'));
    expect(set.keys).toHaveLength(2);
    expect(set.current).toBe(set.keys[0].kid);
    // The apps accept both documents as they are.
    const api = TokenSigningKeys.parse(JSON.stringify(set));
    const gateway = TokenVerificationKeys.parse(JSON.stringify(rotation.publicSetOf(set)));
    expect(gateway.kids).toEqual(set.keys.map((k) => k.kid));
    expect(api.currentKid).toBe(set.current);
    expect(JSON.stringify(rotation.publicSetOf(set))).not.toMatch(/PRIVATE KEY/);
  });

  test('each rotation shifts the window by one: previous, current (the old next), a new next', () => {
    const first = rotation.rotateSet(null);
    const second = rotation.rotateSet(first);
    expect(second.keys.map((k) => k.kid).slice(0, 2)).toEqual(first.keys.map((k) => k.kid));
    expect(second.current).toBe(first.keys[1].kid);
    const third = rotation.rotateSet(second);
    expect(third.keys.map((k) => k.kid).slice(0, 2)).toEqual(second.keys.slice(1).map((k) => k.kid));
    expect(third.keys).toHaveLength(3);
    expect(new Set(third.keys.map((k) => k.kid)).size).toBe(3);
    expect(() => rotation.checkSet(third)).not.toThrow();
  });

  test('nobody is signed out: a verifier one rotation behind accepts new tokens, an updated one accepts old tokens', async () => {
    const before = rotation.rotateSet(rotation.rotateSet(null));
    const after = rotation.rotateSet(before);
    const oldToken = await signAccessToken(TokenSigningKeys.parse(JSON.stringify(before)), {
      userId: 'u1',
      ttlSeconds: 3600,
      issuer: ISSUER,
    });
    const newToken = await signAccessToken(TokenSigningKeys.parse(JSON.stringify(after)), {
      userId: 'u2',
      ttlSeconds: 3600,
      issuer: ISSUER,
    });
    const stale = TokenVerificationKeys.parse(JSON.stringify(rotation.publicSetOf(before)));
    const fresh = TokenVerificationKeys.parse(JSON.stringify(rotation.publicSetOf(after)));
    expect(verifyAccessToken(stale, newToken, { issuer: ISSUER })).toMatchObject({ userId: 'u2' });
    expect(verifyAccessToken(fresh, oldToken, { issuer: ISSUER })).toMatchObject({ userId: 'u1' });
  });

  test('a set whose kid does not match its key is refused before it is published', () => {
    const set = rotation.rotateSet(null);
    const broken = { ...set, keys: [{ ...set.keys[0], kid: 'other' }, set.keys[1]], current: 'other' };
    expect(() => rotation.checkSet(broken)).toThrow('the kid is not its thumbprint');
  });
});
