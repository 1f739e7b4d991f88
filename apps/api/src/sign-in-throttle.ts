import { createHash } from 'node:crypto';
import type { Logger, RedisClient } from '@co-talk/common';

/**
 * Failed sign-ins, counted per account (the email as typed, whether or not it exists, so a lock
 * reveals nothing about accounts) and per client address, in Redis so every API instance sees
 * the same counts. After `maxFailures` failures each further one locks the subject for
 * `baseSeconds`, doubling with every failure up to `maxSeconds` (exponential backoff); counts are
 * forgotten `maxSeconds` after the last failure, and an account's on a successful sign-in.
 *
 * If Redis cannot be reached, sign-in is not throttled (and a warning is logged): an outage of the
 * cache must not lock every user out.
 */

/** Settings for {@link SignInThrottle}. */
export interface SignInThrottleOptions {
  readonly redis: RedisClient;
  readonly keyPrefix: string;
  /** Failures per account before the backoff starts. */
  readonly maxFailuresPerAccount: number;
  /** Failures per client address before the backoff starts (higher: offices share addresses). */
  readonly maxFailuresPerIp: number;
  /** The first lock. */
  readonly baseSeconds: number;
  /** The longest lock, and how long counts are kept after the last failure. */
  readonly maxSeconds: number;
  readonly logger: Logger;
}

/**
 * One failure for one subject: count it, and lock the subject when it is over its limit.
 * KEYS[1] the subject's hash; ARGV: limit, base ms, max ms, now ms. Returns the lock in ms (0: none).
 */
const RECORD_FAILURE = `
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
local lock = 0
local over = failures - tonumber(ARGV[1])
if over > 0 then
  lock = math.min(tonumber(ARGV[2]) * 2 ^ math.min(over - 1, 30), tonumber(ARGV[3]))
  redis.call('HSET', KEYS[1], 'until', tonumber(ARGV[4]) + lock)
end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return lock`;

export class SignInThrottle {
  constructor(private readonly options: SignInThrottleOptions) {}

  /** Seconds until `email` from `ip` may try again; 0 when it may now. */
  async retryAfterSeconds(email: string, ip: string): Promise<number> {
    try {
      const now = Date.now();
      const until = await Promise.all(
        this.keys(email, ip).map((key) => this.options.redis.hget(key, 'until').then(Number)),
      );
      const wait = Math.max(0, ...until.map((t) => (Number.isFinite(t) ? t - now : 0)));
      return Math.ceil(wait / 1000);
    } catch (err) {
      this.options.logger.warn({ err: (err as Error).message }, 'sign-in throttle unavailable; not throttling');
      return 0;
    }
  }

  /** Counts a failed sign-in against the account and the address. */
  async failed(email: string, ip: string): Promise<void> {
    const { redis, maxFailuresPerAccount, maxFailuresPerIp, baseSeconds, maxSeconds } = this.options;
    const [account, address] = this.keys(email, ip);
    const now = Date.now();
    try {
      await Promise.all([
        redis.eval(RECORD_FAILURE, 1, account, maxFailuresPerAccount, baseSeconds * 1000, maxSeconds * 1000, now),
        redis.eval(RECORD_FAILURE, 1, address, maxFailuresPerIp, baseSeconds * 1000, maxSeconds * 1000, now),
      ]);
    } catch (err) {
      this.options.logger.warn({ err: (err as Error).message }, 'sign-in failure not counted');
    }
  }

  /** A successful sign-in clears the account's count (not the address's: one good password among many guesses proves little). */
  async succeeded(email: string): Promise<void> {
    try {
      await this.options.redis.del(this.keys(email, '')[0]);
    } catch (err) {
      this.options.logger.warn({ err: (err as Error).message }, 'sign-in count not cleared');
    }
  }

  /** The account's and the address's keys; the email is hashed so keys carry no personal data. */
  private keys(email: string, ip: string): [string, string] {
    const hash = createHash('sha256').update(email.toLowerCase()).digest('base64url');
    return [
      `${this.options.keyPrefix}signin:account:{${hash}}`,
      `${this.options.keyPrefix}signin:ip:{${clientBlock(ip)}}`,
    ];
  }
}

/**
 * The unit an address is throttled as: an IPv4 address itself, an IPv6 address by its /64 (one
 * subscriber usually holds a whole /64, so per-address counting would be trivial to sidestep).
 */
export function clientBlock(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1];
  if (!ip.includes(':')) return ip;
  const [head, tail = ''] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = ip.includes('::') && tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => (parseInt(g, 16) || 0).toString(16))
    .join(':')}::/64`;
}
