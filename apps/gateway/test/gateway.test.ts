import { randomUUID } from 'node:crypto';
import { MESSAGE_STREAM_KEY, STREAM_MESSAGE_FIELD, chatMessageSchema } from '@co-talk/common/chat-message';
import { createRedis, type RedisClient } from '@co-talk/common/redis';
import {
  ROOM_MEMBER_REMOVED_CHANNEL,
  ROOM_MEMBERS_LOADED,
  ROOM_MEMBERS_REBUILD_KEY,
  roomMembersKey,
} from '@co-talk/common/room-members';
import type { Gateway } from '../src/gateway';
import {
  REDIS_URL,
  TestClient,
  addMembers,
  cleanup,
  newPrefix,
  refusedStatus,
  startGateway,
  testEnv,
  token,
} from './support';

const prefix = newPrefix('gateway');
let gateway: Gateway;
let redis: RedisClient;

beforeAll(async () => {
  gateway = await startGateway(
    testEnv(prefix, { GATEWAY_RATE_PER_SECOND: 5, GATEWAY_RATE_BURST: 30, GATEWAY_RATE_STRIKES: 5 }),
  );
  redis = createRedis({ url: REDIS_URL });
});

afterAll(async () => {
  await gateway.close();
  await cleanup(prefix);
  redis.disconnect();
});

async function streamEntries(): Promise<Array<Record<string, unknown>>> {
  const entries = await redis.xrange(`${prefix}${MESSAGE_STREAM_KEY}`, '-', '+');
  return entries.map(([, fields]) => {
    expect(fields[0]).toBe(STREAM_MESSAGE_FIELD);
    return chatMessageSchema.parse(JSON.parse(fields[1]));
  });
}

/** A client for each user (two new users by default) on `port`, each joined to `roomId`. */
async function clientsInRoom(
  roomId: string,
  users = [randomUUID(), randomUUID()],
  port = gateway.port,
): Promise<TestClient[]> {
  const clients: TestClient[] = [];
  for (const user of users) clients.push(await TestClient.connect(port, await token(user)));
  for (const client of clients) await client.join(roomId);
  return clients;
}

describe('authentication on upgrade', () => {
  test('refuses an upgrade without a token with 401', async () => {
    expect(await refusedStatus(gateway.port)).toBe(401);
  });

  test('refuses a forged, expired or foreign token with 401', async () => {
    const forged = `${(await token()).slice(0, -4)}AAAA`;
    expect(await refusedStatus(gateway.port, { authorization: `Bearer ${forged}` })).toBe(401);
    expect(await refusedStatus(gateway.port, {}, '?access_token=not.a.jwt')).toBe(401);
  });

  test.each(['header', 'protocol', 'query'] as const)('accepts a valid token passed by %s', async (how) => {
    const client = await TestClient.connect(gateway.port, await token(), how);
    if (how === 'protocol') expect(client.socket.protocol).toBe('bearer');
    client.close();
  });
});

describe('bad frames', () => {
  let client: TestClient;
  beforeEach(async () => {
    client = await TestClient.connect(gateway.port, await token());
  });
  afterEach(() => client.close());

  test('garbage gets an error frame naming the problem and the connection stays up', async () => {
    client.send('{"type": "join", roomId');
    expect(await client.next((e) => e.type === 'error')).toMatchObject({ code: 'bad_json' });
    client.send({ type: 'join', roomId: 'lobby' });
    expect(await client.next((e) => e.type === 'error')).toMatchObject({
      code: 'invalid_frame',
      message: expect.stringMatching(/^roomId: /),
    });
    client.send({ type: 'teleport' });
    expect(await client.next((e) => e.type === 'error')).toMatchObject({ code: 'invalid_frame' });
    client.socket.send(Buffer.from([0, 1, 2, 3]));
    expect(await client.next((e) => e.type === 'error')).toMatchObject({ code: 'binary_not_supported' });
    await client.join(randomUUID());
    expect(client.closeCode).toBeNull();
  });

  test('an oversized frame gets frame_too_large with the limit and the connection stays up', async () => {
    client.send({ type: 'send', roomId: randomUUID(), clientMsgId: 'big', content: 'x'.repeat(20_000) });
    const error = await client.next((e) => e.type === 'error');
    expect(error).toMatchObject({ code: 'frame_too_large', message: expect.stringMatching(/limit is 16384/) });
    await client.join(randomUUID());
  });

  test('a frame far above the limit is not read: ws closes with 1009', async () => {
    client.send('x'.repeat(16_384 * 4 + 1));
    expect(await client.closed).toBe(1009);
  });

  test('sending to a room not joined is refused', async () => {
    client.send({ type: 'send', roomId: randomUUID(), clientMsgId: 'c1', content: 'hi' });
    expect(await client.next((e) => e.type === 'error')).toMatchObject({ code: 'not_joined', ref: 'c1' });
  });
});

