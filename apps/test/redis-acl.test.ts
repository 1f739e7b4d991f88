import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Pool } from 'pg';
import { Registry } from 'prom-client';
import { MESSAGE_STREAM_KEY, STREAM_MESSAGE_FIELD } from '@co-talk/common/chat-message';
import type { Logger } from '@co-talk/common/logger';
import { createRedis, type RedisClient } from '@co-talk/common/redis';
import { REDIS_ACCESS, redisAccessString, type RedisApp, type RedisRole } from '../../lib/contract/redis-acl';
import { TwoLevelCache } from '../api/src/cache';
import { RoomMembersMirror } from '../api/src/room-members';
import { SignInThrottle } from '../api/src/sign-in-throttle';
import type { Coalescer } from '../gateway/src/coalescer';
import type { Connection } from '../gateway/src/connection';
import { ConnectionLimits } from '../gateway/src/connection-limits';
import { MessageStore } from '../gateway/src/message-store';
import { RoomMembership } from '../gateway/src/room-membership';
import { Rooms } from '../gateway/src/rooms';
import { StreamConsumer } from '../worker/src/stream-consumer';
import { streamState } from '../worker/src/worker';
import { createWorkerMetrics } from '../worker/src/worker-metrics';
import { TEST_REDIS_URL } from './support/databases';

/**
 * The seam between the ElastiCache users the data stack creates and the apps' Redis code, read
 * at both ends: each app's access string from `lib/contract/redis-acl.ts` becomes a user of the
 * local Redis (`ACL SETUSER`, a test-only password), and each app's own classes run their Redis
 * operations as that user. Everything an app does must pass; a command or key outside its rules
 * must be refused with NOPERM.
 *
 * The users get the production strings unchanged, so the keys are unprefixed: every name here is
 * made unique (rooms, users, addresses, the consumer group) and removed afterwards.
 */

const run = randomBytes(4).toString('hex');
const PASSWORD = `test-only-${randomBytes(12).toString('hex')}`;
const admin = new Redis(TEST_REDIS_URL);
const clients: RedisClient[] = [];
const userNames: string[] = [];

/** A local user with `app`'s production rules on `role`. */
function userName(app: RedisApp, role: RedisRole): string {
  return `acl-test-${run}-${app}-${role}`;
}

/** A client signed in as `app`'s user on `role`, the way the app connects (`createRedis`). */
function as(app: RedisApp, role: RedisRole): RedisClient {
  const client = createRedis({
    url: TEST_REDIS_URL,
    username: userName(app, role),
    password: PASSWORD,
    connectionName: `acl-test-${app}-${role}`,
    maxRetriesPerRequest: 0,
  });
  clients.push(client);
  return client;
}

