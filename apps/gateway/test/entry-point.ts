import { createServer } from 'node:net';
import { join } from 'node:path';
import { build } from 'esbuild';
import { ISSUER, REDIS_URL, TOKEN_KEYS } from './support';

/** For tests that run the gateway's real entry point as a process, bundled as the image bundles it. */

/** Bundles `src/main.ts` into `outDir`; returns the bundle's path. */
export async function bundleEntryPoint(outDir: string): Promise<string> {
  const outfile = join(outDir, 'main.js');
  await build({
    entryPoints: [join(__dirname, '../src/main.ts')],
    bundle: true,
    platform: 'node',
    target: 'node24',
    outfile,
    logLevel: 'silent',
  });
  return outfile;
}

/** A TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The process environment of a gateway on 127.0.0.1 with the test secret and the local Redis. */
export function entryPointEnv(
  prefix: string,
  ports: { port: number; probePort: number },
  settings: Record<string, string>,
): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    JWT_PUBLIC_KEYS: TOKEN_KEYS.publicKeys,
    JWT_ISSUER: ISSUER,
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    GATEWAY_HOST: '127.0.0.1',
    GATEWAY_PORT: String(ports.port),
    GATEWAY_HTTP_PORT: String(ports.probePort),
    GATEWAY_DRAIN_SECONDS: '2',
    ...settings,
  };
}