describe('rate limit', () => {
  test('over the rate gets rate_limited errors, then repeated abuse closes with 1008', async () => {
    const client = await TestClient.connect(gateway.port, await token());
    const roomId = randomUUID();
    for (let i = 0; i < 60; i++) client.send({ type: 'leave', roomId });
    expect(await client.next((e) => e.type === 'error' && e.code === 'rate_limited')).toMatchObject({
      message: expect.stringMatching(/5 frames per second/),
    });
    expect(await client.closed).toBe(1008);
    expect(client.closeReason).toBe('rate limit exceeded');
  });
});

describe('token expiry', () => {
  test('a connection whose token has expired is closed with 1008 at its next frame', async () => {
    // `exp` has whole seconds: a 2-second token is valid for at least one more second after signing.
    const client = await TestClient.connect(gateway.port, await token(randomUUID(), 2));
    await client.join(randomUUID());
    await new Promise((resolve) => setTimeout(resolve, 2100));
    client.send({ type: 'leave', roomId: randomUUID() });
    expect(await client.closed).toBe(1008);
    expect(client.closeReason).toBe('token expired');
  });
});

describe('messages', () => {
  test('a message is acked with a UUIDv7 server id after it is in the stream, and fanned out to the room', async () => {
    const roomId = randomUUID();
    const senderId = randomUUID();
    const [sender, member] = await clientsInRoom(roomId, [senderId, randomUUID()]);
    sender.send({ type: 'send', roomId, clientMsgId: 'm-1', content: 'hello room' });
    const ack = await sender.next((e) => e.type === 'ack');
    expect(ack).toMatchObject({
      clientMsgId: 'm-1',
      duplicate: false,
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7/),
    });
    const delivered = await member.next((e) => e.type === 'message');
    expect(delivered.message).toEqual({
      id: ack.id,
      roomId,
      senderId,
      clientMsgId: 'm-1',
      content: 'hello room',
      createdAt: ack.createdAt,
    });
    expect((await streamEntries()).filter((m) => m.id === ack.id)).toHaveLength(1);
    sender.close();
    member.close();
  });

  test('a resend with the same clientMsgId is acked with the original id and stored once', async () => {
    const roomId = randomUUID();
    const client = await TestClient.connect(gateway.port, await token());
    await client.join(roomId);
    client.send({ type: 'send', roomId, clientMsgId: 'once', content: 'first' });
    const first = await client.next((e) => e.type === 'ack');
    client.send({ type: 'send', roomId, clientMsgId: 'once', content: 'first' });
    const second = await client.next((e) => e.type === 'ack');
    expect(second).toMatchObject({ id: first.id, createdAt: first.createdAt, duplicate: true });
    expect((await streamEntries()).filter((m) => m.roomId === roomId)).toHaveLength(1);
    client.close();
  });

  test('the same clientMsgId from another user is another message', async () => {
    const roomId = randomUUID();
    const [alice, bob] = await clientsInRoom(roomId);
    alice.send({ type: 'send', roomId, clientMsgId: 'same', content: 'a' });
    bob.send({ type: 'send', roomId, clientMsgId: 'same', content: 'b' });
    const [a, b] = await Promise.all([alice.next((e) => e.type === 'ack'), bob.next((e) => e.type === 'ack')]);
    expect(a.duplicate).toBe(false);
    expect(b.duplicate).toBe(false);
    expect(a.id).not.toBe(b.id);
    alice.close();
    bob.close();
  });

  test('a member that left gets nothing more from the room', async () => {
    const roomId = randomUUID();
    const [sender, leaver] = await clientsInRoom(roomId);
    leaver.send({ type: 'leave', roomId });
    await leaver.next((e) => e.type === 'left');
    sender.send({ type: 'send', roomId, clientMsgId: 'after-leave', content: 'x' });
    await sender.next((e) => e.type === 'message');
    // The sender's own copy has arrived, so the leaver's would have too.
    expect(leaver.events.filter((e) => e.type === 'message')).toEqual([]);
    sender.close();
    leaver.close();
  });
});

