import { DATA_PORTS } from './ports';

/**
 * Where the data stores are and which Secrets Manager secrets hold their credentials. The
 * workloads stack fills this from the data stack's typed properties; standalone rendering uses
 * the placeholders in `placeholders.ts`.
 *
 * Only secret ARNs reach the manifests: each app reads its secrets from Secrets Manager at start
 * with the role its ServiceAccount gets through EKS Pod Identity.
 */
export interface ChatBackends {
  /** AWS region of the data stores and secrets (the SDK's `AWS_REGION`). */
  readonly region: string;
  /** PostgreSQL primary (writer) host name. */
  readonly databaseWriterHost: string;
  /** PostgreSQL read replicas' host name (reads go to replicas only). */
  readonly databaseReaderHost: string;
  /** Redis cache cluster (L2 cache) configuration endpoint host. */
  readonly redisCacheHost: string;
  /** Redis pub/sub cluster primary endpoint host (gateway fan-out). */
  readonly redisPubSubHost: string;
  /** Redis streams cluster primary endpoint host (message pipeline). */
  readonly redisStreamsHost: string;
  /** OpenSearch domain endpoint host (HTTPS). */
  readonly openSearchHost: string;
  /** Secret with the PostgreSQL user name and password. */
  readonly databaseSecretArn: string;
  /** Secret with the Redis AUTH token. */
  readonly redisSecretArn: string;
  /** Secret with the OpenSearch user name and password. */
  readonly openSearchSecretArn: string;
  /** Secret with the HS256 key that signs and verifies access tokens. */
  readonly jwtSecretArn: string;
  /** `iss` claim of access tokens, shared by the api, the gateway and Kong. */
  readonly jwtIssuer: string;
}

/** The environment variables naming each backend, as the apps read them. */
export function backendEnv(backends: ChatBackends, uses: readonly BackendUse[]): Record<string, string> {
  const env: Record<string, string> = { AWS_REGION: backends.region };
  const redisUrl = (host: string) => `rediss://${host}:${DATA_PORTS.redis}`;
  for (const use of uses) {
    switch (use) {
      case 'database':
        Object.assign(env, {
          DATABASE_HOST: backends.databaseWriterHost,
          DATABASE_READ_HOST: backends.databaseReaderHost,
          DATABASE_PORT: String(DATA_PORTS.postgres),
          DATABASE_SECRET_ARN: backends.databaseSecretArn,
        });
        break;
      case 'redis-cache':
        Object.assign(env, { REDIS_CACHE_URL: redisUrl(backends.redisCacheHost) });
        break;
      case 'redis-pubsub':
        Object.assign(env, { REDIS_PUBSUB_URL: redisUrl(backends.redisPubSubHost) });
        break;
      case 'redis-streams':
        Object.assign(env, { REDIS_STREAMS_URL: redisUrl(backends.redisStreamsHost) });
        break;
      case 'opensearch':
        Object.assign(env, {
          OPENSEARCH_URL: `https://${backends.openSearchHost}:${DATA_PORTS.openSearch}`,
          OPENSEARCH_SECRET_ARN: backends.openSearchSecretArn,
        });
        break;
      case 'jwt':
        Object.assign(env, { JWT_ISSUER: backends.jwtIssuer, JWT_SECRET_ARN: backends.jwtSecretArn });
        break;
    }
  }
  if (uses.some((use) => use.startsWith('redis-'))) env.REDIS_SECRET_ARN = backends.redisSecretArn;
  return env;
}

/** A backend an app talks to. */
export type BackendUse = 'database' | 'redis-cache' | 'redis-pubsub' | 'redis-streams' | 'opensearch' | 'jwt';
