import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Pool } from 'pg';
import { migrate } from '../../api/src/migrate';

/**
 * Each test file gets a database of its own, migrated to the current schema, and drops it
 * afterwards; files running in parallel never see each other's rows.
 */

const SERVER = process.env.TEST_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
const MIGRATIONS_DIR = join(__dirname, '../../api/migrations');

/** A migrated database that exists until `drop()`. */
export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  /** A small pool on the database for assertions. */
  readonly pool: Pool;
  drop(): Promise<void>;
}

/** Creates `test_<random>` and applies the migrations to it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `test_${randomBytes(6).toString('hex')}`;
  const admin = new Pool({ connectionString: `${SERVER}/test`, max: 1 });
  await admin.query(`CREATE DATABASE ${name}`);
  const url = `${SERVER}/${name}`;
  const pool = new Pool({ connectionString: url, max: 4 });
  // DROP ... WITH (FORCE) ends connections still closing; that is expected, not a failure.
  pool.on('error', () => undefined);
  await migrate(pool, MIGRATIONS_DIR);
  return {
    name,
    url,
    pool,
    async drop() {
      await pool.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** A Redis key prefix no other test run uses. */
export function testKeyPrefix(): string {
  return `test:${randomBytes(6).toString('hex')}:`;
}

/** The Redis server tests use. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
