import type { IncomingMessage } from 'node:http';
import {
  AccessTokenError,
  verifyAccessToken,
  type TokenVerificationKeys,
  type VerifiedAccessToken,
} from '@co-talk/common/jwt';
import type { Logger } from '@co-talk/common/logger';

/** The subprotocol a browser client offers alongside its token: `new WebSocket(url, ['bearer', token])`. */
export const BEARER_PROTOCOL = 'bearer';

/**
 * Finds the access token of an upgrade request, in order: `Authorization: Bearer`, the
 * `Sec-WebSocket-Protocol` pair `bearer, <token>` (browsers cannot set headers), the
 * `access_token` query parameter (last resort: URLs end up in access logs).
 */
export function tokenOf(request: IncomingMessage): string | null {
  const authorization = request.headers.authorization;
  if (authorization !== undefined && authorization.startsWith('Bearer ')) return authorization.slice(7).trim() || null;
  const protocols = request.headers['sec-websocket-protocol'];
  if (protocols !== undefined) {
    const offered = protocols.split(',').map((p) => p.trim());
    const at = offered.indexOf(BEARER_PROTOCOL);
    if (at >= 0 && at + 1 < offered.length) return offered[at + 1];
  }
  const url = request.url ?? '';
  const query = url.indexOf('?');
  if (query >= 0) return new URLSearchParams(url.slice(query + 1)).get('access_token');
  return null;
}

/** What the gateway checks a token against. */
export interface TokenSettings {
  readonly JWT_PUBLIC_KEYS: TokenVerificationKeys;
  readonly JWT_ISSUER: string;
}

/** A verified token, or why not in words a client may read. */
export type TokenCheck =
  { readonly ok: true; readonly token: VerifiedAccessToken } | { readonly ok: false; readonly reason: string };

/**
 * The one place the gateway verifies an access token: on the upgrade and for an in-band `auth`
 * frame. Synchronous: one ES256 verification on the event loop, no thread-pool hop. A failure
 * other than the token's own is logged and reported as a plain refusal.
 */
export function verifyToken(settings: TokenSettings, token: string, logger: Logger): TokenCheck {
  try {
    return { ok: true, token: verifyAccessToken(settings.JWT_PUBLIC_KEYS, token, { issuer: settings.JWT_ISSUER }) };
  } catch (err) {
    if (err instanceof AccessTokenError) return { ok: false, reason: err.message };
    logger.error({ err }, 'token verification failed');
    return { ok: false, reason: 'token rejected' };
  }
}