/** A logger that remembers warnings and errors: the apps swallow some Redis failures with one. */
function recordingLogger(): Logger & { problems: unknown[] } {
  const problems: unknown[] = [];
  const log = (...args: unknown[]) => problems.push(args);
  return { problems, warn: log, error: log, info: () => undefined, debug: () => undefined } as never;
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let streamExisted = false;
const created: string[] = [];

beforeAll(async () => {
  streamExisted = (await admin.exists(MESSAGE_STREAM_KEY)) === 1;
  for (const [app, roles] of Object.entries(REDIS_ACCESS)) {
    for (const [role, access] of Object.entries(roles)) {
      const name = userName(app as RedisApp, role as RedisRole);
      userNames.push(name);
      await admin.call('ACL', 'SETUSER', name, ...redisAccessString(access).split(' '), `>${PASSWORD}`);
    }
  }
});

afterAll(async () => {
  await Promise.allSettled(clients.map((client) => client.quit()));
  for (const name of userNames) await admin.call('ACL', 'DELUSER', name);
  if (created.length > 0) await admin.del(...created);
  if (!streamExisted) await admin.del(MESSAGE_STREAM_KEY, `${MESSAGE_STREAM_KEY}:dead`);
  await admin.quit();
});

/** What Redis answers when a script calls a command or key its caller may not use. */
const SCRIPT_REFUSED = /NOPERM|can't run this command/;

/** Expects `attempt` to be refused by the ACL. */
async function refused(attempt: Promise<unknown>): Promise<void> {
  await expect(attempt).rejects.toThrow(/NOPERM/);
}

describe('the gateway as its users', () => {
  const sender = randomUUID();
  const address = `198.51.100.${Math.floor(Math.random() * 250)}`;

  test('streams: the store script stores once and answers a resend as a duplicate; pub/sub: it publishes', async () => {
    const store = new MessageStore(as('gateway', 'streams'), as('gateway', 'pubsub'), {
      keyPrefix: '',
      idempotencyTtlSeconds: 60,
      streamMaxLen: 100_000,
      sharded: false,
      perUser: { perSecond: 10, burst: 10 },
      perAddress: { perSecond: 10, burst: 10 },
    });
    const roomId = randomUUID();
    const offer = { senderId: sender, address, roomId, clientMsgId: randomUUID(), content: 'hello' };
    const first = await store.accept(offer);
    expect(first).toMatchObject({ kind: 'stored', published: true });
    const again = await store.accept(offer);
    expect(again).toMatchObject({ kind: 'duplicate', id: first.kind === 'stored' ? first.id : '' });
    created.push(
      ...(await admin.keys(`chat:idem:*:${roomId}:*`)),
      ...(await admin.keys(`chat:rate:*:${sender}`)),
      ...(await admin.keys(`chat:rate:*:${address}`)),
    );
  });

  test('streams: connections are counted, renewed, freed from a crashed instance and released', async () => {
    const options = { keyPrefix: '', perUser: 1, perAddress: 10, livenessMs: 300, countTtlMs: 60_000 };
    const [crashed, live] = [
      new ConnectionLimits(as('gateway', 'streams'), options),
      new ConnectionLimits(as('gateway', 'streams'), options),
    ];
    await Promise.all([crashed.start(), live.start()]);
    const userKey = `chat:conns:user:${sender}`;
    created.push(userKey, `chat:conns:addr:${address}`, ...(await admin.keys('chat:conns:alive:*')));
    expect(await crashed.acquire(sender, address)).toBeNull();
    crashed.stop();
    // At the maximum, the script reads the other instance's liveness and drops its count once lapsed.
    expect(await live.acquire(sender, address)).toBe('user');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await live.acquire(sender, address)).toBeNull();
    live.renew(sender, address, 0, 60_000);
    await waitFor('the renewal', async () => (await admin.pttl(userKey)) > 59_000);
    live.release(sender, address);
    await waitFor('the release', async () => (await admin.exists(userKey)) === 0);
    live.stop();
  });

  test('pub/sub: a room subscription is taken and given back', async () => {
    const rooms = new Rooms(as('gateway', 'pubsub'), false, {} as Coalescer, { onFanout: () => undefined });
    const connection = { userId: sender, rooms: null } as unknown as Connection;
    const roomId = randomUUID();
    await rooms.join(connection, roomId);
    expect(rooms.size).toBe(1);
    rooms.leave(connection, roomId);
    expect(rooms.size).toBe(0);
  });

  test('refused: another cluster role, another app, a command outside its list, a script calling one', async () => {
    const streams = as('gateway', 'streams');
    const pubsub = as('gateway', 'pubsub');
    await refused(streams.flushall());
    // The api's keys, and the worker's consumer group.
    await refused(streams.get(`signin:ip:{${address}}`));
    await refused(streams.xreadgroup('GROUP', 'g', 'c', 'STREAMS', MESSAGE_STREAM_KEY, '>'));
    // EVAL grants nothing: the commands a script calls are checked too.
    await expect(streams.eval("return redis.call('del', KEYS[1])", 1, MESSAGE_STREAM_KEY)).rejects.toThrow(
      SCRIPT_REFUSED,
    );
    // Pub/sub: room channels only, and no keys at all.
    await refused(pubsub.publish('chat:members:removed', '{}'));
    await refused(pubsub.get('chat:messages'));
  });
});

