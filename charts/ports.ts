/**
 * The ports the chat apps and Kong listen on, defined once: the charts, the network policies and
 * the monitors all read them from here.
 */
export const APP_PORTS = {
  gateway: { websocket: 8080, metrics: 9090 },
  api: { http: 3000 },
  worker: { metrics: 9090 },
  kong: { proxy: 8000, status: 8100 },
} as const;

/** The ports of the managed data stores the pods talk to. */
export const DATA_PORTS = { postgres: 5432, redis: 6379, openSearch: 443 } as const;

/** The apps' probe and metrics paths. */
export const APP_PATHS = { liveness: '/healthz', readiness: '/readyz', metrics: '/metrics' } as const;
