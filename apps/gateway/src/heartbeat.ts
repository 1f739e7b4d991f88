import type { WebSocket } from 'ws';
import type { Connection } from './connection';

/** How many ticks one round of pings is spread over: no burst of a whole process's pings at once. */
const SLICES = 10;

/**
 * WebSocket pings (RFC 6455 §5.5.2) to every connection once per interval, spread over the
 * interval in slices; a connection that has left `missedLimit` pings in a row unanswered is
 * terminated. One timer per process, one small counter per connection.
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | null = null;
  private cursor: Iterator<WebSocket> | null = null;

  constructor(
    private readonly sockets: Set<WebSocket>,
    private readonly connectionOf: (socket: WebSocket) => Connection,
    private readonly intervalMs: number,
    private readonly missedLimit: number,
    /** A peer was terminated for missing its pongs. */
    private readonly onDead: () => void,
    /** A live connection was pinged (at `now`, ms): once per round for each. */
    private readonly onPing: (connection: Connection, now: number) => void = () => undefined,
  ) {}

  start(): void {
    this.timer ??= setInterval(this.tick, Math.max(1, Math.floor(this.intervalMs / SLICES)));
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Any pong (answered or unsolicited, RFC 6455 §5.5.3) shows the peer is alive. */
  static alive(connection: Connection): void {
    connection.missedPongs = 0;
  }

  private readonly tick = (): void => {
    let budget = Math.ceil(this.sockets.size / SLICES);
    const now = Date.now();
    while (budget > 0) {
      this.cursor ??= this.sockets.values();
      const next = this.cursor.next();
      if (next.done === true) {
        // A round is complete; the next one starts at the next tick.
        this.cursor = null;
        return;
      }
      budget -= 1;
      const socket = next.value;
      if (socket.readyState !== 1) continue;
      const connection = this.connectionOf(socket);
      if (connection.missedPongs >= this.missedLimit) {
        socket.terminate();
        this.onDead();
        continue;
      }
      connection.missedPongs += 1;
      socket.ping();
      this.onPing(connection, now);
    }
  };
}
