import { randomUUID } from 'node:crypto';
import { MESSAGE_CONSUMER_GROUP, MESSAGE_STREAM_KEY, STREAM_MESSAGE_FIELD } from '@co-talk/common/chat-message';
import { startWorker, type Worker } from '../src/worker';
import { useTestStores } from '../../test/support/test-stores';
import { appendMessages, chatMessage, waitFor } from './messages';
import { workerTestEnv } from './test-env';

jest.setTimeout(60_000);

describe('worker against real PostgreSQL and Redis', () => {
  let worker: Worker | undefined;
  const t = useTestStores({
    truncate: ['messages'],
    stopWriters: async () => {
      await worker?.stop();
      worker = undefined;
    },
  });

  const stream = (): string => `${t.prefix}${MESSAGE_STREAM_KEY}`;
  const count = async (): Promise<number> =>
    Number((await t.db.pool.query('SELECT count(*) FROM messages')).rows[0].count);
  const pending = async (): Promise<number> =>
    Number(((await t.redis.xpending(stream(), MESSAGE_CONSUMER_GROUP)) as [number])[0]);

  it('stores every appended message once and acknowledges it', async () => {
    // Given a stream holding messages appended before the worker ever ran
    const early = Array.from({ length: 120 }, () => chatMessage());
    await appendMessages(t.redis, t.prefix, early);
    // When the worker starts and more messages arrive while it runs
    worker = await startWorker(workerTestEnv(t.db.url, t.prefix));
    const late = Array.from({ length: 80 }, () => chatMessage());
    await appendMessages(t.redis, t.prefix, late);
    // Then all of them are stored, with their fields, and nothing is left pending
    await waitFor('200 messages stored', async () => (await count()) === 200);
    await waitFor('nothing pending', async () => (await pending()) === 0);
    const row = (await t.db.pool.query('SELECT * FROM messages WHERE id = $1', [late[0].id])).rows[0];
    expect(row).toMatchObject({
      chat_room_id: late[0].roomId,
      sender_id: late[0].senderId,
      client_msg_id: late[0].clientMsgId,
      content: late[0].content,
    });
    expect(new Date(row.created_at).toISOString()).toBe(late[0].createdAt);
  });

  it('stores a message delivered several times exactly once', async () => {
    const message = chatMessage();
    await appendMessages(t.redis, t.prefix, [message, message, { ...message }]);
    worker = await startWorker(workerTestEnv(t.db.url, t.prefix));
    await waitFor(
      'all entries acknowledged',
      async () => (await t.redis.xlen(stream())) === 3 && (await pending()) === 0,
    );
    await appendMessages(t.redis, t.prefix, [message]);
    await waitFor(
      'the resend acknowledged',
      async () => (await pending()) === 0 && (await lastDelivered()) === (await lastEntry()),
    );
    expect(await count()).toBe(1);
  });

  it('stores a resend with a new id under the same sender key once, and acknowledges the copy', async () => {
    // A resend the gateway no longer recognised (after its crash): new id and time, same key.
    const original = chatMessage();
    const copy = { ...original, id: randomUUID(), createdAt: new Date(Date.now() + 1000).toISOString() };
    const otherSender = { ...original, id: randomUUID(), senderId: randomUUID() };
    // Both in one batch, then the copy again in a later one.
    await appendMessages(t.redis, t.prefix, [original, copy, otherSender]);
    worker = await startWorker(workerTestEnv(t.db.url, t.prefix));
    await waitFor('all acknowledged', async () => (await count()) === 2 && (await pending()) === 0);
    await appendMessages(t.redis, t.prefix, [{ ...copy, id: randomUUID() }]);
    await waitFor('the late copy acknowledged', async () => (await lastDelivered()) === (await lastEntry()));
    await waitFor('nothing pending', async () => (await pending()) === 0);
    const { rows } = await t.db.pool.query('SELECT id FROM messages ORDER BY id');
    expect(rows.map((r) => r.id).sort()).toEqual([original.id, otherSender.id].sort());
    expect(await t.redis.exists(`${stream()}:dead`)).toBe(0);
    expect(await metric(worker, 'worker_messages_duplicate_total')).toBe(2);
  });

  it('moves garbage to the dead-letter stream, acknowledges it and keeps going', async () => {
    const good = chatMessage();
    await t.redis.xadd(stream(), '*', STREAM_MESSAGE_FIELD, '{"broken');
    await t.redis.xadd(stream(), '*', STREAM_MESSAGE_FIELD, JSON.stringify({ ...chatMessage(), content: '' }));
    // A message dated where no partition exists is refused by PostgreSQL itself.
    await appendMessages(t.redis, t.prefix, [chatMessage({ createdAt: '1999-01-01T00:00:00.000Z' }), good]);
    worker = await startWorker(workerTestEnv(t.db.url, t.prefix));
    await waitFor('good message stored', async () => (await count()) === 1);
    await waitFor('nothing pending', async () => (await pending()) === 0);
    const dead = await t.redis.xrange(`${stream()}:dead`, '-', '+');
    const reasons = dead.map(([, fields]) => fields[fields.indexOf('reason') + 1]);
    expect(reasons).toEqual(['not JSON', expect.stringMatching(/^content: /), expect.stringMatching(/no partition/)]);
  });

  it('keeps a batch pending while PostgreSQL cannot take it, and stores it once it can', async () => {
    worker = await startWorker(workerTestEnv(t.db.url, t.prefix));
    await t.db.pool.query('ALTER TABLE messages RENAME TO messages_away');
    try {
      await appendMessages(t.redis, t.prefix, [chatMessage(), chatMessage(), chatMessage()]);
      await waitFor('failed attempts', async () => (await metric(worker!, 'worker_batch_failures_total')) >= 2);
      // Read, not stored, so not acknowledged.
      expect(await pending()).toBeGreaterThanOrEqual(1);
    } finally {
      await t.db.pool.query('ALTER TABLE messages_away RENAME TO messages');
    }
    await waitFor('stored after the outage', async () => (await count()) === 3 && (await pending()) === 0);
  });

  it('does not acknowledge what OpenSearch has not indexed', async () => {
    worker = await startWorker(workerTestEnv(t.db.url, t.prefix, { OPENSEARCH_URL: 'http://127.0.0.1:1' }));
    await appendMessages(t.redis, t.prefix, [chatMessage(), chatMessage()]);
    await waitFor('failed attempts', async () => (await metric(worker!, 'worker_batch_failures_total')) >= 2);
    // Stored (idempotently, so the retries are harmless) but still pending until it is searchable.
    expect(await count()).toBe(2);
    expect(await pending()).toBe(2);
  });

  it('reclaims entries left pending by a consumer that died', async () => {
    const orphans = Array.from({ length: 30 }, () => chatMessage());
    await t.redis.xgroup('CREATE', stream(), MESSAGE_CONSUMER_GROUP, '0', 'MKSTREAM');
    await appendMessages(t.redis, t.prefix, orphans);
    // A consumer reads them and dies before acknowledging.
    await t.redis.xreadgroup('GROUP', MESSAGE_CONSUMER_GROUP, 'dead-consumer', 'COUNT', 100, 'STREAMS', stream(), '>');
    expect(await pending()).toBe(30);
    worker = await startWorker(
      workerTestEnv(t.db.url, t.prefix, { WORKER_CLAIM_IDLE_MS: '200', WORKER_CLAIM_INTERVAL_MS: '100' }),
    );
    await waitFor('orphans stored', async () => (await count()) === 30);
    await waitFor('nothing pending', async () => (await pending()) === 0);
  });

  it('removes consumers that stopped long ago and hold nothing, and keeps the others', async () => {
    // Two earlier processes: one left an entry pending, one left nothing.
    await t.redis.xgroup('CREATE', stream(), MESSAGE_CONSUMER_GROUP, '0', 'MKSTREAM');
    await appendMessages(t.redis, t.prefix, [chatMessage()]);
    await t.redis.xreadgroup('GROUP', MESSAGE_CONSUMER_GROUP, 'gone-with-entry', 'COUNT', 1, 'STREAMS', stream(), '>');
    await t.redis.xreadgroup('GROUP', MESSAGE_CONSUMER_GROUP, 'gone-empty', 'COUNT', 1, 'STREAMS', stream(), '0');
    worker = await startWorker(workerTestEnv(t.db.url, t.prefix));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await worker.consumer.pruneConsumers(20)).toEqual(['gone-empty']);
  });

  it('keeps partitions ready for the coming months', async () => {
    worker = await startWorker(workerTestEnv(t.db.url, t.prefix, { PARTITION_MONTHS_AHEAD: '5' }));
    const now = new Date();
    const expected = Array.from({ length: 6 }, (_, i) => {
      const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + i, 1));
      return `messages_${month.getUTCFullYear()}_${String(month.getUTCMonth() + 1).padStart(2, '0')}`;
    });
    const { rows } = await t.db.pool.query<{ name: string }>(
      "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'messages'::regclass",
    );
    expect(rows.map((r) => r.name)).toEqual(expect.arrayContaining(expected));
  });

  it('serves health, readiness and metrics with lag and batch sizes', async () => {
    worker = await startWorker(workerTestEnv(t.db.url, t.prefix));
    await appendMessages(t.redis, t.prefix, [chatMessage(), chatMessage()]);
    await waitFor('stored', async () => (await count()) === 2);
    const base = `http://127.0.0.1:${worker.port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^worker_stream_lag\{service="worker"\} 0$/m);
    expect(metrics).toMatch(/^worker_messages_stored_total\{service="worker"\} 2$/m);
    expect(metrics).toMatch(/^worker_batch_size_count\{service="worker"\} [1-9]/m);
  });

  async function metric(running: Worker, name: string): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${running.port}/metrics`)).text();
    const match = new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm').exec(text);
    return match ? Number(match[1]) : 0;
  }

  async function lastDelivered(): Promise<string> {
    const groups = (await t.redis.xinfo('GROUPS', stream())) as string[][];
    return groups[0][groups[0].indexOf('last-delivered-id') + 1];
  }

  async function lastEntry(): Promise<string> {
    const [[id]] = await t.redis.xrevrange(stream(), '+', '-', 'COUNT', 1);
    return id;
  }
});
