import { randomUUID } from 'node:crypto';
import { MESSAGE_STREAM_KEY } from '@co-talk/common/chat-message';
import { createRedis, type RedisClient } from '@co-talk/common/redis';
import type { GatewayEnv } from '../src/config';
import type { Gateway } from '../src/gateway';
import { REDIS_URL, TestClient, cleanup, newPrefix, refusedStatus, startGateway, testEnv, token } from './support';

/**
 * Limits that hold across connections and instances: two gateways share one Redis namespace (as
 * the instances of one deployment do), and a user or address is counted over both.
 */

let redis: RedisClient;
const started: Array<{ gateways: Gateway[]; prefix: string }> = [];

beforeAll(() => {
  redis = createRedis({ url: REDIS_URL });
});

afterAll(async () => {
  for (const { gateways, prefix } of started) {
    await Promise.all(gateways.map((gateway) => gateway.close()));
    await cleanup(prefix);
  }
  redis.disconnect();
});

/** Two instances of one deployment with the given limits. */
async function deployment(name: string, overrides: Partial<GatewayEnv>): Promise<[Gateway, Gateway, string]> {
  const prefix = newPrefix(name);
  const env = testEnv(prefix, overrides);
  const gateways = await Promise.all([startGateway(env), startGateway(env)]);
  started.push({ gateways, prefix });
  return [gateways[0], gateways[1], prefix];
}

async function storedIds(prefix: string, senderId: string): Promise<string[]> {
  const entries = await redis.xrange(`${prefix}${MESSAGE_STREAM_KEY}`, '-', '+');
  return entries
    .map(([, fields]) => JSON.parse(fields[1]) as { id: string; senderId: string })
    .filter((m) => m.senderId === senderId)
    .map((m) => m.id);
}

/** Sends and collects exactly one answer (ack or error) per message. */
async function answers(client: TestClient, clientMsgIds: string[]) {
  return Promise.all(
    clientMsgIds.map((id) =>
      client.next((e) => (e.type === 'ack' && e.clientMsgId === id) || (e.type === 'error' && e.ref === id)),
    ),
  );
}

/**
 * Joins every client to the room, then has each send `perClient` messages at once (ids tagged
 * `tag`); answers all their answers.
 */
async function sendAtOnce(clients: TestClient[], roomId: string, perClient: number, tag: string) {
  for (const client of clients) await client.join(roomId);
  const ids = clients.map((_, c) => Array.from({ length: perClient }, (_, i) => `${tag}${c}-${i}`));
  clients.forEach((client, c) => {
    for (const clientMsgId of ids[c]) client.send({ type: 'send', roomId, clientMsgId, content: tag });
  });
  return (await Promise.all(clients.map((client, c) => answers(client, ids[c])))).flat();
}

