import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { isOriginAllowed, type AllowedOrigin } from '@co-talk/common';

/**
 * The `Origin` check on the upgrade. A browser always sends `Origin` with a WebSocket handshake
 * and lets any page open one (there is no CORS for WebSockets), so without this check a page on
 * any site could connect with a token it obtained. Native clients send no `Origin`: allowed.
 */
export function originAllowed(request: IncomingMessage, allowed: readonly AllowedOrigin[]): boolean {
  const origin = request.headers.origin;
  return origin === undefined || isOriginAllowed(allowed, origin);
}

/**
 * Answers 403 and closes when the upgrade comes from an origin not in `allowed`; true when it did.
 * Checked before the token, so a foreign page learns nothing about a token's validity.
 */
export function refuseForeignOrigin(
  request: IncomingMessage,
  socket: Duplex,
  allowed: readonly AllowedOrigin[],
): boolean {
  if (originAllowed(request, allowed)) return false;
  const reason = 'origin not allowed\n';
  socket.end(
    'HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Type: text/plain\r\n' +
      `Content-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`,
  );
  return true;
}
