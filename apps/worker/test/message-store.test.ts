import { randomUUID } from 'node:crypto';
import { storeMessages } from '../src/message-store';
import { createTestDatabase, type TestDatabase } from '../../test/support/databases';
import { chatMessage } from './messages';

/** The store against the sender-key rule of PostgreSQL (migration 005), including the race. */
jest.setTimeout(60_000);

describe('storeMessages', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db.drop();
  });

  it('reports copies in a batch and against stored messages, and stores each key once', async () => {
    const original = chatMessage();
    const inBatchCopy = { ...original, id: randomUUID() };
    expect(await storeMessages(db.pool, [original, inBatchCopy, original])).toEqual({
      stored: 1,
      copies: [inBatchCopy.id],
    });
    const lateCopy = { ...original, id: randomUUID(), createdAt: new Date(Date.now() + 5000).toISOString() };
    const other = chatMessage();
    expect(await storeMessages(db.pool, [original, lateCopy, other])).toEqual({ stored: 1, copies: [lateCopy.id] });
  });

  it('treats a key committed by another writer during its INSERT as already stored', async () => {
    const first = chatMessage();
    const copy = { ...first, id: randomUUID() };
    // Another writer has inserted the same key and not yet committed.
    const other = await db.pool.connect();
    try {
      await other.query('BEGIN');
      await other.query(
        `INSERT INTO messages (id, chat_room_id, sender_id, client_msg_id, content, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [first.id, first.roomId, first.senderId, first.clientMsgId, first.content, first.createdAt],
      );
      // Our statement passes the filter (the key is not committed), then waits on the key.
      const storing = storeMessages(db.pool, [copy]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await other.query('COMMIT');
      // The unique_violation is retried, and the retry sees the key as taken.
      await expect(storing).resolves.toEqual({ stored: 0, copies: [copy.id] });
    } finally {
      other.release();
    }
    const { rows } = await db.pool.query('SELECT id FROM messages WHERE client_msg_id = $1', [first.clientMsgId]);
    expect(rows).toEqual([{ id: first.id }]);
  });
});
