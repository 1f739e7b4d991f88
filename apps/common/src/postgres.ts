import { readFileSync } from 'node:fs';
import { Signer } from '@aws-sdk/rds-signer';
import { Client, Pool, type ClientConfig, type PoolConfig } from 'pg';
import { z } from 'zod';
import { EnvError, envBoolean, envPort, envPositiveInt } from './env';
import { RotatingSecretField } from './secrets';

/**
 * PostgreSQL pools: a writer on the primary and, when replicas are configured, a reader on them.
 * Reads that tolerate replication lag use `reader`; without a replica it is the writer.
 *
 * Two ways to configure: URLs (`DATABASE_URL`, `DATABASE_READER_URL`; local runs, tests) or the
 * production form, host names (`DATABASE_HOST`, `DATABASE_READER_HOSTS`) with either the app's own
 * role and RDS IAM authentication (`DATABASE_USER`, `DATABASE_IAM_AUTH=true`: the api and the
 * worker) or the RDS-managed master secret (`DATABASE_SECRET_ARN`: the migrations Job only); both
 * imply verified TLS.
 */

/**
 * How long an IAM authentication token is reused. RDS accepts a token for 15 minutes
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.Connecting.html);
 * it is checked when a connection opens only, so an open connection outlives it.
 */
export const IAM_TOKEN_REUSE_MS = 10 * 60_000;

/** Signs one IAM authentication token for a host (the default: the SDK's signer, with the default credentials). */
export type IamTokenSigner = (host: string) => Promise<string>;

/**
 * RDS IAM authentication tokens for one database user: one per host (a token names its host), each
 * reused for {@link IAM_TOKEN_REUSE_MS}, then signed again before it would expire. Signing is local
 * (SigV4 with the pod's Pod Identity credentials): no call to AWS per connection.
 */
export class RdsIamTokens {
  private readonly tokens = new Map<string, { readonly token: Promise<string>; readonly signedAt: number }>();
  private readonly sign: IamTokenSigner;

  constructor(
    readonly user: string,
    readonly port: number,
    readonly region: string,
    sign?: IamTokenSigner,
    private readonly now: () => number = Date.now,
  ) {
    this.sign = sign ?? ((hostname) => new Signer({ hostname, port, username: user, region }).getAuthToken());
  }

  /** A valid token for `host`. */
  forHost(host: string): Promise<string> {
    const cached = this.tokens.get(host);
    if (cached !== undefined && this.now() - cached.signedAt < IAM_TOKEN_REUSE_MS) return cached.token;
    const token = this.sign(host);
    this.tokens.set(host, { token, signedAt: this.now() });
    // A failed signing is not kept: the next connection tries again.
    token.catch(() => this.tokens.delete(host));
    return token;
  }
}

/** The brief's ceiling on connections per pool in one app instance. */
export const DEFAULT_POOL_MAX = 50;

/** Where a pool connects. */
export type PostgresEndpoint =
  | { readonly url: string }
  /** Several hosts: each new connection goes to the next one (round-robin over the replicas). */
  | { readonly hosts: readonly string[]; readonly port: number; readonly database: string; readonly user?: string };

/** Options for {@link createPostgres}. */
export interface PostgresOptions {
  /** The primary. */
  readonly writer: PostgresEndpoint;
  /** The read replicas. @default - reads go to the writer */
  readonly reader?: PostgresEndpoint;
  /**
   * Password for both endpoints, kept out of the URLs so no logged URL carries it; a rotating
   * secret is fetched again when the server refuses it. @default - none
   */
  readonly password?: string | RotatingSecretField | RdsIamTokens;
  /** Connections per pool. @default 50 */
  readonly max?: number;
  /** Encrypt and verify the server certificate. @default false */
  readonly tls?: boolean;
  /** A PEM CA bundle to verify the server against (RDS publishes one). @default - the system CAs */
  readonly caFile?: string;
  /** Shown in `pg_stat_activity`. @default - none */
  readonly applicationName?: string;
  /** Cancel statements running longer than this. @default 30000 */
  readonly statementTimeoutMs?: number;
}

/** The pools an app uses. */
export interface Postgres {
  readonly writer: Pool;
  /** The replica pool, or the writer when no replica is configured. */
  readonly reader: Pool;
  /** Closes every pool. */
  close(): Promise<void>;
}

/** PostgreSQL's `invalid_password`: the password was refused (RDS rotated it, for one). */
const INVALID_PASSWORD = '28P01';

/**
 * The pool's client class: picks the next host for each new connection, and tells a rotating
 * password that it was refused so the next connection fetches the current one.
 */