describe('the api and the gateway on the cache cluster', () => {
  test('the membership mirror: write-through, a rebuild the gateway asks for, a removal it hears', async () => {
    const apiLogger = recordingLogger();
    const gatewayLogger = recordingLogger();
    const [member, other] = [randomUUID(), randomUUID()];
    const writer = { query: async () => ({ rows: [{ user_id: member }] }) } as unknown as Pool;
    const mirror = new RoomMembersMirror({
      redis: as('api', 'cache'),
      writer,
      keyPrefix: '',
      clusterMode: false,
      logger: apiLogger,
    });
    const removals: unknown[] = [];
    const membership = new RoomMembership({
      cache: { url: TEST_REDIS_URL, username: userName('gateway', 'cache'), password: PASSWORD },
      keyPrefix: '',
      connectionName: 'acl-test-gateway-members',
      logger: gatewayLogger,
      onRemoved: (notice) => removals.push(notice),
    });
    try {
      const mirrored = randomUUID();
      const missing = randomUUID();
      created.push(
        `chat:members:{${mirrored}}`,
        `chat:members:{${missing}}`,
        `chat:members:rebuilding:{${missing}}`,
        'chat:members:rebuild',
      );
      await mirror.created(mirrored, [member]);
      await mirror.added(mirrored, other);
      await waitFor('the gateway connections', () => membership.isReady());
      expect(await membership.isMember(mirrored, other)).toBe(true);

      // A room not mirrored: the gateway asks (SET NX, RPUSH), the api pops it (BLPOP) and rebuilds.
      mirror.startRebuilding(as('api', 'cache'));
      expect(await membership.isMember(missing, member)).toBe(true);

      await mirror.removed(mirrored, other);
      expect(await membership.isMember(mirrored, other)).toBe(false);
      await waitFor('the removal notice', () => removals.length === 1);
      expect(removals).toEqual([{ roomId: mirrored, userId: other }]);
      expect(apiLogger.problems).toEqual([]);
      expect(gatewayLogger.problems).toEqual([]);
    } finally {
      await mirror.stop();
      await membership.quit();
    }
  });

  test('the api: the L2 cache, the sign-in throttle and its readiness ping', async () => {
    const logger = recordingLogger();
    const redis = as('api', 'cache');
    // Two instances: what one writes to L2 the other reads back as the api user.
    const newCache = () =>
      new TwoLevelCache({
        redis,
        keyPrefix: '',
        l1TtlSeconds: 1,
        l1MaxEntries: 10,
        l2TtlSeconds: 60,
        registry: new Registry(),
      });
    const cache = newCache();
    const key = `user:${randomUUID()}`;
    created.push(`cache:${key}`);
    await cache.set(key, { name: 'a' });
    const other = newCache();
    expect(await other.get(key, async () => undefined)).toEqual({ value: { name: 'a' }, source: 'l2' });

    const throttle = new SignInThrottle({
      redis,
      keyPrefix: '',
      maxFailuresPerAccount: 1,
      maxFailuresPerIp: 100,
      baseSeconds: 30,
      maxSeconds: 60,
      logger,
    });
    const email = `${randomUUID()}@example.test`;
    const ip = `203.0.113.${Math.floor(Math.random() * 250)}`;
    created.push(...(await admin.keys(`signin:ip:{${ip}}`)));
    await throttle.failed(email, ip);
    await throttle.failed(email, ip);
    created.push(...(await admin.keys('signin:account:*')).filter((k) => !created.includes(k)));
    created.push(`signin:ip:{${ip}}`);
    expect(await throttle.retryAfterSeconds(email, ip)).toBeGreaterThan(0);
    await throttle.succeeded(email);
    expect(await throttle.retryAfterSeconds(email, ip)).toBe(0);
    expect(await redis.ping()).toBe('PONG');
    expect(logger.problems).toEqual([]);
  });

  test('refused: the gateway writes no membership set, the api touches no stream, neither flushes', async () => {
    const gateway = as('gateway', 'cache');
    const api = as('api', 'cache');
    await refused(gateway.sadd(`chat:members:{${randomUUID()}}`, 'intruder'));
    await refused(gateway.get(`cache:user:${randomUUID()}`));
    await refused(api.xadd(MESSAGE_STREAM_KEY, '*', 'f', 'v'));
    await refused(api.get('ratelimit:x'));
    await refused(api.publish('chat:room:{x}', '{}'));
    await refused(api.flushall());
  });
});

