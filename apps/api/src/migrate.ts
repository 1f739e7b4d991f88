import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pool } from 'pg';
import type { Logger } from '@co-talk/common/logger';
import { withTransaction } from './transaction';

/**
 * Applies `migrations/NNN_name.sql` in order, each in its own transaction, recording it in
 * `schema_migrations`. A session advisory lock serialises API instances starting together, so
 * exactly one applies a migration and the others find it recorded.
 */

/** Any 64-bit constant; it only has to be the same in every instance. */
const MIGRATION_LOCK_KEY = 7_401_283_211;
const FILE_PATTERN = /^(\d{3,})_[a-z0-9_]+\.sql$/;

/** Lists the migration files of `dir` in application order; rejects stray or duplicate names. */
export async function listMigrations(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.sql')).sort();
  const seen = new Set<string>();
  for (const name of names) {
    const match = FILE_PATTERN.exec(name);
    if (!match) throw new Error(`migration file "${name}" must be named NNN_lower_snake_case.sql`);
    if (seen.has(match[1])) throw new Error(`migration number ${match[1]} is used twice (${name})`);
    seen.add(match[1]);
  }
  return names;
}

/** Applies every migration of `dir` not yet recorded; returns the names it applied. */
export async function migrate(pool: Pool, dir: string, logger?: Logger): Promise<string[]> {
  const names = await listMigrations(dir);
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set(
      (await client.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name),
    );
    const applied: string[] = [];
    for (const name of names) {
      if (done.has(name)) continue;
      const sql = await readFile(join(dir, name), 'utf8');
      try {
        await withTransaction(client, async () => {
          await client.query(sql);
          await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [name]);
        });
      } catch (err) {
        throw new Error(`migration ${name} failed: ${(err as Error).message}`, { cause: err });
      }
      logger?.info({ migration: name }, 'migration applied');
      applied.push(name);
    }
    return applied;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    client.release();
  }
}
