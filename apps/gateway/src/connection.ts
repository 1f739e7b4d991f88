import type { WebSocket } from 'ws';

/**
 * Per-connection state, kept deliberately small: a server is planned for 100,000 connections in
 * prod and holds far more (`npm run capacity`), so every field costs megabytes. No closures, no
 * timers per connection; collections are created on first use.
 */
export class Connection {
  /** Rooms joined; null until the first join. */
  rooms: Set<string> | null = null;
  /** Events waiting for this turn's coalesced frame; null when nothing is queued. */
  outbox: string[] | null = null;
  /** Token bucket: tokens left and when it was last refilled (ms). */
  tokens: number;
  refilledAt: number;
  /** Frames rejected by the rate limit since the last accepted one. */
  strikes = 0;
  /** When its per-user and per-address counts' TTL was last renewed (ms; `ConnectionLimits.renew`). */
  renewedAt: number;
  /** Pings sent since the last pong. */
  missedPongs = 0;
  /** Frames accepted for processing and not answered yet (a close waits for them). */
  pending = 0;
  /** A close decided while frames were pending: done when the last is answered. */
  closing: { readonly code: number; readonly reason: string } | null = null;

  constructor(
    readonly socket: WebSocket,
    readonly userId: string,
    /** Token expiry (seconds since the epoch): the connection is closed then, unless re-authenticated. */
    public expiresAt: number,
    burst: number,
    /** The source address, for the per-address limits. */
    readonly address: string,
  ) {
    this.tokens = burst;
    this.refilledAt = Date.now();
    this.renewedAt = this.refilledAt;
  }

  /**
   * Takes one token from the bucket. Returns false when the connection is over its rate; the
   * strike count then says how long it has been abusing it.
   */
  takeToken(ratePerSecond: number, burst: number, now: number): boolean {
    const elapsed = now - this.refilledAt;
    if (elapsed > 0) {
      this.tokens = Math.min(burst, this.tokens + (elapsed * ratePerSecond) / 1000);
      this.refilledAt = now;
    }
    if (this.tokens >= 1) {
      this.tokens -= 1;
      this.strikes = 0;
      return true;
    }
    this.strikes += 1;
    return false;
  }
}
