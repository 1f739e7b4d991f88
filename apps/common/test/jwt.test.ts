import { createHmac, generateKeyPairSync } from 'node:crypto';
import { createSigner } from 'fast-jwt';
import {
  AccessTokenError,
  generateTokenKey,
  generateTokenKeySets,
  jwtPublicKeys,
  signAccessToken,
  TokenSigningKeys,
  TokenVerificationKeys,
  verifyAccessToken,
} from '../src/jwt';

const ISSUER = 'co-talk-test';
const USER = '0190f2a4-4f6e-7c1a-9d2b-3e4f5a6b7c8d';

type Key = ReturnType<typeof generateTokenKey>;
const signingSet = (current: Key, ...others: Key[]): string =>
  JSON.stringify({
    current: current.kid,
    keys: [current, ...others].map(({ kid, privateKey }) => ({ kid, privateKey })),
  });
const publicSet = (...keys: Key[]): string =>
  JSON.stringify({ keys: keys.map(({ kid, publicKey }) => ({ kid, publicKey })) });
/** A token made outside the API's signer: other headers, claims or keys than it would use. */
const forge = (privateKey: string, payload: Record<string, unknown>, kid?: string): string =>
  createSigner({ key: privateKey, algorithm: 'ES256', ...(kid === undefined ? {} : { kid }) })({
    sub: USER,
    iss: ISSUER,
    exp: Math.floor(Date.now() / 1000) + 60,
    ...payload,
  });
const headerOf = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as Record<string, unknown>;

describe('access tokens', () => {
  const sets = generateTokenKeySets();
  const signing = TokenSigningKeys.parse(sets.signingKeys);
  const verifying = TokenVerificationKeys.parse(sets.publicKeys);

  test('a token signed by the API verifies with the public keys alone and names its user', async () => {
    const token = await signAccessToken(signing, { userId: USER, ttlSeconds: 60, issuer: ISSUER });
    expect(headerOf(token)).toEqual({ alg: 'ES256', typ: 'JWT', kid: signing.currentKid });
    const verified = verifyAccessToken(verifying, token, { issuer: ISSUER });
    expect(verified.userId).toBe(USER);
    expect(verified.expiresAt).toBeGreaterThan(Date.now() / 1000);
    // The API verifies with the public halves of its own set.
    expect(verifyAccessToken(signing.verification, token, { issuer: ISSUER })).toEqual(verified);
  });

  test('the public set holds no private key', () => {
    expect(sets.publicKeys).not.toMatch(/PRIVATE KEY/);
    expect(sets.signingKeys).toMatch(/BEGIN PRIVATE KEY/);
  });

  test('a token signed with a key outside the set is rejected', async () => {
    const other = TokenSigningKeys.parse(generateTokenKeySets().signingKeys);
    const token = await signAccessToken(other, { userId: USER, ttlSeconds: 60, issuer: ISSUER });
    expect(() => verifyAccessToken(verifying, token, { issuer: ISSUER })).toThrow('token signed with an unknown key');
  });

  test('a token naming a known kid but signed by another key is rejected', async () => {
    const forger = generateTokenKey();
    const { kid } = JSON.parse(sets.publicKeys).keys[0] as { kid: string };
    const token = forge(forger.privateKey, {}, kid);
    expect(() => verifyAccessToken(verifying, token, { issuer: ISSUER })).toThrow('the signature does not verify');
  });

  test('HS256 tokens are refused, even with the public key as the HMAC secret', async () => {
    const { kid, publicKey } = JSON.parse(sets.publicKeys).keys[0] as { kid: string; publicKey: string };
    const encode = (part: object): string => Buffer.from(JSON.stringify(part)).toString('base64url');
    const input = `${encode({ alg: 'HS256', typ: 'JWT', kid })}.${encode({ sub: USER, iss: ISSUER, exp: 9999999999 })}`;
    const token = `${input}.${createHmac('sha256', publicKey).update(input).digest('base64url')}`;
    expect(() => verifyAccessToken(verifying, token, { issuer: ISSUER })).toThrow('the algorithm must be ES256');
  });

  test('a token without kid, or with a kid claim, is rejected', async () => {
    const noKid = forge(signing.currentKeyPem, {});
    expect(() => verifyAccessToken(verifying, noKid, { issuer: ISSUER })).toThrow('token has no "kid" header');
    const kidClaim = forge(signing.currentKeyPem, { kid: signing.currentKid }, signing.currentKid);
    expect(() => verifyAccessToken(verifying, kidClaim, { issuer: ISSUER })).toThrow('"kid" is not allowed');
  });

  test('a token from another issuer is rejected, naming the claim', async () => {
    const token = await signAccessToken(signing, { userId: USER, ttlSeconds: 60, issuer: 'someone-else' });
    expect(() => verifyAccessToken(verifying, token, { issuer: ISSUER })).toThrow(/"iss"/);
  });

  test('an expired token is rejected', async () => {
    const past = Math.floor(Date.now() / 1000) - 120;
    const token = forge(signing.currentKeyPem, { iat: past - 60, exp: past }, signing.currentKid);
    expect(() => verifyAccessToken(verifying, token, { issuer: ISSUER })).toThrow('token expired');
  });

  test('garbage and the "none" algorithm are rejected', async () => {
    expect(() => verifyAccessToken(verifying, 'not-a-jwt', { issuer: ISSUER })).toThrow(AccessTokenError);
    const header = Buffer.from(JSON.stringify({ alg: 'none', kid: signing.currentKid })).toString('base64url');
    const body = Buffer.from(JSON.stringify({ sub: USER, iss: ISSUER, exp: 9999999999 })).toString('base64url');
    expect(() => verifyAccessToken(verifying, `${header}.${body}.`, { issuer: ISSUER })).toThrow(AccessTokenError);
  });
});

