import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * Prometheus metrics and the three probe endpoints every app serves: `/metrics` (scraped),
 * `/healthz` (liveness: the process answers) and `/readyz` (readiness: its dependencies answer).
 */

/** A registry with the Node.js process metrics, each series labelled with the app name. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** What the probe responder needs. */
export interface ProbeOptions {
  readonly registry: Registry;
  /** Resolves true when the app can serve; a rejection counts as not ready. @default - always ready */
  readonly ready?: () => Promise<boolean>;
}

/**
 * Answers `/metrics`, `/healthz` and `/readyz` on a plain `http` server. Returns false for any
 * other path so the caller can serve it (the gateway shares its port with the upgrade path).
 */
export function createProbeHandler(options: ProbeOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (path === '/healthz') {
      send(res, 200, 'text/plain', 'ok\n');
      return true;
    }
    if (path === '/readyz') {
      checkReady(options.ready).then((ok) => send(res, ok ? 200 : 503, 'text/plain', ok ? 'ready\n' : 'not ready\n'));
      return true;
    }
    if (path === '/metrics') {
      options.registry.metrics().then(
        (body) => send(res, 200, options.registry.contentType, body),
        () => send(res, 500, 'text/plain', 'metrics unavailable\n'),
      );
      return true;
    }
    return false;
  };
}

/** Runs the readiness check; any error means not ready. */
export async function checkReady(ready: (() => Promise<boolean>) | undefined): Promise<boolean> {
  if (!ready) return true;
  try {
    return await ready();
  } catch {
    return false;
  }
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(body);
}

/** A server answering only the probe paths (404 otherwise), for apps with no HTTP API of their own. */
export function startProbeServer(port: number, options: ProbeOptions, host = '0.0.0.0'): Promise<Server> {
  const handle = createProbeHandler(options);
  const server = createServer((req, res) => {
    if (!handle(req, res)) send(res, 404, 'text/plain', 'not found\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