describe('connections', () => {
  test('per user, over both instances: the fourth of three is refused with 429 until one closes', async () => {
    const [a, b] = await deployment('conn-user', { GATEWAY_USER_CONNECTIONS_MAX: 3 });
    const userToken = await token(randomUUID());
    const open = [
      await TestClient.connect(a.port, userToken),
      await TestClient.connect(b.port, userToken),
      await TestClient.connect(a.port, userToken),
    ];
    for (const port of [a.port, b.port]) {
      expect(await refusedStatus(port, { authorization: `Bearer ${userToken}` })).toBe(429);
    }
    // Another user is not affected.
    (await TestClient.connect(b.port, await token())).close();
    open[0].close();
    const deadline = Date.now() + 5000;
    let again: TestClient | null = null;
    while (again === null && Date.now() < deadline) {
      again = await TestClient.connect(b.port, userToken).catch(() => null);
      if (again === null) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(again).not.toBeNull();
    for (const client of [...open, again!]) client.close();
  });

  test('per source address, over both instances, whoever the users are', async () => {
    const [a, b] = await deployment('conn-address', { GATEWAY_ADDRESS_CONNECTIONS_MAX: 4 });
    const open = await Promise.all(
      [a, b, a, b].map(async (gateway) => TestClient.connect(gateway.port, await token())),
    );
    expect(await refusedStatus(a.port, { authorization: `Bearer ${await token()}` })).toBe(429);
    for (const client of open) client.close();
  });
});

describe('messages', () => {
  test('per user over four connections on two instances: only the burst is stored, the rest refused, each answered', async () => {
    const [a, b, prefix] = await deployment('msg-user', {
      GATEWAY_USER_MESSAGES_PER_SECOND: 2,
      GATEWAY_USER_MESSAGES_BURST: 10,
      GATEWAY_RATE_BURST: 100,
      GATEWAY_RATE_STRIKES: 100,
    });
    const userId = randomUUID();
    const roomId = randomUUID();
    const clients = await Promise.all(
      [a, b, a, b].map(async (gateway) => TestClient.connect(gateway.port, await token(userId))),
    );
    const all = await sendAtOnce(clients, roomId, 10, 'u');
    const acked = all.filter((e) => e.type === 'ack');
    const limited = all.filter((e) => e.type === 'error');
    // 10 at once, plus what 2 per second refill while the 40 arrive.
    expect(acked.length).toBeGreaterThanOrEqual(10);
    expect(acked.length).toBeLessThanOrEqual(12);
    expect(limited.length).toBe(40 - acked.length);
    for (const error of limited) {
      expect(error).toMatchObject({ code: 'rate_limited', message: expect.stringMatching(/per user; not stored/) });
    }
    expect((await storedIds(prefix, userId)).sort()).toEqual(acked.map((e) => e.id as string).sort());
    for (const client of clients) client.close();
  });

  test('per source address: users behind one address share its rate', async () => {
    const [a, b, prefix] = await deployment('msg-address', {
      GATEWAY_ADDRESS_MESSAGES_PER_SECOND: 1,
      GATEWAY_ADDRESS_MESSAGES_BURST: 4,
    });
    const roomId = randomUUID();
    const users = [randomUUID(), randomUUID()];
    const clients = [
      await TestClient.connect(a.port, await token(users[0])),
      await TestClient.connect(b.port, await token(users[1])),
    ];
    const all = await sendAtOnce(clients, roomId, 4, 'a');
    const acked = all.filter((e) => e.type === 'ack');
    expect(acked.length).toBeGreaterThanOrEqual(4);
    expect(acked.length).toBeLessThanOrEqual(5);
    expect(all.filter((e) => e.type === 'error' && /per address/.test(e.message as string))).toHaveLength(
      8 - acked.length,
    );
    const stored = [...(await storedIds(prefix, users[0])), ...(await storedIds(prefix, users[1]))];
    expect(stored.sort()).toEqual(acked.map((e) => e.id as string).sort());
    for (const client of clients) client.close();
  });

  test('a flooding connection is closed with 1008, and only after every accepted frame got its answer', async () => {
    const [a, , prefix] = await deployment('flood', {
      GATEWAY_RATE_PER_SECOND: 5,
      GATEWAY_RATE_BURST: 30,
      GATEWAY_RATE_STRIKES: 5,
      GATEWAY_USER_MESSAGES_PER_SECOND: 1000,
      GATEWAY_USER_MESSAGES_BURST: 1000,
    });
    const userId = randomUUID();
    const roomId = randomUUID();
    const flooder = await TestClient.connect(a.port, await token(userId));
    await flooder.join(roomId);
    for (let i = 0; i < 200; i++) flooder.send({ type: 'send', roomId, clientMsgId: `f-${i}`, content: 'flood' });
    expect(await flooder.closed).toBe(1008);
    const acked = flooder.events.filter((e) => e.type === 'ack').map((e) => e.id as string);
    expect(acked.length).toBeGreaterThan(0);
    // Nothing stored without its ack reaching the sender before the close.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await storedIds(prefix, userId)).sort()).toEqual(acked.sort());
    // Every frame is accounted for: acked, refused with an error, or arrived after the close decision.
    const refused = flooder.events.filter((e) => e.type === 'error' && e.code === 'rate_limited');
    expect(refused.length).toBeGreaterThanOrEqual(4);
  });
});