describe('room membership', () => {
  test('a member removed through the API is taken out of the room on every connection at once', async () => {
    const roomId = randomUUID();
    const removedUser = randomUUID();
    const [staying, phone, laptop] = await clientsInRoom(roomId, [randomUUID(), removedUser, removedUser]);

    // What the API does on a removal: out of the set, then announced.
    await redis.srem(`${prefix}${roomMembersKey(roomId)}`, removedUser);
    await redis.publish(`${prefix}${ROOM_MEMBER_REMOVED_CHANNEL}`, JSON.stringify({ roomId, userId: removedUser }));
    for (const device of [phone, laptop]) {
      expect(await device.next((e) => e.type === 'left')).toEqual({ type: 'left', roomId, reason: 'removed' });
    }

    staying.send({ type: 'send', roomId, clientMsgId: 'after-removal', content: 'x' });
    await staying.next((e) => e.type === 'message');
    phone.send({ type: 'send', roomId, clientMsgId: 'still-here', content: 'y' });
    expect((await phone.next((e) => e.type === 'error')).code).toBe('not_joined');
    phone.send({ type: 'join', roomId });
    expect((await phone.next((e) => e.type === 'error')).code).toBe('not_a_member');
    // The staying member's own copy has arrived, so the removed user's would have too.
    expect([...phone.events, ...laptop.events].filter((e) => e.type === 'message')).toEqual([]);
    for (const client of [staying, phone, laptop]) client.close();
  });

  test('a malformed removal notice is ignored and the gateway keeps serving', async () => {
    const roomId = randomUUID();
    const member = await TestClient.connect(gateway.port, await token());
    await member.join(roomId);
    await redis.publish(`${prefix}${ROOM_MEMBER_REMOVED_CHANNEL}`, 'not json');
    await redis.publish(`${prefix}${ROOM_MEMBER_REMOVED_CHANNEL}`, JSON.stringify({ roomId }));
    member.send({ type: 'send', roomId, clientMsgId: 'still-in', content: 'z' });
    await member.next((e) => e.type === 'message');
    expect(member.events.filter((e) => e.type === 'left')).toEqual([]);
    member.close();
  });

  test("a non-member cannot join (not_a_member, the connection stays up) and gets none of the room's messages", async () => {
    const roomId = randomUUID();
    const member = await TestClient.connect(gateway.port, await token());
    const outsider = await TestClient.connect(gateway.port, await token());
    await member.join(roomId);
    outsider.send({ type: 'join', roomId });
    expect(await outsider.next((e) => e.type === 'error')).toMatchObject({ code: 'not_a_member', ref: roomId });
    outsider.send({ type: 'send', roomId, clientMsgId: 'sneak', content: 'let me in' });
    expect(await outsider.next((e) => e.type === 'error')).toMatchObject({ code: 'not_joined', ref: 'sneak' });
    member.send({ type: 'send', roomId, clientMsgId: 'private', content: 'members only' });
    await member.next((e) => e.type === 'message');
    // The outsider's connection is up and answers, and has seen no message of the room.
    await outsider.join(randomUUID());
    expect(outsider.events.filter((e) => e.type === 'message')).toEqual([]);
    expect(outsider.closeCode).toBeNull();
    member.close();
    outsider.close();
  });

  test("a user added to the room's set can join right away", async () => {
    const roomId = randomUUID();
    const userId = randomUUID();
    const client = await TestClient.connect(gateway.port, await token(userId));
    await addMembers(roomId, randomUUID());
    client.send({ type: 'join', roomId });
    expect(await client.next((e) => e.type === 'error')).toMatchObject({ code: 'not_a_member' });
    await redis.sadd(`${prefix}${roomMembersKey(roomId)}`, userId);
    client.send({ type: 'join', roomId });
    await client.next((e) => e.type === 'joined' && e.roomId === roomId);
    client.close();
  });

  test('a room not mirrored yet is requested from the API once, and the join waits for the rebuilt set', async () => {
    const roomId = randomUUID();
    const userId = randomUUID();
    const [first, second] = await Promise.all(
      [1, 2].map(async () => TestClient.connect(gateway.port, await token(userId))),
    );
    first.send({ type: 'join', roomId });
    second.send({ type: 'join', roomId });
    // Acting as the API: take the request, write the set from "the database".
    const popped = await redis.blpop(`${prefix}${ROOM_MEMBERS_REBUILD_KEY}`, 5);
    expect(popped?.[1]).toBe(roomId);
    await redis.sadd(`${prefix}${roomMembersKey(roomId)}`, ROOM_MEMBERS_LOADED, userId);
    await first.next((e) => e.type === 'joined' && e.roomId === roomId);
    await second.next((e) => e.type === 'joined' && e.roomId === roomId);
    expect(await redis.llen(`${prefix}${ROOM_MEMBERS_REBUILD_KEY}`)).toBe(0);
    first.close();
    second.close();
  });

  test('a room whose set nobody rebuilds gets unavailable, not a silent join', async () => {
    const roomId = randomUUID();
    const client = await TestClient.connect(gateway.port, await token());
    client.send({ type: 'join', roomId });
    expect(await client.next((e) => e.type === 'error')).toMatchObject({ code: 'unavailable', ref: roomId });
    client.close();
  });
});

