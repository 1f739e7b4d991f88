import { createSecretKey, generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
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
const headerOf = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as Record<string, unknown>;

describe('access tokens', () => {
  const sets = generateTokenKeySets();
  const signing = TokenSigningKeys.parse(sets.signingKeys);
  const verifying = TokenVerificationKeys.parse(sets.publicKeys);

  test('a token signed by the API verifies with the public keys alone and names its user', async () => {
    const token = await signAccessToken(signing, { userId: USER, ttlSeconds: 60, issuer: ISSUER });
    expect(headerOf(token)).toEqual({ alg: 'ES256', typ: 'JWT', kid: signing.currentKid });
    const verified = await verifyAccessToken(verifying, token, { issuer: ISSUER });
    expect(verified.userId).toBe(USER);
    expect(verified.expiresAt).toBeGreaterThan(Date.now() / 1000);
    // The API verifies with the public halves of its own set.
    await expect(verifyAccessToken(signing.verification, token, { issuer: ISSUER })).resolves.toEqual(verified);
  });

  test('the public set holds no private key', () => {
    expect(sets.publicKeys).not.toMatch(/PRIVATE KEY/);
    expect(sets.signingKeys).toMatch(/BEGIN PRIVATE KEY/);
  });

  test('a token signed with a key outside the set is rejected', async () => {
    const other = TokenSigningKeys.parse(generateTokenKeySets().signingKeys);
    const token = await signAccessToken(other, { userId: USER, ttlSeconds: 60, issuer: ISSUER });
    await expect(verifyAccessToken(verifying, token, { issuer: ISSUER })).rejects.toThrow(
      'token signed with an unknown key',
    );
  });

  test('a token naming a known kid but signed by another key is rejected', async () => {
    const forger = generateTokenKey();
    const { kid } = JSON.parse(sets.publicKeys).keys[0] as { kid: string };
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid })
      .setSubject(USER)
      .setIssuer(ISSUER)
      .setExpirationTime('1m')
      .sign(TokenSigningKeys.parse(signingSet(forger)).currentKey);
    await expect(verifyAccessToken(verifying, token, { issuer: ISSUER })).rejects.toThrow(
      /SIGNATURE_VERIFICATION_FAILED/,
    );
  });

  test('HS256 tokens are refused, even with the public key as the HMAC secret', async () => {
    const { kid, publicKey } = JSON.parse(sets.publicKeys).keys[0] as { kid: string; publicKey: string };
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', kid })
      .setSubject(USER)
      .setIssuer(ISSUER)
      .setExpirationTime('1m')
      .sign(createSecretKey(Buffer.from(publicKey)));
    await expect(verifyAccessToken(verifying, token, { issuer: ISSUER })).rejects.toThrow(AccessTokenError);
  });

  test('a token without kid, or with a kid claim, is rejected', async () => {
    const noKid = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256' })
      .setSubject(USER)
      .setIssuer(ISSUER)
      .setExpirationTime('1m')
      .sign(signing.currentKey);
    await expect(verifyAccessToken(verifying, noKid, { issuer: ISSUER })).rejects.toThrow('token has no "kid" header');
    const kidClaim = await new SignJWT({ kid: signing.currentKid })
      .setProtectedHeader({ alg: 'ES256', kid: signing.currentKid })
      .setSubject(USER)
      .setIssuer(ISSUER)
      .setExpirationTime('1m')
      .sign(signing.currentKey);
    await expect(verifyAccessToken(verifying, kidClaim, { issuer: ISSUER })).rejects.toThrow('"kid" is not allowed');
  });

  test('a token from another issuer is rejected, naming the claim', async () => {
    const token = await signAccessToken(signing, { userId: USER, ttlSeconds: 60, issuer: 'someone-else' });
    await expect(verifyAccessToken(verifying, token, { issuer: ISSUER })).rejects.toThrow(/"iss"/);
  });

  test('an expired token is rejected', async () => {
    const past = Math.floor(Date.now() / 1000) - 120;
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: signing.currentKid })
      .setSubject(USER)
      .setIssuer(ISSUER)
      .setIssuedAt(past - 60)
      .setExpirationTime(past)
      .sign(signing.currentKey);
    await expect(verifyAccessToken(verifying, token, { issuer: ISSUER })).rejects.toThrow('token expired');
  });

  test('garbage and the "none" algorithm are rejected', async () => {
    await expect(verifyAccessToken(verifying, 'not-a-jwt', { issuer: ISSUER })).rejects.toThrow(AccessTokenError);
    const header = Buffer.from(JSON.stringify({ alg: 'none', kid: signing.currentKid })).toString('base64url');
    const body = Buffer.from(JSON.stringify({ sub: USER, iss: ISSUER, exp: 9999999999 })).toString('base64url');
    await expect(verifyAccessToken(verifying, `${header}.${body}.`, { issuer: ISSUER })).rejects.toThrow(
      AccessTokenError,
    );
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
    await expect(verifyAccessToken(gateway, after, { issuer: ISSUER })).resolves.toMatchObject({ userId: USER });
    // ... and once it has, still the old one.
    gateway.update(publicSet(current, next, newest));
    await expect(verifyAccessToken(gateway, before, { issuer: ISSUER })).resolves.toMatchObject({ userId: USER });
    await expect(verifyAccessToken(gateway, after, { issuer: ISSUER })).resolves.toMatchObject({ userId: USER });
    // The key that left the window is no longer accepted.
    const gone = TokenSigningKeys.parse(signingSet(previous));
    const stale = await signAccessToken(gone, { userId: USER, ttlSeconds: 600, issuer: ISSUER });
    await expect(verifyAccessToken(gateway, stale, { issuer: ISSUER })).rejects.toThrow('unknown key');
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
