import type { Connection } from './connection';

/** What the clock does when a connection's time comes. */
export interface SessionClockHooks {
  /** The token expires in `warningSeconds`: tell the client to re-authenticate. */
  readonly warn: (connection: Connection) => void;
  /** The token has expired. */
  readonly expire: (connection: Connection) => void;
}

/**
 * Ends sessions with their tokens: warns a connection `warningSeconds` before its token expires
 * and expires it at `expiresAt`. Connections sit in one bucket per second, checked by one timer per
 * process (no timer per connection). A re-authenticated connection is scheduled again; its old
 * entry no longer matches its expiry and is skipped.
 */
export class SessionClock {
  private readonly buckets = new Map<number, Connection[]>();
  private doneUpTo = Math.floor(Date.now() / 1000);
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly warningSeconds: number,
    private readonly hooks: SessionClockHooks,
  ) {}

  start(): void {
    this.timer ??= setInterval(this.tick, 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Schedules the connection's warning (when still ahead) and its expiry. */
  schedule(connection: Connection, now = Date.now()): void {
    const warnAt = connection.expiresAt - this.warningSeconds;
    this.add(warnAt * 1000 > now ? warnAt : connection.expiresAt, connection);
  }

  private add(second: number, connection: Connection): void {
    // A second already past goes into the next one checked.
    const at = Math.max(second, this.doneUpTo + 1);
    const bucket = this.buckets.get(at);
    if (bucket === undefined) this.buckets.set(at, [connection]);
    else bucket.push(connection);
  }

  private readonly tick = (): void => {
    const now = Math.floor(Date.now() / 1000);
    while (this.doneUpTo < now) {
      const second = ++this.doneUpTo;
      const bucket = this.buckets.get(second);
      if (bucket === undefined) continue;
      this.buckets.delete(second);
      for (const connection of bucket) {
        if (connection.socket.readyState !== 1) continue;
        if (second >= connection.expiresAt) this.hooks.expire(connection);
        else if (second >= connection.expiresAt - this.warningSeconds) {
          this.hooks.warn(connection);
          this.add(connection.expiresAt, connection);
        }
        // Otherwise the connection re-authenticated since: its new entries are elsewhere.
      }
    }
  };
}
