import { randomUUID } from 'node:crypto';
import { createRedis, type RedisClient } from '@co-talk/common/redis';
import { ROOM_MEMBER_REMOVED_CHANNEL } from '@co-talk/common/room-members';
import type { Gateway } from '../src/gateway';
import { REDIS_URL, TestClient, cleanup, newPrefix, startGateway, testEnv, token } from './support';

const prefixA = newPrefix('fanout-a');
const prefixB = newPrefix('fanout-b');
let a: Gateway;
let b: Gateway;
let admin: RedisClient;

beforeAll(async () => {
  // Two instances with their own connection names (the prefix is in the name) but one stream
  // namespace would be the production shape; here each has its prefix so CLIENT KILL can pick B.
  [a, b] = await Promise.all([startGateway(testEnv(prefixA)), startGateway(testEnv(prefixB))]);
  admin = createRedis({ url: REDIS_URL });
});

afterAll(async () => {
  await Promise.all([a.close(), b.close()]);
  await Promise.all([cleanup(prefixA), cleanup(prefixB)]);
  admin.disconnect();
});

async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Members on both instances, one sender on A: everyone gets every message exactly once. */
async function exchange(roomId: string, count: number): Promise<void> {
  const sender = await TestClient.connect(a.port, await token());
  const onA = await TestClient.connect(a.port, await token());
  const onB = await Promise.all([1, 2, 3].map(async () => TestClient.connect(b.port, await token())));
  await Promise.all([sender, onA, ...onB].map((client) => client.join(roomId)));
  const sent: string[] = [];
  for (let i = 0; i < count; i++) {
    const clientMsgId = `${roomId}-${i}`;
    sender.send({ type: 'send', roomId, clientMsgId, content: `message ${i}` });
    const ack = await sender.next((e) => e.type === 'ack' && e.clientMsgId === clientMsgId);
    sent.push(ack.id as string);
  }
  for (const client of [onA, ...onB]) {
    const got: string[] = [];
    for (let i = 0; i < count; i++)
      got.push(((await client.next((e) => e.type === 'message')).message as { id: string }).id);
    expect(got).toEqual(sent);
    expect(client.events.filter((e) => e.type === 'message')).toEqual([]);
  }
  for (const client of [sender, onA, ...onB]) client.close();
}

test('a message sent on one instance reaches the room members on both, in order', async () => {
  await exchange(randomUUID(), 20);
});

test('after its Redis connections are killed, an instance reconnects, resubscribes and fan-out resumes', async () => {
  const roomId = randomUUID();
  const member = await TestClient.connect(b.port, await token());
  await member.join(roomId);
  const nameB = `gateway-${prefixB.replace(/:/g, '-')}`;
  const clients = String(await admin.client('LIST'))
    .split('\n')
    .filter((line) => line.includes(` name=${nameB}`));
  // streams, pub, sub, members, members-sub
  expect(clients).toHaveLength(5);
  for (const line of clients) await admin.client('KILL', 'ID', /id=(\d+)/.exec(line)![1]);
  await waitFor(() => !b.isReady(), 'B to notice the dropped connections');
  await waitFor(() => b.isReady(), 'B to reconnect');

  // The room B's member joined before the drop is subscribed again.
  const sender = await TestClient.connect(a.port, await token());
  await sender.join(roomId);
  sender.send({ type: 'send', roomId, clientMsgId: 'after-drop', content: 'still here?' });
  const ack = await sender.next((e) => e.type === 'ack');
  const delivered = await member.next((e) => e.type === 'message');
  expect((delivered.message as { id: string }).id).toBe(ack.id);
  // Removal announcements are followed again too.
  const removal = JSON.stringify({ roomId, userId: member.userId });
  await admin.publish(`${prefixB}${ROOM_MEMBER_REMOVED_CHANNEL}`, removal);
  expect(await member.next((e) => e.type === 'left')).toEqual({ type: 'left', roomId, reason: 'removed' });
  sender.close();
  member.close();

  // And new rooms work as before.
  await exchange(randomUUID(), 5);
});
