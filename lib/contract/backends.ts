/** A backend an app talks to. */
export type BackendUse =
  /** The api's role on the primary and the replicas. */
  | 'database'
  /** The worker's role, on the primary only. */
  | 'database-primary'
  /** The master user (the migrations Job). */
  | 'database-admin'
  | 'redis-cache'
  | 'redis-pubsub'
  | 'redis-streams'
  | 'opensearch'
  /** Signs access tokens (the private keys): the api only. */
  | 'token-signing'
  /** Verifies access tokens (the public keys). */
  | 'token-verification';

/**
 * Which backends each app uses. The charts render each app's environment and egress policies
 * from it, and the cluster stack grants each workload's Pod Identity role exactly these secrets.
 */
export const BACKEND_USES = {
  // Room membership sets live in the cache cluster: the gateway checks them on join.
  gateway: ['redis-pubsub', 'redis-streams', 'redis-cache', 'token-verification'],
  // The api alone signs tokens; it verifies them with the public halves of its own keys.
  api: ['database', 'redis-cache', 'opensearch', 'token-signing'],
  // The worker writes to the primary only: no replica hosts.
  worker: ['database-primary', 'redis-streams', 'opensearch'],
  // Rate-limit counters in the pub/sub cluster, and the public keys its jwt plugin verifies with.
  kong: ['redis-pubsub', 'token-verification'],
  // The migrations Job: DDL and the app roles, as the master user.
  migrations: ['database-admin'],
} as const satisfies Record<string, readonly BackendUse[]>;

/** A workload with an entry in {@link BACKEND_USES}. */
export type WorkloadName = keyof typeof BACKEND_USES;
