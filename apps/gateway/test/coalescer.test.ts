import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import { CLOSE_SLOW_CONSUMER, Coalescer, type RoomQueue } from '../src/coalescer';
import { Connection } from '../src/connection';

/** A socket that records what it is handed; only the coalescer's side is under test here. */
function recorder(bufferedAmount = 0) {
  const frames: Buffer[] = [];
  const closes: number[] = [];
  const socket = {
    readyState: 1,
    bufferedAmount,
    send: (data: Buffer) => frames.push(data),
    close(code: number) {
      closes.push(code);
      this.readyState = 2;
    },
  };
  const connection = new Connection(socket as unknown as WebSocket, randomUUID(), Infinity, 10, '127.0.0.1');
  return { connection, socket, frames, closes, events: () => frames.map((f) => JSON.parse(String(f)) as unknown) };
}

function coalescer(minFlushIntervalMs = 0) {
  const frameSizes: number[] = [];
  let slow = 0;
  const instance = new Coalescer(
    1000,
    { onFrame: (events) => frameSizes.push(events), onSlowConsumer: () => (slow += 1) },
    minFlushIntervalMs,
  );
  return { instance, frameSizes, slow: () => slow };
}

const room = (...members: Connection[]): RoomQueue => ({ members: new Set(members), pending: null });

test("a room's messages of one turn go out as one frame, encoded once and shared by every member", () => {
  const { instance, frameSizes } = coalescer();
  const [a, b, c] = [recorder(), recorder(), recorder()];
  const busy = room(a.connection, b.connection, c.connection);
  instance.enqueueRoom(busy, '{"n":1}');
  instance.enqueueRoom(busy, '{"n":2}');
  instance.flush();
  for (const member of [a, b, c]) expect(member.events()).toEqual([[{ n: 1 }, { n: 2 }]]);
  expect(b.frames[0]).toBe(a.frames[0]);
  expect(c.frames[0]).toBe(a.frames[0]);
  expect(frameSizes).toEqual([2, 2, 2]);
});

test("a connection's own events go out before its room's messages, each queue as one frame", () => {
  const { instance } = coalescer();
  const [sender, other] = [recorder(), recorder()];
  const busy = room(sender.connection, other.connection);
  instance.enqueueRoom(busy, '{"type":"message"}');
  instance.enqueue(sender.connection, '{"type":"ack"}');
  instance.enqueue(sender.connection, '{"type":"error"}');
  instance.flush();
  expect(sender.events()).toEqual([[{ type: 'ack' }, { type: 'error' }], [{ type: 'message' }]]);
  expect(other.events()).toEqual([[{ type: 'message' }]]);
});

test('a member that left during the turn gets nothing more; a flush with nothing queued writes nothing', () => {
  const { instance } = coalescer();
  const [stays, leaves] = [recorder(), recorder()];
  const busy = room(stays.connection, leaves.connection);
  instance.enqueueRoom(busy, '{"n":1}');
  (busy.members as Set<Connection>).delete(leaves.connection);
  instance.flush();
  instance.flush();
  expect(stays.events()).toEqual([[{ n: 1 }]]);
  expect(leaves.frames).toEqual([]);
});

test('queues flush by themselves on the next turn', async () => {
  const { instance } = coalescer();
  const member = recorder();
  instance.enqueueRoom(room(member.connection), '{"n":1}');
  instance.enqueue(member.connection, '{"n":0}');
  expect(member.frames).toEqual([]);
  await new Promise((resolve) => setImmediate(resolve));
  expect(member.events()).toEqual([[{ n: 0 }], [{ n: 1 }]]);
});

test('after a flush, the next one waits for the interval and carries everything queued meanwhile', async () => {
  const { instance } = coalescer(80);
  const member = recorder();
  const busy = room(member.connection);
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
  instance.enqueueRoom(busy, '{"n":1}');
  await nextTurn();
  expect(member.events()).toEqual([[{ n: 1 }]]);
  const flushedAt = performance.now();
  instance.enqueueRoom(busy, '{"n":2}');
  instance.enqueueRoom(busy, '{"n":3}');
  await nextTurn();
  expect(member.frames).toHaveLength(1);
  while (member.frames.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(performance.now() - flushedAt).toBeGreaterThanOrEqual(75);
  expect(member.events()).toEqual([[{ n: 1 }], [{ n: 2 }, { n: 3 }]]);
});

test('a consumer with more unread bytes than the limit is closed with 1013, the others still get the frame', () => {
  const { instance, slow } = coalescer();
  const [reader, laggard] = [recorder(), recorder(5000)];
  instance.enqueueRoom(room(laggard.connection, reader.connection), '{"n":1}');
  instance.enqueue(laggard.connection, '{"n":0}');
  instance.flush();
  expect(laggard.closes).toEqual([CLOSE_SLOW_CONSUMER]);
  expect(laggard.frames).toEqual([]);
  expect(reader.events()).toEqual([[{ n: 1 }]]);
  expect(slow()).toBe(1);
});

test("flushConnection writes one connection's queued events at once, and the next flush does not repeat them", () => {
  const { instance } = coalescer();
  const [closing, other] = [recorder(), recorder()];
  instance.enqueue(closing.connection, '{"type":"error"}');
  instance.enqueue(other.connection, '{"type":"ack"}');
  instance.flushConnection(closing.connection);
  expect(closing.events()).toEqual([[{ type: 'error' }]]);
  expect(other.events()).toEqual([]);
  instance.flush();
  expect(closing.events()).toEqual([[{ type: 'error' }]]);
  expect(other.events()).toEqual([[{ type: 'ack' }]]);
});
