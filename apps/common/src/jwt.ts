import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createDecoder, createSigner, createVerifier, TokenError } from 'fast-jwt';
import { z } from 'zod';
import { envPositiveInt } from './env';

/**
 * Access tokens: ES256 JWTs. The API alone holds the private keys and signs (at sign-in); the
 * gateway (on the WebSocket upgrade) and Kong verify with public keys, so neither can mint a token.
 * Each token names its key in the `kid` header; keys are identified by their RFC 7638 thumbprint.
 *
 * Rotation without signing anyone out: a key set holds the previous, the current and the next key.
 * The API signs with the current one; verifiers accept all three. A rotation shifts the window by
 * one (previous := current, current := next, next := a new key), so a verifier already knows the
 * key the API moves to, and tokens signed before the rotation stay valid until they expire.
 * ES256 rather than EdDSA: Kong's jwt plugin verifies ES256, not EdDSA.
 */

/** The one algorithm tokens are signed and verified with. */
export const ACCESS_TOKEN_ALGORITHM = 'ES256';

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

/** A token that is missing, malformed, expired, forged, from another issuer or signed with an unknown key. */
export class AccessTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AccessTokenError';
  }
}

/** A key set that cannot be used; the message names the field, never a key. */
export class TokenKeySetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenKeySetError';
  }
}

/** RFC 7638 thumbprint of a P-256 public key (SHA-256 over the required members, in order), base64url. */
export function keyThumbprint(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' });
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}

function requireP256(key: KeyObject, where: string): void {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new TokenKeySetError(`${where}: expected a P-256 (ES256) key`);
  }
}

function parseJson(json: string, what: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    throw new TokenKeySetError(`${what}: not JSON`);
  }
}

const publicSetSchema = z.object({
  keys: z.array(z.object({ kid: z.string().min(1), publicKey: z.string().min(1) }).strict()).min(1),
});
const signingSetSchema = z.object({
  current: z.string().min(1),
  keys: z.array(z.object({ kid: z.string().min(1), privateKey: z.string().min(1) }).strict()).min(1),
});

