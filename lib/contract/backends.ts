/** A backend an app talks to. */
export type BackendUse =
  'database' | 'database-primary' | 'redis-cache' | 'redis-pubsub' | 'redis-streams' | 'opensearch' | 'jwt';

/**
 * Which backends each app uses. The charts render each app's environment and egress policies
 * from it, and the cluster stack grants each workload's Pod Identity role exactly these secrets.
 */
export const BACKEND_USES = {
  // Room membership sets live in the cache cluster: the gateway checks them on join.
  gateway: ['redis-pubsub', 'redis-streams', 'redis-cache', 'jwt'],
  api: ['database', 'redis-cache', 'opensearch', 'jwt'],
  // The worker writes to the primary only: no replica hosts.
  worker: ['database-primary', 'redis-streams', 'opensearch'],
  // Rate-limit counters in the pub/sub cluster, and the token key its jwt plugin verifies with.
  kong: ['redis-pubsub', 'jwt'],
} as const satisfies Record<string, readonly BackendUse[]>;
