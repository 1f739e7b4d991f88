import { randomUUID } from 'node:crypto';
import { createRedis, type RedisClient } from '@co-talk/common/redis';
import { ConnectionLimits, type ConnectionLimitsOptions } from '../src/connection-limits';
import { REDIS_URL, cleanup, newPrefix } from './support';

/** The counting itself, against the real Redis: what two instances see of each other's connections. */

let redis: RedisClient;
const prefixes: string[] = [];
const instances: ConnectionLimits[] = [];

beforeAll(() => {
  redis = createRedis({ url: REDIS_URL });
});

afterAll(async () => {
  for (const limits of instances) limits.stop();
  for (const prefix of prefixes) await cleanup(prefix);
  redis.disconnect();
});

async function instance(
  prefix: string,
  overrides: Partial<ConnectionLimitsOptions> = {},
  client: RedisClient = redis,
): Promise<ConnectionLimits> {
  const limits = new ConnectionLimits(client, {
    keyPrefix: prefix,
    perUser: 2,
    perAddress: 100,
    livenessMs: 400,
    countTtlMs: 60_000,
    ...overrides,
  });
  await limits.start();
  instances.push(limits);
  return limits;
}

function deployment(name: string): string {
  const prefix = newPrefix(name);
  prefixes.push(prefix);
  return prefix;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test('a user at the maximum is refused on every instance until one connection is released', async () => {
  const prefix = deployment('limits-release');
  const [a, b] = [await instance(prefix), await instance(prefix)];
  const user = randomUUID();
  expect(await a.acquire(user, '10.0.0.1')).toBeNull();
  expect(await b.acquire(user, '10.0.0.2')).toBeNull();
  expect(await a.acquire(user, '10.0.0.3')).toBe('user');
  expect(await b.acquire(user, '10.0.0.3')).toBe('user');
  a.release(user, '10.0.0.1');
  expect(await b.acquire(user, '10.0.0.3')).toBeNull();
});

test('the address limit counts every user behind it, and a released count leaves no key behind', async () => {
  const prefix = deployment('limits-address');
  const a = await instance(prefix, { perAddress: 2 });
  const users = [randomUUID(), randomUUID(), randomUUID()];
  expect(await a.acquire(users[0], '10.0.0.9')).toBeNull();
  expect(await a.acquire(users[1], '10.0.0.9')).toBeNull();
  expect(await a.acquire(users[2], '10.0.0.9')).toBe('address');
  a.release(users[0], '10.0.0.9');
  a.release(users[1], '10.0.0.9');
  await sleep(50);
  expect(await redis.keys(`${prefix}chat:conns:user:*`)).toEqual([]);
  expect(await redis.keys(`${prefix}chat:conns:addr:*`)).toEqual([]);
});

test("a crashed instance's connections stop counting once its liveness lapses; a live one's do not", async () => {
  const prefix = deployment('limits-crash');
  const [crashed, live] = [await instance(prefix), await instance(prefix)];
  const user = randomUUID();
  expect(await crashed.acquire(user, '10.0.0.1')).toBeNull();
  expect(await live.acquire(user, '10.0.0.1')).toBeNull();
  // The crash: no release, no more liveness.
  crashed.stop();
  expect(await live.acquire(user, '10.0.0.1')).toBe('user');
  await sleep(600);
  expect(await live.acquire(user, '10.0.0.1')).toBeNull();
  // The live instance's two connections still count.
  expect(await live.acquire(user, '10.0.0.1')).toBe('user');
});

test('a long-lived connection renews its counts once per third of their TTL', async () => {
  const prefix = deployment('limits-renew');
  const a = await instance(prefix, { countTtlMs: 3000 });
  const user = randomUUID();
  await a.acquire(user, '10.0.0.1');
  const start = Date.now();
  expect(a.renew(user, '10.0.0.1', start, start + 500)).toBe(start);
  await sleep(1200);
  const renewedAt = a.renew(user, '10.0.0.1', start, Date.now());
  expect(renewedAt).toBeGreaterThan(start);
  await sleep(50);
  expect(await redis.pttl(`${prefix}chat:conns:user:${user}`)).toBeGreaterThan(2800);
});

test('upgrades of one turn share a script call and are counted in order', async () => {
  const prefix = deployment('limits-batch');
  const a = await instance(prefix);
  const user = randomUUID();
  const results = await Promise.all([1, 2, 3].map((i) => a.acquire(user, `10.0.1.${i}`)));
  expect(results).toEqual([null, null, 'user']);
  expect(
    await redis.hget(`${prefix}chat:conns:user:${user}`, (await redis.hkeys(`${prefix}chat:conns:user:${user}`))[0]),
  ).toBe('2');
});

test('upgrades that arrive while a script call is out go together in the next one', async () => {
  const prefix = deployment('limits-group');
  const own = createRedis({ url: REDIS_URL });
  const limits = await instance(prefix, { perUser: 10 }, own);
  // A slow round trip, so that the later upgrades surely arrive while the first call is out.
  const counting = own as unknown as { acquireConnections: (...args: unknown[]) => Promise<number[]> };
  const original = counting.acquireConnections.bind(own);
  const calls: number[] = [];
  counting.acquireConnections = async (keyCount, ...rest) => {
    calls.push(keyCount as number);
    const results = await original(keyCount, ...rest);
    await sleep(50);
    return results;
  };
  const user = randomUUID();
  const first = limits.acquire(user, '10.0.2.1');
  const later: Array<Promise<unknown>> = [];
  for (let i = 2; i <= 4; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    later.push(limits.acquire(user, `10.0.2.${i}`));
  }
  expect(await Promise.all([first, ...later])).toEqual([null, null, null, null]);
  expect(calls).toEqual([2, 6]);
  own.disconnect();
});
