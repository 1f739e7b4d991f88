import type { IncomingMessage } from 'node:http';
import { verifyAccessToken, type VerifiedAccessToken } from '@co-talk/common';

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
  readonly JWT_SECRET: string;
  readonly JWT_ISSUER: string;
}

/**
 * The one place the gateway verifies an access token: on the upgrade and for an in-band `auth`
 * frame. Throws `AccessTokenError` naming the reason.
 */
export function verifyToken(settings: TokenSettings, token: string): Promise<VerifiedAccessToken> {
  return verifyAccessToken(settings.JWT_SECRET, token, { issuer: settings.JWT_ISSUER });
}
