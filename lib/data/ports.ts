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
