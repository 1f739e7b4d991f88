/**
 * Every port and probe path two sides of the system share, defined once: the load balancers
 * forward to and health-check these (`lib/edge/`), the data stores listen on them (`lib/data/`),
 * the charts configure the apps and the network policies with them (`charts/`).
 */

/** Kong's proxy port: the ALB forwards REST traffic here (plain HTTP inside the VPC). */
export const KONG_PROXY_PORT = 8000;
/** Kong's status listener, which answers readiness without touching upstreams. */
export const KONG_STATUS_PORT = 8100;
/** Kong's readiness path on {@link KONG_STATUS_PORT}: 200 once its configuration is loaded. */
export const KONG_HEALTH_PATH = '/status/ready';

/** The WebSocket gateway's port: the NLB forwards WebSocket connections here. */
export const GATEWAY_PORT = 8080;
/**
 * The gateway target group preserves client addresses, so the NLB does not translate the source of
 * its connections to the pods: with translation it holds about 55,000 connections per target (IP
 * and port), which would cap a one-port pod at 55,000 (reasoning in `lib/edge/README.md`; the
 * capacity model in `lib/capacity` reads this). The pods therefore see the clients' own addresses,
 * which the gateway's NetworkPolicy admits on the WebSocket port (`charts/platform.ts`).
 */
export const GATEWAY_CLIENT_IP_PRESERVATION = true;
/**
 * The gateway's probe port (`GATEWAY_HTTP_PORT` in the app), apart from the WebSocket port so
 * health checks never queue behind upgrades.
 */
export const GATEWAY_HEALTH_PORT = 9090;
/**
 * The gateway's readiness path on {@link GATEWAY_HEALTH_PORT}. It fails from the moment the pod
 * starts draining, so the NLB stops sending new connections while old ones finish.
 */
export const GATEWAY_HEALTH_PATH = '/readyz';

/**
 * The port each data store listens on. Every store has its own port so that each security group
 * rule names exactly one store, and none uses its engine's well-known default (scanners probe
 * 5432 and 6379 first). Clients read these from the typed construct properties, never from here.
 */
export const DATA_PORTS = {
  postgres: 5433,
  cache: 6380,
  pubsub: 6381,
  streams: 6382,
  /** OpenSearch serves HTTPS on 443 only. */
  search: 443,
} as const;

/** The ports the chat apps and Kong listen on: the charts, the network policies and the monitors read them here. */
export const APP_PORTS = {
  gateway: { websocket: GATEWAY_PORT, metrics: GATEWAY_HEALTH_PORT },
  api: { http: 3000 },
  worker: { metrics: 9090 },
  kong: { proxy: KONG_PROXY_PORT, status: KONG_STATUS_PORT },
} as const;

/** The apps' probe and metrics paths. */
export const APP_PATHS = { liveness: '/healthz', readiness: '/readyz', metrics: '/metrics' } as const;

/** The path the NLB health-checks on the gateway's probe port. */
export const GATEWAY_READINESS_PATH = GATEWAY_HEALTH_PATH;

/** Kong's status listener paths; readiness is what the ALB health check asks. */
export const KONG_PATHS = { liveness: '/status', readiness: KONG_HEALTH_PATH } as const;
