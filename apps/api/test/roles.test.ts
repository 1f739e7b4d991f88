import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '../../test/support/databases';

jest.setTimeout(60_000);

/**
 * The per-app roles the migrations create: each may do what its app's SQL does and nothing else.
 * Checked the way PostgreSQL checks them, by running statements as the role (`SET LOCAL ROLE`, in a
 * transaction that is rolled back).
 */
describe('per-app database roles', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  /** Runs `sql` as `role`; resolves with the rows, or rejects with PostgreSQL's error. */
  async function as(role: string, sql: string, params: unknown[] = []): Promise<unknown[]> {
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL ROLE ${role}`);
      return (await client.query(sql, params)).rows;
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  }
  const denied = { code: '42501' };

  const message = () => [randomUUID(), randomUUID(), randomUUID(), randomUUID(), 'hello', new Date()];
  const INSERT_MESSAGE =
    'INSERT INTO messages (id, chat_room_id, sender_id, client_msg_id, content, created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING';

  test('the roles can log in and hold no administrative attribute', async () => {
    const { rows } = await db.pool.query(
      `SELECT rolname, rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls
         FROM pg_roles WHERE rolname IN ('cotalk_api', 'cotalk_worker') ORDER BY rolname`,
    );
    expect(rows).toEqual(
      ['cotalk_api', 'cotalk_worker'].map((rolname) => ({
        rolname,
        rolcanlogin: true,
        rolsuper: false,
        rolcreaterole: false,
        rolcreatedb: false,
        rolbypassrls: false,
      })),
    );
  });

  test('the worker stores and reads messages and keeps partitions ready', async () => {
    await expect(as('cotalk_worker', INSERT_MESSAGE, message())).resolves.toEqual([]);
    await expect(as('cotalk_worker', 'SELECT count(*) FROM messages')).resolves.toHaveLength(1);
    // Years ahead, so the function has a partition to create; it runs as the table's owner.
    await expect(
      as('cotalk_worker', 'SELECT ensure_message_partitions($1, 0) AS created', ['2031-03-01T00:00:00Z']),
    ).resolves.toEqual([{ created: 1 }]);
  });

  test.each([
    ['delete messages', 'DELETE FROM messages'],
    ['update messages', "UPDATE messages SET content = 'x'"],
    ['read users', 'SELECT * FROM users'],
    ['read rooms', 'SELECT * FROM room_members'],
    ['create a table', 'CREATE TABLE worker_table (id int)'],
    [
      'create a partition itself',
      "CREATE TABLE messages_2032_01 PARTITION OF messages FOR VALUES FROM ('2032-01-01') TO ('2032-02-01')",
    ],
    ['drop messages', 'DROP TABLE messages'],
  ])('the worker may not %s', async (_, sql) => {
    await expect(as('cotalk_worker', sql)).rejects.toMatchObject(denied);
  });

  test('the api signs users up, befriends, makes rooms, manages members and reads messages', async () => {
    const [user] = (await as(
      'cotalk_api',
      "INSERT INTO users (email, display_name, password_hash) VALUES ($1, 'a', 'h') RETURNING id",
      [`${randomUUID()}@example.com`],
    )) as { id: string }[];
    expect(user.id).toEqual(expect.any(String));
    await expect(as('cotalk_api', "UPDATE users SET display_name = 'b'")).resolves.toEqual([]);
    await expect(as('cotalk_api', 'DELETE FROM room_members')).resolves.toEqual([]);
    await expect(as('cotalk_api', 'SELECT * FROM messages LIMIT 1')).resolves.toEqual([]);
    await expect(as('cotalk_api', 'SELECT * FROM friends, chat_rooms LIMIT 1')).resolves.toEqual([]);
  });

  test.each([
    ['write messages', INSERT_MESSAGE, message()],
    ['delete users', 'DELETE FROM users', []],
    ['delete rooms', 'DELETE FROM chat_rooms', []],
    ['create partitions', 'SELECT ensure_message_partitions(now(), 1)', []],
    ['alter a table', 'ALTER TABLE users ADD COLUMN extra int', []],
    ['create a table', 'CREATE TABLE api_table (id int)', []],
    ['read the migrations', 'SELECT * FROM schema_migrations', []],
  ])('the api may not %s', async (_, sql, params) => {
    await expect(as('cotalk_api', sql, params)).rejects.toMatchObject(denied);
  });

  test('several databases migrated at once all get their grants (the roles are server-wide)', async () => {
    const others = await Promise.all([createTestDatabase(), createTestDatabase(), createTestDatabase()]);
    try {
      for (const other of others) {
        const { rows } = await other.pool.query(
          "SELECT has_table_privilege('cotalk_worker', 'messages', 'INSERT') AS worker, has_table_privilege('cotalk_api', 'users', 'UPDATE') AS api",
        );
        expect(rows).toEqual([{ worker: true, api: true }]);
      }
    } finally {
      await Promise.all(others.map((other) => other.drop()));
    }
  });
});