describe('slow consumers', () => {
  test('a client that stops reading is closed with 1013 once its buffer passes the limit', async () => {
    const slowPrefix = newPrefix('slow');
    const small = await startGateway(
      testEnv(slowPrefix, {
        GATEWAY_MAX_BUFFERED_BYTES: 64 * 1024,
        GATEWAY_RATE_PER_SECOND: 10_000,
        GATEWAY_RATE_BURST: 10_000,
        GATEWAY_USER_MESSAGES_PER_SECOND: 10_000,
        GATEWAY_USER_MESSAGES_BURST: 10_000,
        GATEWAY_ADDRESS_MESSAGES_PER_SECOND: 10_000,
        GATEWAY_ADDRESS_MESSAGES_BURST: 10_000,
      }),
    );
    try {
      const roomId = randomUUID();
      const [sender, slow] = await clientsInRoom(roomId, [randomUUID(), randomUUID()], small.port);
      // Stop reading: the kernel buffers fill, then ws queues in bufferedAmount.
      (slow.socket as unknown as { _socket: { pause(): void } })._socket.pause();
      const content = 'y'.repeat(3000);
      const slowCloses = async () =>
        (await small.metrics.closes.get()).values.find((v) => v.labels.code === '1013')?.value ?? 0;
      // Batches of 50, waiting for each batch's acks, until the gateway gives up on the reader.
      for (let batch = 0; batch < 100 && (await slowCloses()) === 0; batch++) {
        for (let i = 0; i < 50; i++) sender.send({ type: 'send', roomId, clientMsgId: `s-${batch}-${i}`, content });
        for (let i = 0; i < 50; i++) await sender.next((e) => e.type === 'ack');
      }
      expect(await slowCloses()).toBe(1);
      // The sender, reading normally, was never affected.
      expect(sender.closeCode).toBeNull();
      sender.close();
      slow.close();
    } finally {
      await small.close();
      await cleanup(slowPrefix);
    }
  }, 60_000);
});

describe('probes', () => {
  test('/readyz is ready with Redis up and /metrics has the gateway series', async () => {
    const base = `http://127.0.0.1:${gateway.probePort}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    for (const name of [
      'gateway_connections',
      'gateway_messages_in_total',
      'gateway_messages_out_total',
      'gateway_fanout_latency_seconds_bucket',
      'gateway_errors_total',
    ]) {
      expect(metrics).toContain(name);
    }
  });
});
