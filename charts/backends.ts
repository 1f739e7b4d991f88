import { BACKEND_USES, type BackendUse, type RedisApp, type WorkloadName } from '../lib/contract';

/**
 * Where the data stores are, on which ports, and which Secrets Manager secrets hold their
 * credentials. The workloads stack fills this from the data stack's typed properties; standalone
 * rendering uses the placeholders in `placeholders.ts`.
 *
 * Only secret ARNs reach the manifests: each app reads its secrets from Secrets Manager at start
 * with the role its ServiceAccount gets through EKS Pod Identity.
 */
export interface ChatBackends {
  /** AWS region of the data stores and secrets (the SDK's `AWS_REGION`). */
  readonly region: string;
  /** PostgreSQL primary and read replicas. */
  readonly database: DatabaseBackend;
  /** The three Redis clusters, by role. */
  readonly redis: { readonly cache: RedisBackend; readonly pubsub: RedisBackend; readonly streams: RedisBackend };
  /** The OpenSearch domain. */
  readonly search: SearchBackend;
  /** Access tokens: issued by the api, verified by the gateway and Kong. */
  readonly jwt: TokenBackend;
}

/** PostgreSQL as the apps see it. */
export interface DatabaseBackend {
  /** Primary (writer) host name. */
  readonly writerHost: string;
  /** One host name per read replica (reads go to replicas only); empty without replicas. */
  readonly readerHosts: readonly string[];
  /** The port every instance listens on. */
  readonly port: number;
  /** The database the apps use. */
  readonly name: string;
  /** The roles the api and the worker log in as, with RDS IAM authentication (no password). */
  readonly users: { readonly api: string; readonly worker: string };
  /**
   * The master user's secret (`{"username","password",...}`): bootstrap and break-glass only. Of the
   * workloads, only the migrations Job gets it (creating the roles and the schema).
   */
  readonly secretArn: string;
}

/** One Redis cluster (TLS always on; each app signs in as its own user). */
export interface RedisBackend {
  /** Primary or configuration endpoint host. */
  readonly host: string;
  /** The cluster's port. */
  readonly port: number;
  /** Cluster mode (sharded): clients use the cluster protocol. */
  readonly clusterMode: boolean;
  /** Each app's user on this cluster (the apps that use it, `BACKEND_USES`). */
  readonly users: Partial<Record<RedisApp, RedisUserBackend>>;
}

/** One app's ElastiCache user on one cluster. */
export interface RedisUserBackend {
  /** The name it signs in as. */
  readonly userName: string;
  /** Secret whose string is its password. */
  readonly secretArn: string;
}

/** `app`'s user on `redis`; throws when the cluster has none for it (a wiring mistake). */
export function redisUserOf(redis: RedisBackend, app: WorkloadName, cluster: string): RedisUserBackend {
  const user = redis.users[app as RedisApp];
  if (user === undefined) throw new Error(`the ${cluster} Redis cluster has no user for ${app}`);
  return user;
}

/**
 * The OpenSearch domain (HTTPS, fine-grained access control). The apps sign requests with SigV4 as
 * their Pod Identity roles, which the domain maps to their search roles: no secret.
 */
export interface SearchBackend {
  /** Domain endpoint host. */
  readonly host: string;
  /** HTTPS port. */
  readonly port: number;
}

/** The access token issuer and keys (ES256, identified by `kid`). */
export interface TokenBackend {
  /** `iss` claim of access tokens, shared by the api, the gateway and Kong. */
  readonly issuer: string;
  /** Secret holding the private key set (`{"current","keys":[{"kid","privateKey"}]}`): the api's alone. */
  readonly signingKeysSecretArn: string;
  /** Secret holding the public key set (`{"keys":[{"kid","publicKey"}]}`): what the gateway and Kong verify with. */
  readonly publicKeysSecretArn: string;
}

/** `rediss://host:port`: TLS, and no credentials (the password comes from its secret). */
export function redisUrl(redis: RedisBackend): string {
  return `rediss://${redis.host}:${redis.port}`;
}

/** The Redis cluster each Redis use connects to. */
const REDIS_ROLE_OF = { 'redis-cache': 'cache', 'redis-pubsub': 'pubsub', 'redis-streams': 'streams' } as const;

/**
 * The environment variables naming each backend `app` uses (`BACKEND_USES`), as the apps read
 * them (the production contract in `apps/README.md`): hosts, ports, user names and secret ARNs,
 * never a secret value.
 */
export function backendEnv(backends: ChatBackends, app: WorkloadName): Record<string, string> {
  const uses: readonly BackendUse[] = BACKEND_USES[app];
  const env: Record<string, string> = { AWS_REGION: backends.region };
  const { database, redis, search, jwt } = backends;
  for (const use of uses) {
    switch (use) {
      case 'database':
      case 'database-primary':
        Object.assign(env, {
          DATABASE_HOST: database.writerHost,
          DATABASE_PORT: String(database.port),
          DATABASE_NAME: database.name,
          ...(use === 'database' ? { DATABASE_READER_HOSTS: database.readerHosts.join(',') } : {}),
          // Its own role, with an IAM token per connection: no password anywhere.
          DATABASE_USER: use === 'database' ? database.users.api : database.users.worker,
          DATABASE_IAM_AUTH: 'true',
        });
        break;
      case 'database-admin':
        Object.assign(env, {
          DATABASE_HOST: database.writerHost,
          DATABASE_PORT: String(database.port),
          DATABASE_NAME: database.name,
          DATABASE_SECRET_ARN: database.secretArn,
        });
        break;
      case 'redis-cache':
      case 'redis-pubsub':
      case 'redis-streams': {
        // REDIS_<ROLE>_*: the cluster's URL and mode, and this app's own user on it.
        const role = REDIS_ROLE_OF[use];
        const name = `REDIS_${role.toUpperCase()}`;
        const user = redisUserOf(redis[role], app, role);
        Object.assign(env, {
          [`${name}_URL`]: redisUrl(redis[role]),
          [`${name}_CLUSTER_MODE`]: String(redis[role].clusterMode),
          [`${name}_USERNAME`]: user.userName,
          [`${name}_SECRET_ARN`]: user.secretArn,
        });
        break;
      }
      case 'opensearch':
        // Signed with the pod's role for AWS_REGION: no password anywhere.
        Object.assign(env, {
          OPENSEARCH_URL: `https://${search.host}:${search.port}`,
          OPENSEARCH_IAM_AUTH: 'true',
        });
        break;
      case 'token-signing':
        Object.assign(env, { JWT_ISSUER: jwt.issuer, JWT_SIGNING_KEYS_SECRET_ARN: jwt.signingKeysSecretArn });
        break;
      case 'token-verification':
        Object.assign(env, { JWT_ISSUER: jwt.issuer, JWT_PUBLIC_KEYS_SECRET_ARN: jwt.publicKeysSecretArn });
        break;
    }
  }
  return env;
}

/** The ports `uses` connect to, for the egress network policies (deduplicated, in order). */
export function backendPorts(backends: ChatBackends, uses: readonly BackendUse[]): number[] {
  const port: Record<BackendUse, number | undefined> = {
    database: backends.database.port,
    'database-primary': backends.database.port,
    'database-admin': backends.database.port,
    'redis-cache': backends.redis.cache.port,
    'redis-pubsub': backends.redis.pubsub.port,
    'redis-streams': backends.redis.streams.port,
    opensearch: backends.search.port,
    'token-signing': undefined,
    'token-verification': undefined,
  };
  return [...new Set(uses.map((use) => port[use]).filter((p) => p !== undefined))];
}
