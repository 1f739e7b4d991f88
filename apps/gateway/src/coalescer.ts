import { WebSocket } from 'ws';
import type { Connection } from './connection';

/** What the coalescer reports, for metrics. */
export interface CoalescerHooks {
  /** A frame carrying `events` events went out. */
  readonly onFrame: (events: number) => void;
  /** A consumer's socket buffer passed the limit and it was closed. */
  readonly onSlowConsumer: () => void;
}

/** Close code for a consumer that cannot keep up (RFC 6455 registry: "Try Again Later"). */
export const CLOSE_SLOW_CONSUMER = 1013;

/**
 * Queues events per connection and writes each connection's queue as ONE frame (a JSON array)
 * once per event-loop turn. A busy room then costs one `send()` per member per turn instead of
 * one per message, which is what lets a process deliver hundreds of thousands of messages a
 * second.
 */
export class Coalescer {
  private dirty: Connection[] = [];
  private scheduled = false;

  constructor(
    private readonly maxBufferedBytes: number,
    private readonly hooks: CoalescerHooks,
  ) {}

  /** Queues a serialized event for `connection`. */
  enqueue(connection: Connection, event: string): void {
    if (connection.outbox === null) {
      connection.outbox = [event];
      this.dirty.push(connection);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.flush);
      }
    } else {
      connection.outbox.push(event);
    }
  }

  /** Writes every queued frame now. */
  readonly flush = (): void => {
    this.scheduled = false;
    const dirty = this.dirty;
    this.dirty = [];
    // Members of a room queue the same events in the same order, so consecutive connections often
    // get an identical frame: encode it once and hand every socket the same bytes.
    let lastEvents: string[] | null = null;
    let lastFrame: Buffer | null = null;
    for (const connection of dirty) {
      const events = connection.outbox;
      connection.outbox = null;
      const socket = connection.socket;
      if (events === null || socket.readyState !== WebSocket.OPEN) continue;
      if (socket.bufferedAmount > this.maxBufferedBytes) {
        // The client reads slower than its rooms talk; holding more would grow memory without
        // bound. It reconnects and catches up from history.
        this.hooks.onSlowConsumer();
        socket.close(CLOSE_SLOW_CONSUMER, 'slow consumer: too much unread data');
        continue;
      }
      if (lastFrame === null || !sameEvents(events, lastEvents!)) {
        lastFrame = Buffer.from(events.length === 1 ? `[${events[0]}]` : `[${events.join(',')}]`);
        lastEvents = events;
      }
      socket.send(lastFrame, TEXT_FRAME);
      this.hooks.onFrame(events.length);
    }
  };
}

const TEXT_FRAME = { binary: false };

/** Same events in the same order; the strings are shared, so comparing references suffices. */
function sameEvents(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
