import type { Duplex } from 'node:stream';

/**
 * Sockets that have not completed an upgrade yet, destroyed when they outlive the timeout: a
 * socket that sends nothing, or trickles its headers, does not hold a file descriptor. One timer
 * per process and one map entry per waiting socket, rather than `socket.setTimeout`, whose
 * cleared timer and listener would stay on every upgraded socket for its whole life.
 */
export class PendingUpgrades {
  /** Socket → arrival (ms), in arrival order: the sweep stops at the first one still in time. */
  private readonly since = new Map<Duplex, number>();
  private readonly forget: (this: Duplex) => void;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly timeoutMs: number) {
    const since = this.since;
    this.forget = function (this: Duplex) {
      since.delete(this);
    };
  }

  start(): void {
    this.timer ??= setInterval(this.sweep, Math.min(1000, Math.ceil(this.timeoutMs / 4)));
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** A new socket: it has `timeoutMs` to complete its upgrade. */
  add(socket: Duplex): void {
    this.since.set(socket, Date.now());
    socket.once('close', this.forget);
  }

  /** The socket's upgrade request is complete: it is no longer timed. */
  remove(socket: Duplex): void {
    if (this.since.delete(socket)) socket.off('close', this.forget);
  }

  private readonly sweep = (): void => {
    const cutoff = Date.now() - this.timeoutMs;
    for (const [socket, arrived] of this.since) {
      if (arrived > cutoff) return;
      this.since.delete(socket);
      socket.destroy();
    }
  };
}
