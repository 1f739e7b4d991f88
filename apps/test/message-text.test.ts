import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { checkMessageText, MESSAGE_STREAM_KEY, STREAM_MESSAGE_FIELD, type ChatMessage } from '@co-talk/common';
import type { Gateway } from '../gateway/src/gateway';
import { TestClient, cleanup, newPrefix, startGateway, testEnv, token } from '../gateway/test/support';
import { startWorker, type Worker } from '../worker/src/worker';
import { workerTestEnv } from '../worker/test/test-env';
import { createTestDatabase, TEST_REDIS_URL, type TestDatabase } from './support/databases';
import { messageTexts } from './support/message-texts';

/**
 * One generator of message texts through both sides of the message-text contract: the gateway
 * acks exactly the texts the contract accepts (and answers every other one with an error frame),
 * the worker stores what was acked into PostgreSQL byte for byte, and a text the contract refuses
 * that reaches the stream anyway (a gateway that skipped the check) is dead-lettered by the worker,
 * never stored altered.
 */
jest.setTimeout(180_000);

const prefix = newPrefix('message-text');
let db: TestDatabase;
let gateway: Gateway;
let worker: Worker;
let redis: Redis;
let client: TestClient;
const roomId = randomUUID();
const senderId = randomUUID();

beforeAll(async () => {
  db = await createTestDatabase();
  redis = new Redis(TEST_REDIS_URL);
  const unlimited = 1_000_000;
  gateway = await startGateway(
    testEnv(prefix, {
      GATEWAY_RATE_PER_SECOND: unlimited,
      GATEWAY_RATE_BURST: unlimited,
      GATEWAY_USER_MESSAGES_PER_SECOND: unlimited,
      GATEWAY_USER_MESSAGES_BURST: unlimited,
    }),
  );
  worker = await startWorker(workerTestEnv(db.url, prefix));
  client = await TestClient.connect(gateway.port, await token(senderId));
  await client.join(roomId);
}, 60_000);

afterAll(async () => {
  client?.close();
  await worker?.stop();
  await gateway?.close();
  await db?.drop();
  redis?.disconnect();
  await cleanup(prefix);
});

/** The stored text's bytes as PostgreSQL holds them, by message id. */
async function storedBytes(ids: readonly string[]): Promise<Map<string, string>> {
  const { rows } = await db.pool.query<{ id: string; hex: string }>(
    "SELECT id, encode(convert_to(content, 'UTF8'), 'hex') AS hex FROM messages WHERE id = ANY($1::uuid[])",
    [ids],
  );
  return new Map(rows.map((row) => [row.id, row.hex]));
}

async function waitUntil(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('the gateway acks exactly what the contract accepts, and the worker stores it byte-identical', async () => {
  const acked = new Map<string, string>(); // server id → text
  let sequence = 0;
  await fc.assert(
    fc.asyncProperty(messageTexts, async (text) => {
      const clientMsgId = `p-${sequence++}`;
      client.send({ type: 'send', roomId, clientMsgId, content: text });
      const answer = await client.next(
        (e) => (e.type === 'ack' || e.type === 'error') && (e.clientMsgId === clientMsgId || e.ref === clientMsgId),
      );
      const verdict = checkMessageText(text);
      if (verdict.ok) {
        expect(answer).toMatchObject({ type: 'ack', duplicate: false });
        acked.set(answer.id as string, text);
      } else {
        expect(answer).toMatchObject({ type: 'error', code: 'invalid_frame', message: `content: ${verdict.reason}` });
      }
    }),
    { numRuns: 300 },
  );
  expect(acked.size).toBeGreaterThan(0);

  const ids = [...acked.keys()];
  await waitUntil('the worker to store every acked message', async () => (await storedBytes(ids)).size === ids.length);
  const stored = await storedBytes(ids);
  for (const [id, text] of acked) expect(stored.get(id)).toBe(Buffer.from(text, 'utf8').toString('hex'));
});

test('a refused text that reaches the stream anyway is dead-lettered by the worker, never stored', async () => {
  const refused = fc
    .sample(messageTexts, { numRuns: 400, seed: 11 })
    .filter((text) => !checkMessageText(text).ok)
    .slice(0, 50);
  expect(refused.length).toBeGreaterThan(10);
  const messages: ChatMessage[] = refused.map((content) => ({
    id: randomUUID(),
    roomId,
    senderId,
    clientMsgId: randomUUID(),
    content,
    createdAt: new Date().toISOString(),
  }));
  const stream = `${prefix}${MESSAGE_STREAM_KEY}`;
  for (const message of messages) await redis.xadd(stream, '*', STREAM_MESSAGE_FIELD, JSON.stringify(message));

  const deadLetters = async () => {
    const entries = await redis.xrange(`${stream}:dead`, '-', '+');
    return entries.map(([, fields]) => fields[fields.indexOf('raw') + 1]);
  };
  const ids = new Set(messages.map((m) => m.id));
  const deadIds = async () =>
    (await deadLetters()).map((raw) => (JSON.parse(raw) as { id: string }).id).filter((id) => ids.has(id));
  await waitUntil('every refused text to be dead-lettered', async () => (await deadIds()).length === messages.length);
  expect((await storedBytes([...ids])).size).toBe(0);
});
