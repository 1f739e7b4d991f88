import { randomBytes } from 'node:crypto';
import type { RedisClient } from '@co-talk/common';

/**
 * Takes a lease in a sorted set of live connections (member → lease expiry, ms) if fewer than
 * ARGV[3] leases are live; expired leases (a crashed instance's) are dropped first.
 * KEYS: the set. ARGV: member, now (ms), max, lease (ms).
 */
const ACQUIRE_SCRIPT = `
local now = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
`;

interface LeasingClient {
  acquireConnectionLease(key: string, member: string, now: number, max: number, leaseMs: number): Promise<0 | 1>;
}

/** Settings for {@link ConnectionLimits}. */
export interface ConnectionLimitsOptions {
  readonly keyPrefix: string;
  readonly perUser: number;
  readonly perAddress: number;
  /** How long a lease lives without renewal: a crashed instance's connections count this long. */
  readonly leaseMs: number;
}

/** Why an upgrade was refused. */
export type LeaseRefusal = 'user' | 'address';

/**
 * Open connections per user and per source address, counted over every gateway instance: one
 * sorted set per user and per address on the streams cluster, one lease per connection, renewed
 * by the heartbeat's round and released on close.
 */
export class ConnectionLimits {
  /** Tells this process's leases apart from every other instance's. */
  private readonly instance = randomBytes(6).toString('hex');
  private sequence = 0;

  constructor(
    private readonly redis: RedisClient,
    private readonly options: ConnectionLimitsOptions,
  ) {
    if (!('acquireConnectionLease' in redis)) {
      redis.defineCommand('acquireConnectionLease', { numberOfKeys: 1, lua: ACQUIRE_SCRIPT });
    }
  }

  /** Takes a lease for a new connection of `userId` from `address`: its number, or why not. */
  async acquire(userId: string, address: string): Promise<number | LeaseRefusal> {
    const lease = ++this.sequence;
    const member = this.member(lease);
    const now = Date.now();
    const client = this.redis as unknown as LeasingClient;
    const [user, fromAddress] = await Promise.all([
      client.acquireConnectionLease(this.userKey(userId), member, now, this.options.perUser, this.options.leaseMs),
      client.acquireConnectionLease(
        this.addressKey(address),
        member,
        now,
        this.options.perAddress,
        this.options.leaseMs,
      ),
    ]);
    if (user === 1 && fromAddress === 1) return lease;
    this.release(userId, address, lease);
    return user === 1 ? 'address' : 'user';
  }

  /** Extends a live connection's lease (the heartbeat calls this once per round). */
  renew(userId: string, address: string, lease: number): void {
    const expiry = Date.now() + this.options.leaseMs;
    const member = this.member(lease);
    for (const key of [this.userKey(userId), this.addressKey(address)]) {
      this.redis.zadd(key, 'XX', expiry, member).catch(() => undefined);
    }
  }

  /** Gives a closed connection's lease back; a failure leaves it to expire. */
  release(userId: string, address: string, lease: number): void {
    const member = this.member(lease);
    this.redis.zrem(this.userKey(userId), member).catch(() => undefined);
    this.redis.zrem(this.addressKey(address), member).catch(() => undefined);
  }

  private member(lease: number): string {
    return `${this.instance}:${lease}`;
  }

  private userKey(userId: string): string {
    return `${this.options.keyPrefix}chat:conns:user:{${userId}}`;
  }

  private addressKey(address: string): string {
    return `${this.options.keyPrefix}chat:conns:addr:{${address}}`;
  }
}