function schemaProblem(what: string, error: z.ZodError): TokenKeySetError {
  const issue = error.issues[0];
  return new TokenKeySetError(`${what}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
}

/** Verifies one token's signature, algorithm and expiry (fast-jwt, synchronous: no thread-pool hop per upgrade). */
type SignatureVerifier = (token: string) => Record<string, unknown>;

/** Public keys by `kid`: what the gateway and the API verify tokens with. Updated in place on rotation. */
export class TokenVerificationKeys {
  private keys: ReadonlyMap<string, KeyObject>;
  private verifiers: ReadonlyMap<string, SignatureVerifier>;

  constructor(keys: ReadonlyMap<string, KeyObject>) {
    this.keys = keys;
    this.verifiers = verifiersFor(keys);
  }

  /**
   * Parses the public key set `{"keys":[{"kid","publicKey"}]}` (PEM, SPKI). Each `kid` must be its
   * key's thumbprint, so a key set cannot name one key with another's id.
   */
  static parse(json: string): TokenVerificationKeys {
    return new TokenVerificationKeys(TokenVerificationKeys.keysOf(json));
  }

  private static keysOf(json: string): Map<string, KeyObject> {
    const what = 'public key set';
    const parsed = publicSetSchema.safeParse(parseJson(json, what));
    if (!parsed.success) throw schemaProblem(what, parsed.error);
    return keysByKid(
      what,
      parsed.data.keys.map(({ kid, publicKey }) => ({ kid, pem: publicKey })),
      'public',
    );
  }

  /** Replaces the keys with those of `json` (a rotated set); a bad set throws and leaves the old keys. */
  update(json: string): void {
    const keys = TokenVerificationKeys.keysOf(json);
    this.verifiers = verifiersFor(keys);
    this.keys = keys;
  }

  /** The key ids accepted. */
  get kids(): string[] {
    return [...this.keys.keys()];
  }

  /** The public key with id `kid`, if it is in the set. */
  keyFor(kid: string): KeyObject | undefined {
    return this.keys.get(kid);
  }

  /** The verifier of the key with id `kid`, if it is in the set. */
  verifierFor(kid: string): SignatureVerifier | undefined {
    return this.verifiers.get(kid);
  }
}

function verifiersFor(keys: ReadonlyMap<string, KeyObject>): Map<string, SignatureVerifier> {
  return new Map(
    [...keys].map(([kid, key]) => [
      kid,
      createVerifier({
        key: key.export({ type: 'spki', format: 'pem' }) as string,
        algorithms: [ACCESS_TOKEN_ALGORITHM],
        requiredClaims: ['sub', 'exp'],
        // Every token is verified in full: a cache would only help the same token twice.
        cache: false,
      }) as SignatureVerifier,
    ]),
  );
}

/**
 * The API's key set: private keys by `kid` and which one signs. Verification uses the public halves
 * of all of them (previous, current, next), so the API accepts what the gateway accepts.
 */
export class TokenSigningKeys {
  private signing!: { readonly kid: string; readonly pem: string };
  /** The public halves, for verifying. */
  readonly verification = new TokenVerificationKeys(new Map());

  private constructor(json: string) {
    this.update(json);
  }

  /** Parses `{"current":"<kid>","keys":[{"kid","privateKey"}]}` (PEM, PKCS#8). */
  static parse(json: string): TokenSigningKeys {
    return new TokenSigningKeys(json);
  }

  /** Replaces the keys (a rotated set); a bad set throws and leaves the old keys. */
  update(json: string): void {
    const what = 'signing key set';
    const parsed = signingSetSchema.safeParse(parseJson(json, what));
    if (!parsed.success) throw schemaProblem(what, parsed.error);
    const privateKeys = keysByKid(
      what,
      parsed.data.keys.map(({ kid, privateKey }) => ({ kid, pem: privateKey })),
      'private',
    );
    const current = privateKeys.get(parsed.data.current);
    if (current === undefined) throw new TokenKeySetError(`${what}: current: names no key of the set`);
    this.signing = { kid: parsed.data.current, pem: current.export({ type: 'pkcs8', format: 'pem' }) as string };
    // Same shape as a public set, so the verifier's own checks apply.
    this.verification.update(
      JSON.stringify({
        keys: [...privateKeys].map(([kid, key]) => ({
          kid,
          publicKey: createPublicKey(key).export({ type: 'spki', format: 'pem' }),
        })),
      }),
    );
  }

  /** The id of the key tokens are signed with now. */
  get currentKid(): string {
    return this.signing.kid;
  }

  /** The current signing key, PEM (PKCS#8). */
  get currentKeyPem(): string {
    return this.signing.pem;
  }
}

/** Signs an access token for `userId` with the current key, valid for `ttlSeconds`. */
export async function signAccessToken(keys: TokenSigningKeys, claims: AccessTokenClaims): Promise<string> {
  if (!Number.isInteger(claims.ttlSeconds) || claims.ttlSeconds <= 0) {
    throw new Error(`ttlSeconds must be a positive integer, got ${claims.ttlSeconds}`);
  }
  const sign = createSigner({
    key: keys.currentKeyPem,
    algorithm: ACCESS_TOKEN_ALGORITHM,
    kid: keys.currentKid,
    iss: claims.issuer,
    sub: claims.userId,
    expiresIn: claims.ttlSeconds * 1000,
  });
  return sign({});
}

const decodeHeader = createDecoder({ complete: true });

/**
 * Verifies signature (with the key its `kid` names), algorithm, issuer and expiry, synchronously.
 * Throws {@link AccessTokenError} naming the reason; never returns a partially trusted result.
 */
export function verifyAccessToken(
  keys: TokenVerificationKeys,
  token: string,
  options: { readonly issuer: string },
): VerifiedAccessToken {
  let payload: Record<string, unknown>;
  try {
    const { header } = decodeHeader(token) as { header: { kid?: unknown } };
    // Kong's jwt plugin looks for the key id in the claims first: a token carrying a `kid` claim
    // could make it pick another key than this check did, so such a token is refused here too.
    if (typeof header.kid !== 'string') throw new AccessTokenError('token has no "kid" header');
    const verify = keys.verifierFor(header.kid);
    if (verify === undefined) throw new AccessTokenError('token signed with an unknown key');
    payload = verify(token);
  } catch (err) {
    if (err instanceof AccessTokenError) throw err;
    if (err instanceof TokenError) throw new AccessTokenError(tokenErrorReason(err));
    throw err;
  }
  if ('kid' in payload) throw new AccessTokenError('token claim "kid" is not allowed');
  if (payload.iss !== options.issuer) throw new AccessTokenError('token claim "iss" is invalid: unexpected value');
  if (typeof payload.sub !== 'string' || payload.sub === '') {
    throw new AccessTokenError('token claim "sub" is invalid: not a string');
  }
  return { userId: payload.sub, expiresAt: payload.exp as number };
}

/** The reason a client may read: which check failed, never a key. */
function tokenErrorReason(err: TokenError): string {
  switch (err.code) {
    case TokenError.codes.expired:
      return 'token expired';
    case TokenError.codes.missingRequiredClaim:
    case TokenError.codes.invalidClaimType:
    case TokenError.codes.invalidClaimValue:
      return `token rejected: ${err.message}`;
    case TokenError.codes.malformed:
    case TokenError.codes.invalidType:
      return 'token rejected: not a well-formed JWT';
    case TokenError.codes.invalidSignature:
    case TokenError.codes.missingSignature:
      return 'token rejected: the signature does not verify';
    case TokenError.codes.invalidAlgorithm:
      return `token rejected: the algorithm must be ${ACCESS_TOKEN_ALGORITHM}`;
    default:
      return `token rejected: ${err.code}`;
  }
}

/** One new P-256 key: its id (thumbprint) and both halves as PEM. */
export function generateTokenKey(): { kid: string; privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    kid: keyThumbprint(publicKey),
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }) as string,
  };
}

/**
 * A fresh key set as the two JSON documents the apps read (`JWT_SIGNING_KEYS` for the API,
 * `JWT_PUBLIC_KEYS` for the gateway): a current and a next key. For local runs and tests;
 * production's sets are made by the rotation function (`lib/data/token-keys-rotation/`).
 */
export function generateTokenKeySets(): { signingKeys: string; publicKeys: string } {
  const keys = [generateTokenKey(), generateTokenKey()];
  return {
    signingKeys: JSON.stringify({
      current: keys[0].kid,
      keys: keys.map(({ kid, privateKey }) => ({ kid, privateKey })),
    }),
    publicKeys: JSON.stringify({ keys: keys.map(({ kid, publicKey }) => ({ kid, publicKey })) }),
  };
}

/** A key set as an environment value: `parse`'s error becomes the variable's problem. */
function keySetValue<T>(whenMissing: string, parse: (json: string) => T) {
  return z.string({ error: whenMissing }).transform((json, ctx) => {
    try {
      return parse(json);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });
}

/** `JWT_SIGNING_KEYS` as an environment value (the API): parsed into {@link TokenSigningKeys}. */
export const jwtSigningKeys = keySetValue(
  'is required (set JWT_SIGNING_KEYS or JWT_SIGNING_KEYS_SECRET_ARN)',
  TokenSigningKeys.parse,
);

/** `JWT_PUBLIC_KEYS` as an environment value (the gateway): parsed into {@link TokenVerificationKeys}. */
export const jwtPublicKeys = keySetValue(
  'is required (set JWT_PUBLIC_KEYS or JWT_PUBLIC_KEYS_SECRET_ARN)',
  TokenVerificationKeys.parse,
);

/**
 * How often an app reads its key set from Secrets Manager again, so a rotation reaches it without a
 * restart. Far shorter than the rotation period, which gives every instance the next key long before
 * the API signs with it.
 */
export const jwtKeysRefreshEnvShape = {
  JWT_KEYS_REFRESH_SECONDS: envPositiveInt.default(300),
};

/**
 * The keys of a set by `kid`: each PEM parsed as a `kind` key, on P-256, and its `kid` the
 * thumbprint of its public half (so a set cannot name one key with another's id).
 */
function keysByKid(
  what: string,
  entries: ReadonlyArray<{ readonly kid: string; readonly pem: string }>,
  kind: 'public' | 'private',
): Map<string, KeyObject> {
  const field = `${kind}Key`;
  const keys = new Map<string, KeyObject>();
  entries.forEach(({ kid, pem }, i) => {
    let key: KeyObject;
    try {
      key = kind === 'public' ? createPublicKey(pem) : createPrivateKey(pem);
    } catch {
      throw new TokenKeySetError(`${what}: keys.${i}.${field}: not a PEM ${kind} key`);
    }
    requireP256(key, `${what}: keys.${i}.${field}`);
    const publicHalf = kind === 'public' ? key : createPublicKey(key);
    if (keyThumbprint(publicHalf) !== kid)
      throw new TokenKeySetError(`${what}: keys.${i}.kid: is not the key's thumbprint`);
    keys.set(kid, key);
  });
  return keys;
}