function clientClass(hosts: readonly string[] | null, password: PostgresOptions['password']): typeof Client {
  let next = 0;
  const onError = (err: unknown): void => {
    if (password instanceof RotatingSecretField && (err as { code?: string } | null)?.code === INVALID_PASSWORD) {
      password.invalidate();
    }
  };
  return class PoolClient extends Client {
    constructor(config?: ClientConfig) {
      const host = hosts === null ? config?.host : hosts[next++ % hosts.length];
      // An IAM token is signed for the host this connection goes to.
      const perHost =
        password instanceof RdsIamTokens && host !== undefined ? { password: () => password.forHost(host) } : {};
      super({ ...config, ...(hosts === null ? {} : { host }), ...perHost });
    }

    override connect(): Promise<Client>;
    override connect(callback: (err: Error | null, client?: Client) => void): void;
    override connect(callback?: (err: Error | null, client?: Client) => void): Promise<Client> | void {
      if (callback === undefined) {
        return super.connect().catch((err: unknown) => {
          onError(err);
          throw err;
        });
      }
      super.connect((err: Error | null) => {
        if (err) onError(err);
        callback(err, this);
      });
    }
  };
}

function poolConfig(endpoint: PostgresEndpoint, options: PostgresOptions): PoolConfig {
  const password = options.password;
  return {
    ...('url' in endpoint
      ? { connectionString: endpoint.url }
      : { host: endpoint.hosts[0], port: endpoint.port, database: endpoint.database, user: endpoint.user }),
    // IAM tokens are set per connection, for its host (see clientClass).
    password:
      password instanceof RotatingSecretField
        ? () => password.get()
        : password instanceof RdsIamTokens
          ? undefined
          : password,
    Client: clientClass('hosts' in endpoint && endpoint.hosts.length > 1 ? endpoint.hosts : null, password),
    max: options.max ?? DEFAULT_POOL_MAX,
    application_name: options.applicationName,
    statement_timeout: options.statementTimeoutMs ?? 30_000,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5_000,
    ssl: options.tls
      ? { rejectUnauthorized: true, ca: options.caFile ? readFileSync(options.caFile, 'utf8') : undefined }
      : undefined,
  };
}

/** Creates the writer pool and, when a reader is given, the reader pool. Connections open lazily. */
export function createPostgres(options: PostgresOptions): Postgres {
  const max = options.max ?? DEFAULT_POOL_MAX;
  if (!Number.isInteger(max) || max < 1 || max > DEFAULT_POOL_MAX) {
    throw new Error(`PostgreSQL pool max must be an integer from 1 to ${DEFAULT_POOL_MAX}, got ${max}`);
  }
  const writer = new Pool(poolConfig(options.writer, options));
  const reader = options.reader ? new Pool(poolConfig(options.reader, options)) : writer;
  // An idle client's error (a failover, a network blip) must not crash the process; the pool
  // drops that client and the next query opens a new one.
  const ignore = (): void => undefined;
  writer.on('error', ignore);
  if (reader !== writer) reader.on('error', ignore);
  return {
    writer,
    reader,
    async close() {
      await Promise.all(reader === writer ? [writer.end()] : [writer.end(), reader.end()]);
    },
  };
}

const postgresUrl = z.string().regex(/^postgres(ql)?:\/\/[^\s]+$/, 'expected postgres://user@host:port/database');
const hostName = z.string().regex(/^[A-Za-z0-9.-]+$/, 'expected a host name');

/** The PostgreSQL settings the API and the worker read; compose into the app's env schema. */
export const postgresEnvShape = {
  DATABASE_URL: postgresUrl.optional(),
  DATABASE_READER_URL: postgresUrl.optional(),
  DATABASE_HOST: hostName.optional(),
  DATABASE_PORT: envPort.default(5432),
  DATABASE_NAME: z.string().min(1).default('cotalk'),
  DATABASE_READER_HOSTS: z
    .string()
    .regex(/^[A-Za-z0-9.-]+(,[A-Za-z0-9.-]+)*$/, 'expected comma-separated host names')
    .optional(),
  DATABASE_USER: z.string().min(1).optional(),
  DATABASE_PASSWORD: z.string().min(1).optional(),
  DATABASE_SECRET_ARN: z.string().min(1).optional(),
  /** Log in as DATABASE_USER with RDS IAM authentication tokens (production api and worker). */
  DATABASE_IAM_AUTH: envBoolean.optional(),
  DATABASE_POOL_MAX: envPositiveInt.max(DEFAULT_POOL_MAX).default(DEFAULT_POOL_MAX),
  DATABASE_TLS: z
    .enum(['true', 'false', 'require', 'disable'], { message: 'expected require, disable, true or false' })
    .optional(),
  DATABASE_CA_FILE: z.string().min(1).optional(),
  AWS_REGION: z.string().min(1).optional(),
};

