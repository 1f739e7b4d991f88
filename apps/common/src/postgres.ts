import { readFileSync } from 'node:fs';
import { Pool, type PoolConfig } from 'pg';
import { z } from 'zod';
import { envBoolean, envPositiveInt } from './env';

/**
 * PostgreSQL pools: a writer on the primary and, when a replica endpoint is configured, a reader
 * on it. Reads that tolerate replication lag use `reader`; without a replica it is the writer.
 */

/** The brief's ceiling on connections per pool in one app instance. */
export const DEFAULT_POOL_MAX = 50;

/** Options for {@link createPostgres}. */
export interface PostgresOptions {
  /** `postgres://user@host:port/db` of the primary. The password may come separately. */
  readonly writerUrl: string;
  /** The read replicas' endpoint. @default - reads go to the writer */
  readonly readerUrl?: string;
  /** Password for both endpoints, kept out of the URLs so no logged URL carries it. @default - none */
  readonly password?: string;
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

function poolConfig(url: string, options: PostgresOptions): PoolConfig {
  return {
    connectionString: url,
    password: options.password,
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

/** Creates the writer pool and, when `readerUrl` is set, the reader pool. Connections open lazily. */
export function createPostgres(options: PostgresOptions): Postgres {
  const max = options.max ?? DEFAULT_POOL_MAX;
  if (!Number.isInteger(max) || max < 1 || max > DEFAULT_POOL_MAX) {
    throw new Error(`PostgreSQL pool max must be an integer from 1 to ${DEFAULT_POOL_MAX}, got ${max}`);
  }
  const writer = new Pool(poolConfig(options.writerUrl, options));
  const reader = options.readerUrl ? new Pool(poolConfig(options.readerUrl, options)) : writer;
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

/** The PostgreSQL settings the API and the worker read; compose into the app's env schema. */
export const postgresEnvShape = {
  DATABASE_URL: postgresUrl,
  DATABASE_READER_URL: postgresUrl.optional(),
  DATABASE_PASSWORD: z.string().min(1).optional(),
  DATABASE_POOL_MAX: envPositiveInt.max(DEFAULT_POOL_MAX).default(DEFAULT_POOL_MAX),
  DATABASE_TLS: envBoolean.default(false),
  DATABASE_CA_FILE: z.string().min(1).optional(),
};

/** The parsed values of {@link postgresEnvShape}. */
export interface PostgresEnv {
  readonly DATABASE_URL: string;
  readonly DATABASE_READER_URL?: string;
  readonly DATABASE_PASSWORD?: string;
  readonly DATABASE_POOL_MAX: number;
  readonly DATABASE_TLS: boolean;
  readonly DATABASE_CA_FILE?: string;
}

/** Pool options from parsed environment values. */
export function postgresOptionsFromEnv(env: PostgresEnv, applicationName: string): PostgresOptions {
  return {
    writerUrl: env.DATABASE_URL,
    readerUrl: env.DATABASE_READER_URL,
    password: env.DATABASE_PASSWORD,
    max: env.DATABASE_POOL_MAX,
    tls: env.DATABASE_TLS,
    caFile: env.DATABASE_CA_FILE,
    applicationName,
  };
}
