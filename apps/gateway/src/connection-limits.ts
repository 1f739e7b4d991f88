import { randomBytes } from 'node:crypto';
import type { RedisClient } from '@co-talk/common/redis';
import { GroupCommit } from './group-commit';

/**
 * Counts connections, each in its user's and its address's hash (field: gateway instance, value:
 * its open connections) unless either is at its maximum, in order, so that each sees the ones
 * before it. Counts of instances whose liveness key has lapsed (crashed) are dropped, but only
 * when a hash is at its maximum: below it they cannot refuse anyone, so the common case reads one
 * hash each. Returns one result per connection: 0 (counted), 1 (user at its maximum) or 2
 * (address at its maximum).
 * KEYS: user hash, address hash, for each connection. ARGV: instance, user max, address max,
 * liveness key prefix, hash TTL (ms).
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
local results = {}
for c = 1, #KEYS, 2 do
  local user, address = KEYS[c], KEYS[c + 1]
  if open(user, tonumber(ARGV[2])) >= tonumber(ARGV[2]) then
    results[#results + 1] = 1
  elseif open(address, tonumber(ARGV[3])) >= tonumber(ARGV[3]) then
    results[#results + 1] = 2
  else
    for _, key in ipairs({ user, address }) do
      redis.call('HINCRBY', key, ARGV[1], 1)
      redis.call('PEXPIRE', key, ARGV[5])
    end
    results[#results + 1] = 0
  end
end
return results
`;

/** Uncounts closed connections; a count that reaches zero is removed. KEYS: user hash, address hash, for each. ARGV: instance. */
const RELEASE_SCRIPT = `
for _, key in ipairs(KEYS) do
  if redis.call('HINCRBY', key, ARGV[1], -1) <= 0 then redis.call('HDEL', key, ARGV[1]) end
end
return 0
`;

interface CountingClient {
  acquireConnections(keyCount: number, ...keysThenArgs: Array<string | number>): Promise<number[]>;
  releaseConnections(keyCount: number, ...keysThenArgs: string[]): Promise<number>;
}

/** An upgrade waiting for the batch it is in. */
interface PendingAcquire {
  readonly userKey: string;
  readonly addressKey: string;
  readonly resolve: (refusal: LimitRefusal | null) => void;
  readonly reject: (err: unknown) => void;
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
 * streams cluster (cluster mode off there, so one script may touch many hashes). Upgrades are
 * counted and closes uncounted by {@link GroupCommit}: one script call in flight at a time, so a
 * reconnect storm makes the calls larger rather than more numerous. Between the two a connection
 * costs Redis nothing but a TTL renewal every `countTtlMs / 3`, and each instance one liveness
 * write per `livenessMs / 4`.
 */
export class ConnectionLimits {
  /** Tells this process's counts apart from every other instance's. */
  private readonly instance = randomBytes(6).toString('hex');
  private readonly client: CountingClient;
  private timer: NodeJS.Timeout | null = null;
  /** Upgrades, counted by one script call per batch. */
  private readonly acquiring = new GroupCommit<PendingAcquire>((batch) => this.acquireBatch(batch));
  /** Closes, uncounted by one script call per batch. */
  private readonly releasing = new GroupCommit<string>((keys) => this.releaseBatch(keys));

  constructor(
    private readonly redis: RedisClient,
    private readonly options: ConnectionLimitsOptions,
  ) {
    if (!('acquireConnections' in redis)) {
      redis.defineCommand('acquireConnections', { lua: ACQUIRE_SCRIPT });
      redis.defineCommand('releaseConnections', { lua: RELEASE_SCRIPT });
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

  /**
   * Counts a new connection of `userId` from `address`, or says which limit refuses it. Upgrades
   * share round trips: in a reconnect storm that is one write to Redis for many upgrades rather
   * than one each.
   */
  acquire(userId: string, address: string): Promise<LimitRefusal | null> {
    return new Promise((resolve, reject) => {
      this.acquiring.add({ userKey: this.userKey(userId), addressKey: this.addressKey(address), resolve, reject });
    });
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

  /**
   * Uncounts a closed connection; a failure leaves its count until the hash expires. Releases go
   * apart from acquires: while a release call is out, an upgrade made just after a close can be
   * counted first, and at the user's maximum refused with 429; the client's retry then succeeds.
   */
  release(userId: string, address: string): void {
    this.releasing.add(this.userKey(userId));
    this.releasing.add(this.addressKey(address));
  }

  private acquireBatch(batch: PendingAcquire[]): Promise<void> {
    const keys = batch.flatMap((pending) => [pending.userKey, pending.addressKey]);
    const { perUser, perAddress, countTtlMs } = this.options;
    return this.client
      .acquireConnections(keys.length, ...keys, this.instance, perUser, perAddress, this.livenessPrefix, countTtlMs)
      .then(
        (results) => batch.forEach((pending, i) => pending.resolve(REFUSALS[results[i]] ?? null)),
        (err: unknown) => batch.forEach((pending) => pending.reject(err)),
      );
  }

  private releaseBatch(keys: string[]): Promise<unknown> {
    return this.client.releaseConnections(keys.length, ...keys, this.instance).catch(() => undefined);
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

/** The script's answers other than 0 (counted). */
const REFUSALS: Readonly<Record<number, LimitRefusal>> = { 1: 'user', 2: 'address' };
