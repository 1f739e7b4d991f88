import { randomUUID } from 'node:crypto';
import { createRedis, type RedisClient } from '@co-talk/common/redis';
import type { WebSocket } from 'ws';
import { Coalescer } from '../src/coalescer';
import { Connection } from '../src/connection';
import { MessageStore } from '../src/message-store';
import { Rooms } from '../src/rooms';
import { REDIS_URL, cleanup, newPrefix } from './support';

/**
 * The cluster-mode path (SSUBSCRIBE, SPUBLISH, 'smessage') against the local Redis 7, which
 * serves sharded pub/sub on a standalone node too. The Redis side is real; the socket is a
 * recorder, since only what the rooms hand to it is under test here.
 */

const prefix = newPrefix('sharded');
let subscriber: RedisClient;
let commands: RedisClient;

beforeAll(() => {
  subscriber = createRedis({ url: REDIS_URL });
  commands = createRedis({ url: REDIS_URL });
});

afterAll(async () => {
  subscriber.disconnect();
  commands.disconnect();
  await cleanup(prefix);
});

function recordingConnection(): { connection: Connection; frames: string[] } {
  const frames: string[] = [];
  const socket = { readyState: 1, bufferedAmount: 0, send: (data: Buffer) => frames.push(String(data)) };
  return {
    connection: new Connection(socket as unknown as WebSocket, randomUUID(), Infinity, 10, '127.0.0.1'),
    frames,
  };
}

test('a message stored with SPUBLISH reaches the members subscribed with SSUBSCRIBE, and no one else', async () => {
  const coalescer = new Coalescer(1 << 20, { onFrame: () => undefined, onSlowConsumer: () => undefined });
  const fanouts: number[] = [];
  const rooms = new Rooms(subscriber, true, coalescer, { onFanout: (members) => fanouts.push(members) });
  const store = new MessageStore(commands, commands, {
    keyPrefix: prefix,
    idempotencyTtlSeconds: 60,
    streamMaxLen: 1000,
    sharded: true,
    perUser: { perSecond: 10, burst: 10 },
    perAddress: { perSecond: 10, burst: 10 },
  });
  const roomId = randomUUID();
  const member = recordingConnection();
  const outsider = recordingConnection();
  await rooms.join(member.connection, roomId);
  await rooms.join(outsider.connection, randomUUID());

  const accepted = await store.accept({
    senderId: randomUUID(),
    address: '127.0.0.1',
    roomId,
    clientMsgId: 'c-1',
    content: 'over a shard channel',
  });
  if (accepted.kind !== 'stored') throw new Error(`not stored: ${JSON.stringify(accepted)}`);
  expect(accepted.published).toBe(true);
  const deadline = Date.now() + 5000;
  while (member.frames.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));

  expect(member.frames.map((frame) => JSON.parse(frame))).toEqual([
    [{ type: 'message', message: JSON.parse(accepted.json!) }],
  ]);
  expect(outsider.frames).toEqual([]);
  expect(fanouts).toEqual([1]);
  const channels = (await commands.call('PUBSUB', 'SHARDCHANNELS', `chat:room:{${roomId}}`)) as string[];
  expect(channels).toEqual([`chat:room:{${roomId}}`]);

  rooms.leave(member.connection, roomId);
  rooms.leaveAll(outsider.connection);
  const emptied = Date.now() + 5000;
  while (Date.now() < emptied) {
    if (((await commands.call('PUBSUB', 'SHARDCHANNELS', `chat:room:{${roomId}}`)) as string[]).length === 0) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  expect(await commands.call('PUBSUB', 'SHARDCHANNELS', `chat:room:{${roomId}}`)).toEqual([]);
  expect(rooms.size).toBe(0);
});
