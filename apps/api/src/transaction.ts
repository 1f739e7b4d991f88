import type { Pool, PoolClient } from 'pg';

/**
 * Runs `work` in one transaction: COMMIT when it resolves, ROLLBACK when it throws (the error is
 * rethrown). Given a pool, it takes a connection for the transaction and returns it afterwards;
 * given a connection (one holding a session lock, say), it uses that and leaves it open.
 */
export async function withTransaction<T>(db: Pool | PoolClient, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const owned = !isClient(db);
  const client = isClient(db) ? db : await db.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    try {
      await client.query('ROLLBACK');
    } catch (rollbackError) {
      // A connection that cannot even roll back is broken: it must not go back to the pool.
      broken = rollbackError as Error;
    }
    throw err;
  } finally {
    if (owned) client.release(broken);
  }
}

function isClient(db: Pool | PoolClient): db is PoolClient {
  return typeof (db as PoolClient).release === 'function';
}