describe('the worker as its user', () => {
  test('consumes, dead-letters, reclaims, prunes and reports the group', async () => {
    const logger = recordingLogger();
    const redis = as('worker', 'streams');
    const group = `acl-test-${run}`;
    // From now on: a shared server's older entries are not this test's.
    await admin.xgroup('CREATE', MESSAGE_STREAM_KEY, group, '$', 'MKSTREAM');
    const stored: unknown[] = [];
    const consumer = new StreamConsumer({
      redis,
      streamKey: MESSAGE_STREAM_KEY,
      group,
      consumer: 'acl-test',
      deadLetterKey: `${MESSAGE_STREAM_KEY}:dead`,
      batchSize: 10,
      blockMs: 100,
      claimIdleMs: 60_000,
      claimIntervalMs: 60_000,
      sink: {
        store: async (messages) => {
          stored.push(...messages);
          return { stored: messages.length, copies: [] };
        },
        index: async () => undefined,
        isDataError: () => false,
      },
      metrics: createWorkerMetrics(new Registry(), async () => ({ lag: 0, pending: 0 })),
      logger,
    });
    try {
      await consumer.ensureGroup();
      const message = {
        id: randomUUID(),
        roomId: randomUUID(),
        senderId: randomUUID(),
        clientMsgId: randomUUID(),
        content: 'hi',
        createdAt: new Date().toISOString(),
      };
      await admin.xadd(MESSAGE_STREAM_KEY, '*', STREAM_MESSAGE_FIELD, JSON.stringify(message));
      await admin.xadd(MESSAGE_STREAM_KEY, '*', STREAM_MESSAGE_FIELD, '{not json');
      let handled = 0;
      for (let step = 0; step < 5 && handled < 2; step++) handled += await consumer.step();
      expect(handled).toBe(2);
      expect(stored).toEqual([message]);
      expect(await consumer.reclaim()).toBe(0);
      await admin.xgroup('CREATECONSUMER', MESSAGE_STREAM_KEY, group, 'acl-test-gone');
      expect(await consumer.pruneConsumers(0)).toEqual(['acl-test-gone']);
      expect(await streamState(redis, MESSAGE_STREAM_KEY)).toEqual(
        expect.objectContaining({ lag: expect.any(Number) }),
      );
      expect(await redis.ping()).toBe('PONG');
      expect(logger.problems).toEqual([]);
    } finally {
      await admin.xgroup('DESTROY', MESSAGE_STREAM_KEY, group);
    }
  });

  test('refused: the gateway keys, writes outside its streams, flushing', async () => {
    const redis = as('worker', 'streams');
    await refused(redis.get(`chat:idem:{${MESSAGE_STREAM_KEY}}:x`));
    await refused(redis.set(`${MESSAGE_STREAM_KEY}:other`, 'x'));
    await refused(redis.del(MESSAGE_STREAM_KEY));
    await refused(redis.flushall());
  });
});

describe('Kong as its user', () => {
  // The commands Kong 3.9's rate-limiting `redis` policy runs, in EVAL scripts: INCR and EXPIRE
  // when it reads a counter, EXISTS, INCRBY and EXPIREAT when it syncs a batch.
  const COUNTER = `
local value = redis.call('incr', KEYS[1])
if value == 1 then redis.call('expire', KEYS[1], 60) end
if redis.call('exists', KEYS[1]) == 1 then redis.call('incrby', KEYS[1], 2) end
redis.call('expireat', KEYS[1], tonumber(ARGV[1]))
return redis.call('incrby', KEYS[1], 0)`;

  test('keeps its counters under ratelimit:, and nothing else', async () => {
    // Kong's own client (lua-resty-redis) sends no INFO ready check, unlike ioredis.
    const kong = new Redis(TEST_REDIS_URL, {
      username: userName('kong', 'pubsub'),
      password: PASSWORD,
      enableReadyCheck: false,
      maxRetriesPerRequest: 0,
    });
    clients.push(kong);
    const key = `ratelimit:${randomUUID()}:${randomUUID()}:192.0.2.1:${Date.now()}:minute`;
    created.push(key);
    expect(await kong.eval(COUNTER, 1, key, Math.floor(Date.now() / 1000) + 60)).toBe(3);
    await refused(kong.get(MESSAGE_STREAM_KEY));
    await refused(kong.publish('chat:room:{x}', '{}'));
    await refused(kong.subscribe('chat:room:{x}'));
    await refused(kong.flushall());
    await expect(kong.eval("return redis.call('set', KEYS[1], '1')", 1, key)).rejects.toThrow(SCRIPT_REFUSED);
  });
});
