import { BACKEND_USES, type WorkloadName } from './backends';

/**
 * Who may do what on each Redis cluster: one ElastiCache RBAC user per app and cluster it uses
 * (`BACKEND_USES`), each held to the keys, pub/sub channels and commands that app issues. The
 * data stack creates the users from these access strings; `apps/test/redis-acl.test.ts` creates
 * the same users in a real Redis and runs each app's own Redis code as them, so a command or key
 * an app starts using without a rule here fails that test before it fails in production.
 *
 * Commands a script calls are checked against its caller's rules too (Redis 7 ACLs), so `EVAL`
 * grants nothing beyond the listed commands. Pub/sub channels start empty (`resetchannels` is the
 * default of Redis 7 ACL users): a user with no `&pattern` may not publish or subscribe at all.
 */

/** The three clusters by role (`lib/data/redis-clusters.ts`). */
export type RedisRole = 'cache' | 'pubsub' | 'streams';

/** The cluster each `redis-*` backend use names. */
export const REDIS_ROLE_OF_USE = {
  'redis-cache': 'cache',
  'redis-pubsub': 'pubsub',
  'redis-streams': 'streams',
} as const satisfies Record<`redis-${RedisRole}`, RedisRole>;

/** The apps that connect to Redis. */
export type RedisApp = 'gateway' | 'api' | 'worker' | 'kong';

/**
 * One user's rules, as Redis glob patterns. Production runs without `REDIS_KEY_PREFIX` (which
 * tests use to share one server), so the patterns carry none; the room channels never do.
 */
export interface RedisAccess {
  /** Key patterns (`~pattern`). */
  readonly keys: readonly string[];
  /** Pub/sub channel patterns (`&pattern`), for PUBLISH/SUBSCRIBE and their sharded forms. */
  readonly channels: readonly string[];
  /** Commands (`+command`, `+command|subcommand`); nothing else is allowed. */
  readonly commands: readonly string[];
}

/**
 * What ioredis sends on every connection that needs a rule: its name (`CLIENT SETNAME`, shown by
 * `CLIENT LIST`) and the ready check (`INFO`). AUTH needs none; `CLIENT SETINFO` (Redis 7.2+, not
 * in the engine's 7.1) is refused and ioredis ignores that.
 */
const IOREDIS_CONNECTION = ['client|setname', 'info'];
/** In cluster mode ioredis also reads the slot map and checks the cluster's state. */
const IOREDIS_CLUSTER = ['cluster|slots', 'cluster|info'];

/** Keys of the room membership mirror: the sets, the rebuild list and its pending flags (`room-members.ts`). */
const ROOM_MEMBERS_KEYS = 'chat:members:*';
/** The channel the api announces member removals on (`ROOM_MEMBER_REMOVED_CHANNEL`). */
const ROOM_MEMBER_REMOVED_CHANNEL = 'chat:members:removed';
/** The message stream (`MESSAGE_STREAM_KEY`). */
const MESSAGE_STREAM = 'chat:messages';

/**
 * Every app's rules, per cluster. The key names are the apps' own (`apps/common/src`); the test
 * named above proves each pattern covers what the app's code writes.
 */
