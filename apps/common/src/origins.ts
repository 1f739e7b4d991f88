import { z } from 'zod';

/**
 * The browser origins allowed to call the API (CORS) and to open a WebSocket on the gateway
 * (`Origin` on the upgrade): one list, `ALLOWED_ORIGINS`, comma-separated `scheme://host[:port]`.
 * A port of `*` allows every port of that host (`npm run dev`: `http://localhost:*`).
 */

/** One allowed origin; `port` is undefined for the scheme's default port, `'*'` for any. */
export interface AllowedOrigin {
  readonly scheme: 'http' | 'https';
  readonly host: string;
  readonly port: string | undefined;
}

const ORIGIN = /^(https?):\/\/([a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::(\d{1,5}|\*))?$/;
const DEFAULT_PORT = { http: '80', https: '443' } as const;

/** Parses one origin (lower-cased); undefined when it is not `scheme://host[:port]`. */
export function parseOrigin(value: string, allowAnyPort = false): AllowedOrigin | undefined {
  const match = ORIGIN.exec(value.toLowerCase());
  if (match === null) return undefined;
  const scheme = match[1] as 'http' | 'https';
  const port = match[3];
  if (port === '*' && !allowAnyPort) return undefined;
  if (port !== undefined && port !== '*' && (Number(port) < 1 || Number(port) > 65535)) return undefined;
  return { scheme, host: match[2], port: port === DEFAULT_PORT[scheme] ? undefined : port };
}

/** `ALLOWED_ORIGINS`: empty (no browser origin) by default. */
export const allowedOriginsEnvShape = {
  ALLOWED_ORIGINS: z
    .string()
    .default('')
    .transform((value, ctx) => {
      const origins: AllowedOrigin[] = [];
      for (const entry of value
        .split(',')
        .map((e) => e.trim())
        .filter((e) => e !== '')) {
        const origin = parseOrigin(entry, true);
        if (origin === undefined) {
          ctx.addIssue({
            code: 'custom',
            message: `"${entry}" is not an origin; expected scheme://host[:port] (http or https, port a number or *)`,
          });
          return z.NEVER;
        }
        origins.push(origin);
      }
      return origins;
    }),
};

/** Whether the `Origin` header value `origin` is one of `allowed`. */
export function isOriginAllowed(allowed: readonly AllowedOrigin[], origin: string): boolean {
  const given = parseOrigin(origin);
  if (given === undefined) return false;
  return allowed.some(
    (a) => a.scheme === given.scheme && a.host === given.host && (a.port === '*' || a.port === given.port),
  );
}
