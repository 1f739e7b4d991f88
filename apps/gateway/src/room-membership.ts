import { type Logger } from '@co-talk/common/logger';
import { createRedis, type RedisClient, type RedisConnectionOptions } from '@co-talk/common/redis';
import {
  memberRemovedSchema,
  ROOM_MEMBER_REMOVED_CHANNEL,
  ROOM_MEMBERS_LOADED,
  ROOM_MEMBERS_REBUILD_KEY,
  roomMembersKey,
  roomMembersRebuildPendingKey,
  type MemberRemoved,
} from '@co-talk/common/room-members';

/**
 * Waits between membership checks after asking the API to rebuild a room's set (about 1.5 s in
 * all); still unknown after that, the join gets `unavailable` and the client retries.
 */
const REBUILD_WAITS_MS = [25, 50, 100, 200, 400, 800];
/** How long a rebuild request for one room suppresses further requests for it. */
const REBUILD_PENDING_SECONDS = 5;

/** The room's membership set is missing and was not rebuilt in time. */
export class MembershipUnknownError extends Error {}

/** Settings for {@link RoomMembership}. */
export interface RoomMembershipOptions {
  /** The cache cluster, where the API mirrors each room's members. */
  readonly cache: RedisConnectionOptions;
  /** Prefix of every key and of the removal channel (empty in production). */
  readonly keyPrefix: string;
  /** `CLIENT LIST` name stem of the two connections. */
  readonly connectionName: string;
  readonly logger: Logger;
  /** Called for every removal the API announces. */
  readonly onRemoved: (notice: MemberRemoved) => void;
}

/**
 * The room membership protocol on the gateway's side (see `@co-talk/common`'s room-members): the
 * `SMISMEMBER` check with its rebuild request on a miss, and the API's removal announcements. It
 * owns both of its cache-cluster connections: one for commands, one subscribed.
 */
export class RoomMembership {
  private readonly commands: RedisClient;
  private readonly events: RedisClient;
  private readonly channel: string;

  constructor(private readonly options: RoomMembershipOptions) {
    const { cache, connectionName, logger } = options;
    this.commands = createRedis({ ...cache, connectionName: `${connectionName}-members`, autoPipelining: true });
    this.events = createRedis({ ...cache, connectionName: `${connectionName}-members-sub` });
    for (const [client, role] of [
      [this.commands, 'membership'],
      [this.events, 'membership-events'],
    ] as const) {
      client.on('error', (err: Error) => logger.warn({ err: err.message, role }, 'redis connection error'));
      client.on('ready', () => logger.info({ role }, 'redis ready'));
    }
    this.channel = `${options.keyPrefix}${ROOM_MEMBER_REMOVED_CHANNEL}`;
    this.followRemovals(cache.clusterMode ?? false);
  }

  /** Both connections are up. */
  isReady(): boolean {
    return this.commands.status === 'ready' && this.events.status === 'ready';
  }

  /**
   * Whether the user is a member of the room, from the set the API mirrors into the cache
   * cluster. A set without its marker is not mirrored yet: ask the API to rebuild it (once per
   * room, however many joins are waiting) and look again. Throws {@link MembershipUnknownError}
   * when it stays unknown.
   */
  async isMember(roomId: string, userId: string): Promise<boolean> {
    const prefix = this.options.keyPrefix;
    const key = `${prefix}${roomMembersKey(roomId)}`;
    for (let attempt = 0; ; attempt++) {
      const [loaded, member] = await this.commands.smismember(key, ROOM_MEMBERS_LOADED, userId);
      if (loaded === 1) return member === 1;
      if (attempt === REBUILD_WAITS_MS.length) {
        throw new MembershipUnknownError(`membership of room ${roomId} is not available`);
      }
      if (attempt === 0) {
        const pending = `${prefix}${roomMembersRebuildPendingKey(roomId)}`;
        const first = await this.commands.set(pending, '1', 'EX', REBUILD_PENDING_SECONDS, 'NX');
        if (first === 'OK') await this.commands.rpush(`${prefix}${ROOM_MEMBERS_REBUILD_KEY}`, roomId);
      }
      await new Promise((resolve) => setTimeout(resolve, REBUILD_WAITS_MS[attempt]));
    }
  }

  async quit(): Promise<void> {
    await Promise.allSettled([this.commands.quit(), this.events.quit()]);
  }

  /** ioredis subscribes again by itself after a reconnect. */
  private followRemovals(sharded: boolean): void {
    const { logger, onRemoved } = this.options;
    const subscribed = sharded ? this.events.ssubscribe(this.channel) : this.events.subscribe(this.channel);
    subscribed.catch((err: Error) => logger.error({ err: err.message }, 'cannot follow member removals'));
    this.events.on(sharded ? 'smessage' : 'message', (from: string, json: string) => {
      if (from !== this.channel) return;
      const notice = parseMemberRemoved(json);
      if (notice === null) return void logger.warn({ json }, 'malformed member removal notice');
      onRemoved(notice);
    });
  }
}

/** A removal notice from the API, or null when it is not one. */
function parseMemberRemoved(json: string): MemberRemoved | null {
  try {
    const notice = memberRemovedSchema.safeParse(JSON.parse(json));
    return notice.success ? notice.data : null;
  } catch {
    return null; // not JSON
  }
}