export const REDIS_ACCESS = {
  gateway: {
    // Fan-out: each room's channel, nothing stored.
    pubsub: {
      keys: [],
      channels: ['chat:room:*'],
      commands: [
        ...IOREDIS_CONNECTION,
        'publish',
        'spublish',
        'subscribe',
        'ssubscribe',
        'unsubscribe',
        'sunsubscribe',
      ],
    },
    // The store script (idempotency record, GCRA rates, XADD) and the connection counts.
    streams: {
      keys: [MESSAGE_STREAM, 'chat:idem:*', 'chat:rate:*', 'chat:conns:*'],
      channels: [],
      commands: [
        ...IOREDIS_CONNECTION,
        // ioredis sends a defined script as EVAL once per connection, then as EVALSHA.
        'eval',
        'evalsha',
        // Called by the scripts.
        'get',
        'set',
        'time',
        'xadd',
        'hvals',
        'hgetall',
        'hincrby',
        'hdel',
        'exists',
        // Also the counts' TTL renewal; `set` is also the instance's liveness key.
        'pexpire',
      ],
    },
    // Membership checks, rebuild requests, and removals announced by the api.
    cache: {
      keys: [ROOM_MEMBERS_KEYS],
      channels: [ROOM_MEMBER_REMOVED_CHANNEL],
      commands: [
        ...IOREDIS_CONNECTION,
        ...IOREDIS_CLUSTER,
        'smismember',
        'set',
        'rpush',
        'subscribe',
        'ssubscribe',
        'unsubscribe',
        'sunsubscribe',
      ],
    },
  },
  api: {
    // The L2 cache, the membership mirror (with its rebuild queue) and the sign-in throttle.
    cache: {
      keys: ['cache:*', ROOM_MEMBERS_KEYS, 'signin:*'],
      channels: [ROOM_MEMBER_REMOVED_CHANNEL],
      commands: [
        ...IOREDIS_CONNECTION,
        ...IOREDIS_CLUSTER,
        'ping',
        'get',
        'set',
        'del',
        'sadd',
        'srem',
        'expire',
        'multi',
        'exec',
        'blpop',
        'publish',
        'spublish',
        'hget',
        // The sign-in failure script and what it calls.
        'eval',
        'hincrby',
        'hset',
        'pexpire',
      ],
    },
  },
  worker: {
    // The stream's consumer group, and the dead-letter stream beside it.
    streams: {
      keys: [MESSAGE_STREAM, `${MESSAGE_STREAM}:dead`],
      channels: [],
      commands: [
        ...IOREDIS_CONNECTION,
        'ping',
        'xgroup|create',
        'xgroup|delconsumer',
        'xreadgroup',
        'xautoclaim',
        'xinfo|groups',
        'xinfo|consumers',
        'xack',
        'xadd',
      ],
    },
  },
  kong: {
    // The rate-limiting plugin's counters (Kong 3.9 `rate-limiting/policies/init.lua`): keys
    // `ratelimit:<route>:<service>:<identifier>:<period date>:<period>`, updated by two EVAL
    // scripts. Kong's anonymous reports (which would send INFO) are off in the chart.
    pubsub: {
      keys: ['ratelimit:*'],
      channels: [],
      commands: ['eval', 'incr', 'expire', 'exists', 'incrby', 'expireat'],
    },
  },
} as const satisfies Record<RedisApp, Partial<Record<RedisRole, RedisAccess>>>;

/** The access string of `access`: `on`, the key and channel patterns, the commands and nothing else. */
export function redisAccessString(access: RedisAccess): string {
  return [
    'on',
    ...access.keys.map((pattern) => `~${pattern}`),
    ...access.channels.map((pattern) => `&${pattern}`),
    '-@all',
    ...access.commands.map((command) => `+${command}`),
  ].join(' ');
}

/**
 * ElastiCache requires a user named `default` in every user group; it is the one a connection
 * that has not authenticated runs as, so it is switched off and allowed nothing.
 */
export const REDIS_DEFAULT_USER_ACCESS_STRING = 'off -@all';

/** One app's user on one cluster. */
export interface RedisUserSpec {
  readonly app: RedisApp;
  readonly role: RedisRole;
  readonly access: RedisAccess;
}

/**
 * The users of one cluster, in a fixed order: one per app whose `BACKEND_USES` names the cluster.
 * Throws when an app uses a cluster it has no rules for, or has rules for one it does not use.
 */
export function redisUsersOf(role: RedisRole): RedisUserSpec[] {
  const users: RedisUserSpec[] = [];
  for (const app of Object.keys(BACKEND_USES) as WorkloadName[]) {
    const uses = (BACKEND_USES[app] as readonly string[]).includes(`redis-${role}`);
    const rules = (REDIS_ACCESS as Partial<Record<string, Partial<Record<RedisRole, RedisAccess>>>>)[app];
    const access = rules?.[role];
    if (uses !== (access !== undefined)) {
      throw new Error(
        `REDIS_ACCESS.${app}.${role} ${access ? 'exists but BACKEND_USES does not name' : 'is missing for'} redis-${role}; keep lib/contract/redis-acl.ts and backends.ts in step`,
      );
    }
    if (access) users.push({ app: app as RedisApp, role, access });
  }
  return users;
}

/**
 * The ElastiCache user id (and user name) of `app` on `role` in one environment: unique in the
 * account and region, which several environments may share. Ids allow letters, digits and single
 * hyphens.
 */
export function redisUserName(environment: string, app: RedisApp, role: RedisRole): string {
  return `cotalk-${environment}-${app}-${role}`;
}