describe('key rotation', () => {
  test('a rotation signs nobody out: tokens of the old key verify, and verifiers already knew the new one', async () => {
    const [previous, current, next, newest] = [1, 2, 3, 4].map(() => generateTokenKey());
    const api = TokenSigningKeys.parse(signingSet(current, previous, next));
    const gateway = TokenVerificationKeys.parse(publicSet(previous, current, next));
    const before = await signAccessToken(api, { userId: USER, ttlSeconds: 600, issuer: ISSUER });

    // The rotation: previous := current, current := next, next := newest. The API reads it first.
    api.update(signingSet(next, current, newest));
    expect(api.currentKid).toBe(next.kid);
    const after = await signAccessToken(api, { userId: USER, ttlSeconds: 600, issuer: ISSUER });
    // A gateway that has not read the new set yet accepts the new token ...
    expect(verifyAccessToken(gateway, after, { issuer: ISSUER })).toMatchObject({ userId: USER });
    // ... and once it has, still the old one.
    gateway.update(publicSet(current, next, newest));
    expect(verifyAccessToken(gateway, before, { issuer: ISSUER })).toMatchObject({ userId: USER });
    expect(verifyAccessToken(gateway, after, { issuer: ISSUER })).toMatchObject({ userId: USER });
    // The key that left the window is no longer accepted.
    const gone = TokenSigningKeys.parse(signingSet(previous));
    const stale = await signAccessToken(gone, { userId: USER, ttlSeconds: 600, issuer: ISSUER });
    expect(() => verifyAccessToken(gateway, stale, { issuer: ISSUER })).toThrow('unknown key');
  });

  test('a bad set is refused and the keys in hand stay', () => {
    const key = generateTokenKey();
    const gateway = TokenVerificationKeys.parse(publicSet(key));
    expect(() => gateway.update('{"keys":[]}')).toThrow(/keys/);
    expect(gateway.kids).toEqual([key.kid]);
  });
});

describe('key set validation', () => {
  const key = generateTokenKey();
  test.each([
    ['not JSON', 'nope', /public key set: not JSON/],
    ['no keys', '{"keys":[]}', /public key set: keys:/],
    [
      'a kid that is not the thumbprint',
      JSON.stringify({ keys: [{ kid: 'k1', publicKey: key.publicKey }] }),
      /keys\.0\.kid: is not the key's thumbprint/,
    ],
    [
      'not a key',
      JSON.stringify({ keys: [{ kid: key.kid, publicKey: 'x' }] }),
      /keys\.0\.publicKey: not a PEM public key/,
    ],
  ])('a public set with %s is refused, naming the field', (_, json, message) => {
    expect(() => TokenVerificationKeys.parse(json)).toThrow(message);
  });

  test.each([
    [
      'a kid that is not the thumbprint',
      { kid: 'k1', privateKey: key.privateKey },
      /keys\.0\.kid: is not the key's thumbprint/,
    ],
    ['not a key', { kid: key.kid, privateKey: 'x' }, /signing key set: keys\.0\.privateKey: not a PEM private key/],
  ])('a signing set with %s is refused, naming the field', (_, entry, message) => {
    const json = JSON.stringify({ current: entry.kid, keys: [entry] });
    expect(() => TokenSigningKeys.parse(json)).toThrow(message);
  });

  test('a signing set whose current names no key is refused', () => {
    const json = JSON.stringify({ current: 'missing', keys: [{ kid: key.kid, privateKey: key.privateKey }] });
    expect(() => TokenSigningKeys.parse(json)).toThrow('signing key set: current: names no key of the set');
  });

  test('a non-P-256 key is refused', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string;
    expect(() => TokenVerificationKeys.parse(JSON.stringify({ keys: [{ kid: 'x', publicKey: pem }] }))).toThrow(
      /expected a P-256 \(ES256\) key/,
    );
  });

  test('the environment value reports the problem under its variable', () => {
    const result = jwtPublicKeys.safeParse('{"keys":[]}');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0].message).toMatch(/public key set: keys:/);
  });
});