/** The parsed values of {@link postgresEnvShape}. */
export type PostgresEnv = Readonly<z.infer<z.ZodObject<typeof postgresEnvShape>>>;

/**
 * Pool options from parsed environment values (after `resolveSecretEnv`, which fills in
 * DATABASE_USER and DATABASE_PASSWORD from DATABASE_SECRET_ARN). Throws `EnvError` naming the
 * variables of a contradictory or incomplete set.
 */
export function postgresOptionsFromEnv(env: PostgresEnv, applicationName: string): PostgresOptions {
  const problems: string[] = [];
  if (env.DATABASE_URL === undefined && env.DATABASE_HOST === undefined)
    problems.push('DATABASE_HOST or DATABASE_URL: one is required');
  if (env.DATABASE_URL !== undefined && env.DATABASE_HOST !== undefined)
    problems.push('DATABASE_HOST and DATABASE_URL: set one, not both');
  if (env.DATABASE_READER_URL !== undefined && env.DATABASE_HOST !== undefined)
    problems.push('DATABASE_READER_URL: goes with DATABASE_URL; with DATABASE_HOST use DATABASE_READER_HOSTS');
  if (env.DATABASE_READER_HOSTS !== undefined && env.DATABASE_HOST === undefined)
    problems.push('DATABASE_READER_HOSTS: goes with DATABASE_HOST; with DATABASE_URL use DATABASE_READER_URL');
  const withSecret = env.DATABASE_SECRET_ARN !== undefined;
  const withIam = env.DATABASE_IAM_AUTH === true;
  if (withSecret && (env.DATABASE_TLS === 'false' || env.DATABASE_TLS === 'disable'))
    problems.push(`DATABASE_TLS: must not be ${env.DATABASE_TLS} with DATABASE_SECRET_ARN (RDS requires TLS)`);
  if (withIam) {
    if (env.DATABASE_HOST === undefined)
      problems.push('DATABASE_IAM_AUTH: needs DATABASE_HOST (tokens name their host)');
    if (env.DATABASE_USER === undefined)
      problems.push('DATABASE_IAM_AUTH: needs DATABASE_USER (the role to log in as)');
    if (env.AWS_REGION === undefined) problems.push('DATABASE_IAM_AUTH: needs AWS_REGION (tokens are signed for it)');
    if (withSecret) problems.push('DATABASE_IAM_AUTH and DATABASE_SECRET_ARN: set one, not both');
    if (env.DATABASE_PASSWORD !== undefined)
      problems.push('DATABASE_IAM_AUTH and DATABASE_PASSWORD: set one, not both');
    if (env.DATABASE_TLS === 'false' || env.DATABASE_TLS === 'disable')
      problems.push(
        `DATABASE_TLS: must not be ${env.DATABASE_TLS} with DATABASE_IAM_AUTH (IAM authentication requires TLS)`,
      );
  }
  if (problems.length > 0) throw new EnvError(problems);
  const hostEndpoint = (hosts: readonly string[]): PostgresEndpoint => ({
    hosts,
    port: env.DATABASE_PORT,
    database: env.DATABASE_NAME,
    user: env.DATABASE_USER,
  });
  const writer: PostgresEndpoint =
    env.DATABASE_HOST !== undefined ? hostEndpoint([env.DATABASE_HOST]) : { url: env.DATABASE_URL! };
  const reader: PostgresEndpoint | undefined =
    env.DATABASE_READER_HOSTS !== undefined
      ? hostEndpoint(env.DATABASE_READER_HOSTS.split(','))
      : env.DATABASE_READER_URL !== undefined
        ? { url: env.DATABASE_READER_URL }
        : undefined;
  return {
    writer,
    reader,
    // The password read at start-up serves the first connections; after a refusal it is fetched again.
    password: withIam
      ? new RdsIamTokens(env.DATABASE_USER!, env.DATABASE_PORT, env.AWS_REGION!)
      : withSecret
        ? new RotatingSecretField(
            'DATABASE_SECRET_ARN',
            env.DATABASE_SECRET_ARN!,
            'password',
            env.AWS_REGION,
            env.DATABASE_PASSWORD,
          )
        : env.DATABASE_PASSWORD,
    max: env.DATABASE_POOL_MAX,
    tls: withSecret || withIam || env.DATABASE_TLS === 'true' || env.DATABASE_TLS === 'require',
    caFile: env.DATABASE_CA_FILE,
    applicationName,
  };
}
