import { createSecretKey, type KeyObject } from 'node:crypto';
import { SignJWT, errors, jwtVerify } from 'jose';
import { z } from 'zod';

/**
 * Access tokens: HS256 JWTs signed with a secret shared by the API (which issues them at sign-in)
 * and the gateway (which verifies them on the WebSocket upgrade). A symmetric key keeps the
 * verification a single HMAC, which matters at thousands of upgrades per second.
 */

const ALGORITHM = 'HS256';
/** RFC 7518 §3.2: an HS256 key must be at least as long as the hash output (256 bits). */
const MIN_SECRET_BYTES = 32;

/** One KeyObject per secret: jose would otherwise build one from the bytes on every verification. */
const keyCache = new Map<string, KeyObject>();

function keyFor(secret: string): KeyObject {
  let key = keyCache.get(secret);
  if (key === undefined) {
    const bytes = Buffer.from(secret, 'utf8');
    if (bytes.byteLength < MIN_SECRET_BYTES) {
      throw new Error(
        `JWT secret is ${bytes.byteLength} bytes long; HS256 needs at least ${MIN_SECRET_BYTES} bytes (use a random 32+ byte value)`,
      );
    }
    key = createSecretKey(bytes);
    keyCache.set(secret, key);
  }
  return key;
}

/** What the API puts in a token. */
export interface AccessTokenClaims {
  /** The user the token speaks for (becomes the `sub` claim). */
  readonly userId: string;
  /** Lifetime in seconds from now. */
  readonly ttlSeconds: number;
  /** The `iss` claim; verification rejects tokens from another issuer. */
  readonly issuer: string;
}

/** What a verified token tells the caller. */
export interface VerifiedAccessToken {
  readonly userId: string;
  /** Expiry, seconds since the epoch. */
  readonly expiresAt: number;
}

/** A token that is missing, malformed, expired, forged or from another issuer. */
export class AccessTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AccessTokenError';
  }
}

/** Signs an access token for `userId`, valid for `ttlSeconds`. */
export async function signAccessToken(secret: string, claims: AccessTokenClaims): Promise<string> {
  if (!Number.isInteger(claims.ttlSeconds) || claims.ttlSeconds <= 0) {
    throw new Error(`ttlSeconds must be a positive integer, got ${claims.ttlSeconds}`);
  }
  return new SignJWT({})
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setSubject(claims.userId)
    .setIssuer(claims.issuer)
    .setIssuedAt()
    .setExpirationTime(`${claims.ttlSeconds}s`)
    .sign(keyFor(secret));
}

/**
 * Verifies signature, algorithm, issuer and expiry. Throws {@link AccessTokenError} naming the
 * reason; never returns a partially trusted result.
 */
export async function verifyAccessToken(
  secret: string,
  token: string,
  options: { readonly issuer: string },
): Promise<VerifiedAccessToken> {
  try {
    const { payload } = await jwtVerify(token, keyFor(secret), {
      algorithms: [ALGORITHM],
      issuer: options.issuer,
      requiredClaims: ['sub', 'exp'],
    });
    return { userId: payload.sub as string, expiresAt: payload.exp as number };
  } catch (err) {
    if (err instanceof errors.JWTExpired) throw new AccessTokenError('token expired');
    if (err instanceof errors.JWTClaimValidationFailed) {
      throw new AccessTokenError(`token claim "${err.claim}" is invalid: ${err.reason}`);
    }
    if (err instanceof errors.JOSEError) throw new AccessTokenError(`token rejected: ${err.code}`);
    throw err;
  }
}

/**
 * The HS256 key as an environment value: at least 32 bytes (RFC 7518 §3.2: a key as long as the
 * hash), from JWT_SECRET or, in production, the secret behind JWT_SECRET_ARN.
 */
export const jwtSecret = z
  .string({ error: 'is required (set JWT_SECRET or JWT_SECRET_ARN)' })
  .refine((value) => Buffer.byteLength(value) >= 32, 'must be at least 32 bytes (HS256 key)');
