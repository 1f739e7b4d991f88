import { randomBytes, randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { listMigrations, migrate } from '../src/migrate';

/**
 * Migration 005: PostgreSQL itself refuses a second message with the same (room, sender,
 * clientMsgId), whatever its id or month, and the migration folds copies stored before it.
 */
jest.setTimeout(60_000);

const SERVER = process.env.TEST_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
const MIGRATIONS = join(__dirname, '../migrations');

describe('message keys', () => {
  const name = `test_${randomBytes(6).toString('hex')}`;
  const admin = new Pool({ connectionString: `${SERVER}/test`, max: 1 });
  let pool: Pool;

  const insert = (m: { id?: string; room: string; sender: string; key: string; at: string }) =>
    pool.query(
      `INSERT INTO messages (id, chat_room_id, sender_id, client_msg_id, content, created_at)
       VALUES ($1, $2, $3, $4, 'hi', $5) ON CONFLICT (id, created_at) DO NOTHING`,
      [m.id ?? randomUUID(), m.room, m.sender, m.key, m.at],
    );
  const thisMonth = new Date().toISOString();
  const nextMonth = new Date(Date.now() + 32 * 24 * 3600 * 1000).toISOString();

  beforeAll(async () => {
    await admin.query(`CREATE DATABASE ${name}`);
    pool = new Pool({ connectionString: `${SERVER}/${name}`, max: 2 });
    pool.on('error', () => undefined);
  });

  afterAll(async () => {
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });

  it('keeps the earliest of copies stored before the migration, then refuses new ones', async () => {
    // Given the schema before migration 005, with a message stored twice under one key
    const before = mkdtempSync(join(tmpdir(), 'migrations-'));
    for (const file of (await listMigrations(MIGRATIONS)).filter((f) => f < '005'))
      copyFileSync(join(MIGRATIONS, file), join(before, file));
    await migrate(pool, before);
    const [room, sender] = [randomUUID(), randomUUID()];
    const first = randomUUID();
    await insert({ id: first, room, sender, key: 'k1', at: thisMonth });
    await insert({ room, sender, key: 'k1', at: nextMonth });
    await insert({ room, sender, key: 'k2', at: thisMonth });

    // When the migration runs
    expect(await migrate(pool, MIGRATIONS)).toEqual(expect.arrayContaining(['005_message_keys.sql']));

    // Then one copy per key is left, each with its key
    const { rows } = await pool.query('SELECT id, client_msg_id FROM messages ORDER BY client_msg_id');
    expect(rows.map((r) => r.client_msg_id)).toEqual(['k1', 'k2']);
    expect(rows[0].id).toBe(first);
    expect((await pool.query('SELECT count(*)::int AS n FROM message_keys')).rows[0].n).toBe(2);

    // And a copy with another id, even in another month's partition, is refused by the key
    await expect(insert({ room, sender, key: 'k1', at: nextMonth })).rejects.toMatchObject({
      code: '23505',
      constraint: 'message_keys_pkey',
    });
    // While the same key from another sender or room is another message
    await insert({ room, sender: randomUUID(), key: 'k1', at: thisMonth });
    await insert({ room: randomUUID(), sender, key: 'k1', at: thisMonth });
    // And a redelivery of the stored message itself is skipped without an error
    const again = await insert({ id: first, room, sender, key: 'k1', at: thisMonth });
    expect(again.rowCount).toBe(0);
    expect((await pool.query('SELECT count(*)::int AS n FROM messages')).rows[0].n).toBe(4);
    expect((await pool.query('SELECT count(*)::int AS n FROM message_keys')).rows[0].n).toBe(4);
  });
});
