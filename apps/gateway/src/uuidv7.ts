import { randomFillSync } from 'node:crypto';

/**
 * UUIDv7 (RFC 9562 §5.7): a 48-bit millisecond timestamp then random bits, so ids sort by time
 * across gateway instances. A counter in the random field keeps ids from one process ordered
 * within the same millisecond.
 */

const bytes = new Uint8Array(16);
let lastMs = 0;
let sequence = 0;

/** Random bytes drawn ahead in bulk: one system call per 400 ids instead of one per id. */
const pool = new Uint8Array(4000);
let poolAt = pool.length;

export function uuidv7(now: number = Date.now()): string {
  if (poolAt === pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  bytes.set(pool.subarray(poolAt, poolAt + 10), 6);
  poolAt += 10;
  if (now <= lastMs) {
    // Same (or an earlier, after a clock step) millisecond: reuse the last one and count up.
    now = lastMs;
    sequence = (sequence + 1) & 0xfff;
    if (sequence === 0) now = ++lastMs;
  } else {
    lastMs = now;
    sequence = bytes[6] & 0x7ff; // a random start below half the range leaves room to count
  }
  bytes[0] = Math.floor(now / 2 ** 40) & 0xff;
  bytes[1] = Math.floor(now / 2 ** 32) & 0xff;
  bytes[2] = (now >>> 24) & 0xff;
  bytes[3] = (now >>> 16) & 0xff;
  bytes[4] = (now >>> 8) & 0xff;
  bytes[5] = now & 0xff;
  bytes[6] = 0x70 | (sequence >>> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = 0x80 | (bytes[8] & 0x3f);
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
