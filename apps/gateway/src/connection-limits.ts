import { randomBytes } from 'node:crypto';
import type { RedisClient } from '@co-talk/common/redis';

/**
 * Counts a connection in the per-user and the per-address hash (field: gateway instance, value:
 * its open connections) unless either is at its maximum. Counts of instances whose liveness key
 * has lapsed (crashed) are dropped, but only when a hash is at its maximum: below it they cannot
 * refuse anyone, so the common case reads one hash each. Returns 0 (counted), 1 (user at its
 * maximum) or 2 (address at its maximum).
 * KEYS: user hash, address hash. ARGV: instance, user max, address max, liveness key prefix, key TTL (ms).
 */
const ACQUIRE_SCRIPT = `
local function open(key, max)
  local total = 0
  for _, n in ipairs(redis.call('HVALS', key)) do total = total + tonumber(n) end
  if total < max then return total end
  total = 0
  local counts = redis.call('HGETALL', key)
  for i = 1, #counts, 2 do
    if counts[i] == ARGV[1] or redis.call('EXISTS', ARGV[4] .. counts[i]) == 1 then
      total = total + tonumber(counts[i + 1])
    else
      redis.call('HDEL', key, counts[i])
    end
  end
  return total
end
if open(KEYS[1], tonumber(ARGV[2])) >= tonumber(ARGV[2]) then return 1 end
if open(KEYS[2], tonumber(ARGV[3])) >= tonumber(ARGV[3]) then return 2 end
for i = 1, 2 do
  redis.call('HINCRBY', KEYS[i], ARGV[1], 1)
  redis.call('PEXPIRE', KEYS[i], ARGV[5])
end
return 0
`;

/** Uncounts a closed connection; a count that reaches zero is removed. KEYS: user hash, address hash. ARGV: instance. */
const RELEASE_SCRIPT = `
for i = 1, 2 do
  if redis.call('HINCRBY', KEYS[i], ARGV[1], -1) <= 0 then redis.call('HDEL', KEYS[i], ARGV[1]) end
end
return 0
`;

interface CountingClient {
  acquireConnection(
    userKey: string,
    addressKey: string,
    instance: string,
    ...args: Array<string | number>
  ): Promise<number>;
  releaseConnection(userKey: string, addressKey: string, instance: string): Promise<number>;
}

/** Settings for {@link ConnectionLimits}. */
export interface ConnectionLimitsOptions {
  readonly keyPrefix: string;
  readonly perUser: number;
  readonly perAddress: number;
  /** How long this instance counts as alive without renewal: a crashed instance's connections count this long. */
  readonly livenessMs: number;
  /**
   * How long a user's or an address's hash lives without a new connection. Only the counts of a
   * crashed instance need it (a live instance uncounts its connections on close); each live
   * connection renews its hashes' TTL once per third of it (`renew`).
   */
  readonly countTtlMs: number;
}

/** Why an upgrade was refused. */
export type LimitRefusal = 'user' | 'address';

/**
 * Open connections per user and per source address, counted over every gateway instance on the
 * streams cluster (cluster mode off there, so one script may touch both hashes). One Redis call
 * per upgrade and per close; between them a connection costs Redis nothing but a TTL renewal
 * every `countTtlMs / 3`, and each instance one liveness write per `livenessMs / 4`.
 */
export class ConnectionLimits {
  /** Tells this process's counts apart from every other instance's. */
  private readonly instance = randomBytes(6).toString('hex');
  private readonly client: CountingClient;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly redis: RedisClient,
    private readonly options: ConnectionLimitsOptions,
  ) {
    if (!('acquireConnection' in redis)) {
      redis.defineCommand('acquireConnection', { numberOfKeys: 2, lua: ACQUIRE_SCRIPT });
      redis.defineCommand('releaseConnection', { numberOfKeys: 2, lua: RELEASE_SCRIPT });
    }
    this.client = redis as unknown as CountingClient;
  }

  /** Marks this instance alive now and every quarter of the liveness window. */
  async start(): Promise<void> {
    await this.markAlive();
    this.timer ??= setInterval(() => void this.markAlive().catch(() => undefined), this.options.livenessMs / 4);
    this.timer.unref();
  }

  /** Stops renewing liveness: this instance's counts lapse `livenessMs` later unless released. */
  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Counts a new connection of `userId` from `address`, or says which limit refuses it. */
  async acquire(userId: string, address: string): Promise<LimitRefusal | null> {
    const result = await this.client.acquireConnection(
      this.userKey(userId),
      this.addressKey(address),
      this.instance,
      this.options.perUser,
      this.options.perAddress,
      this.livenessPrefix,
      this.options.countTtlMs,
    );
    return result === 0 ? null : result === 1 ? 'user' : 'address';
  }

  /**
   * Keeps a long-lived connection's hashes from expiring: called by the heartbeat for each
   * connection; writes only when `renewedAt` (ms, kept on the connection) is a third of the TTL old.
   */
  renew(userId: string, address: string, renewedAt: number, now: number): number {
    if (now - renewedAt < this.options.countTtlMs / 3) return renewedAt;
    for (const key of [this.userKey(userId), this.addressKey(address)]) {
      this.redis.pexpire(key, this.options.countTtlMs).catch(() => undefined);
    }
    return now;
  }

  /** Uncounts a closed connection; a failure leaves its count until the hash expires. */
  release(userId: string, address: string): void {
    this.client.releaseConnection(this.userKey(userId), this.addressKey(address), this.instance).catch(() => undefined);
  }

  private markAlive(): Promise<unknown> {
    return this.redis.set(`${this.livenessPrefix}${this.instance}`, '1', 'PX', this.options.livenessMs);
  }

  private get livenessPrefix(): string {
    return `${this.options.keyPrefix}chat:conns:alive:`;
  }

  private userKey(userId: string): string {
    return `${this.options.keyPrefix}chat:conns:user:${userId}`;
  }

  private addressKey(address: string): string {
    return `${this.options.keyPrefix}chat:conns:addr:${address}`;
  }
}
