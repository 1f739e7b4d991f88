import {
  GATEWAY_HEALTH_PATH,
  GATEWAY_HEALTH_PORT,
  GATEWAY_PORT,
  KONG_HEALTH_PATH,
  KONG_PROXY_PORT,
  KONG_STATUS_PORT,
} from '../lib/edge/target-ports';

/**
 * The ports the chat apps and Kong listen on, defined once: the charts, the network policies and
 * the monitors all read them from here. The ports the load balancers forward to and health-check
 * come from the edge side's `target-ports.ts`, so both ends change in one place.
 */
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
