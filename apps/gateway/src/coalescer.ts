import { WebSocket } from 'ws';
import type { Connection } from './connection';

/** What the coalescer reports, for metrics. */
export interface CoalescerHooks {
  /** A frame carrying `events` events went out. */
  readonly onFrame: (events: number) => void;
  /** A consumer's socket buffer passed the limit and it was closed. */
  readonly onSlowConsumer: () => void;
}

/** A room as the coalescer sees it: its local members and the events queued for all of them. */
export interface RoomQueue {
  readonly members: ReadonlySet<Connection>;
  /** Events for every member, waiting for the next flush; null when nothing is queued. */
  pending: string[] | null;
}

/** Close code for a consumer that cannot keep up (RFC 6455 registry: "Try Again Later"). */
export const CLOSE_SLOW_CONSUMER = 1013;

/**
 * Queues events and writes them at the next flush, each queue as ONE frame (a JSON array):
 *
 * - a connection's own events (acks, errors, joined, ...) as one frame to that connection;
 * - a room's messages as one frame, encoded once and handed as the same bytes to every member.
 *
 * A busy room then costs one encoding per flush and one `send()` per member per flush instead of
 * one per message, which is what lets a process deliver hundreds of thousands of messages a
 * second. A connection's own events go out before its rooms' messages, so `joined` precedes the
 * room's traffic.
 */
export class Coalescer {
  private dirty: Connection[] = [];
  private dirtyRooms: RoomQueue[] = [];
  private scheduled = false;
  private lastFlushAt = 0;

  /**
   * @param maxBufferedBytes unsent bytes beyond which a consumer is closed as too slow.
   * @param minFlushIntervalMs flushes are at least this far apart: the first event after a quiet
   *   spell goes out on the next turn, while under load a turn's frame collects this long. Each
   *   frame costs a system call per member, so at 500,000 deliveries a second fewer, larger
   *   frames are what keep the process (and its clients) ahead.
   */
  constructor(
    private readonly maxBufferedBytes: number,
    private readonly hooks: CoalescerHooks,
    private readonly minFlushIntervalMs = 0,
  ) {}

  /** Queues a serialized event for `connection` alone. */
  enqueue(connection: Connection, event: string): void {
    if (connection.outbox === null) {
      connection.outbox = [event];
      this.dirty.push(connection);
      this.schedule();
    } else {
      connection.outbox.push(event);
    }
  }

  /** Queues a serialized event for every member of `room` (those it has when the flush runs). */
  enqueueRoom(room: RoomQueue, event: string): void {
    if (room.pending === null) {
      room.pending = [event];
      this.dirtyRooms.push(room);
      this.schedule();
    } else {
      room.pending.push(event);
    }
  }

  /**
   * Writes `connection`'s queued events now, ahead of the next flush: before a close, so the
   * events that explain it (acks, errors) reach the client first.
   */
  flushConnection(connection: Connection): void {
    const events = connection.outbox;
    connection.outbox = null;
    if (events !== null) this.write(connection, encode(events), events.length);
  }

  /** Writes every queued frame now. */
  readonly flush = (): void => {
    this.scheduled = false;
    this.lastFlushAt = performance.now();
    const dirty = this.dirty;
    const dirtyRooms = this.dirtyRooms;
    this.dirty = [];
    this.dirtyRooms = [];
    for (const connection of dirty) this.flushConnection(connection);
    for (const room of dirtyRooms) {
      const events = room.pending;
      room.pending = null;
      if (events === null || room.members.size === 0) continue;
      const frame = encode(events);
      for (const connection of room.members) this.write(connection, frame, events.length);
    }
  };

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const wait = this.lastFlushAt + this.minFlushIntervalMs - performance.now();
    if (wait <= 0) setImmediate(this.flush);
    else setTimeout(this.flush, wait);
  }

  private write(connection: Connection, frame: Buffer, events: number): void {
    const socket = connection.socket;
    if (socket.readyState !== WebSocket.OPEN) return;
    if (socket.bufferedAmount > this.maxBufferedBytes) {
      // The client reads slower than its rooms talk; holding more would grow memory without
      // bound. It reconnects and catches up from history.
      this.hooks.onSlowConsumer();
      socket.close(CLOSE_SLOW_CONSUMER, 'slow consumer: too much unread data');
      return;
    }
    socket.send(frame, TEXT_FRAME);
    this.hooks.onFrame(events);
  }
}

const TEXT_FRAME = { binary: false };

function encode(events: string[]): Buffer {
  return Buffer.from(events.length === 1 ? `[${events[0]}]` : `[${events.join(',')}]`);
}
