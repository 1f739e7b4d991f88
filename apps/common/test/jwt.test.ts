import { SignJWT } from 'jose';
import { AccessTokenError, signAccessToken, verifyAccessToken } from '../src/jwt';

const SECRET = 'a-test-secret-that-is-at-least-32-bytes-long';
const ISSUER = 'co-talk-test';
const USER = '0190f2a4-4f6e-7c1a-9d2b-3e4f5a6b7c8d';

describe('access tokens', () => {
  test('a signed token verifies and names its user', async () => {
    const token = await signAccessToken(SECRET, { userId: USER, ttlSeconds: 60, issuer: ISSUER });
    const verified = await verifyAccessToken(SECRET, token, { issuer: ISSUER });
    expect(verified.userId).toBe(USER);
    expect(verified.expiresAt).toBeGreaterThan(Date.now() / 1000);
  });

  test('a token signed with another secret is rejected', async () => {
    const token = await signAccessToken(`${SECRET}-other`, { userId: USER, ttlSeconds: 60, issuer: ISSUER });
    await expect(verifyAccessToken(SECRET, token, { issuer: ISSUER })).rejects.toThrow(AccessTokenError);
  });

  test('a token from another issuer is rejected, naming the claim', async () => {
    const token = await signAccessToken(SECRET, { userId: USER, ttlSeconds: 60, issuer: 'someone-else' });
    await expect(verifyAccessToken(SECRET, token, { issuer: ISSUER })).rejects.toThrow(/"iss"/);
  });

  test('an expired token is rejected', async () => {
    const key = new TextEncoder().encode(SECRET);
    const past = Math.floor(Date.now() / 1000) - 120;
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(USER)
      .setIssuer(ISSUER)
      .setIssuedAt(past - 60)
      .setExpirationTime(past)
      .sign(key);
    await expect(verifyAccessToken(SECRET, token, { issuer: ISSUER })).rejects.toThrow('token expired');
  });

  test('garbage and the "none" algorithm are rejected', async () => {
    await expect(verifyAccessToken(SECRET, 'not-a-jwt', { issuer: ISSUER })).rejects.toThrow(AccessTokenError);
    const header = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    const body = Buffer.from(JSON.stringify({ sub: USER, iss: ISSUER, exp: 9999999999 })).toString('base64url');
    await expect(verifyAccessToken(SECRET, `${header}.${body}.`, { issuer: ISSUER })).rejects.toThrow(AccessTokenError);
  });

  test('a short secret is refused with the required length', async () => {
    await expect(signAccessToken('short', { userId: USER, ttlSeconds: 60, issuer: ISSUER })).rejects.toThrow(
      /at least 32 bytes/,
    );
  });
});
