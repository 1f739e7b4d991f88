import { type Logger } from '@co-talk/common/logger';
import { type RedisClient } from '@co-talk/common/redis';
import {
  ROOM_MEMBER_REMOVED_CHANNEL,
  ROOM_MEMBERS_LOADED,
  ROOM_MEMBERS_REBUILD_KEY,
  roomMembersKey,
  type MemberRemoved,
} from '@co-talk/common/room-members';
import type { Pool } from 'pg';

/** How long the set of a room without members (or without existence) is kept. */
const EMPTY_ROOM_TTL_SECONDS = 3600;

/** Settings for {@link RoomMembersMirror}. */
export interface RoomMembersMirrorOptions {
  /** The cache cluster, where the gateway reads the sets. */
  readonly redis: RedisClient;
  /** The primary: a rebuild must see a member added a moment ago, which a replica may not yet. */
  readonly writer: Pool;
  /** In front of every key (empty in production). */
  readonly keyPrefix: string;
  /** The cache cluster runs in cluster mode: announce removals with SPUBLISH. */
  readonly clusterMode: boolean;
  readonly logger: Logger;
}

/**
 * Mirrors room membership into Redis sets for the gateway (see `@co-talk/common` room-members):
 * written through after every committed change, and rebuilt from the database when the gateway
 * reports a room whose set is missing.
 *
 * If a write-through fails, the set is deleted so the next join rebuilds it from the database;
 * if even that fails the request fails, since a removed member must not keep access.
 */
export class RoomMembersMirror {
  private blocking: RedisClient | null = null;
  private consuming: Promise<void> | null = null;

  constructor(private readonly options: RoomMembersMirrorOptions) {}

  private key(roomId: string): string {
    return `${this.options.keyPrefix}${roomMembersKey(roomId)}`;
  }

  /** A new room: its complete member list. */
  async created(roomId: string, userIds: readonly string[]): Promise<void> {
    await this.writeThrough(roomId, () => this.options.redis.sadd(this.key(roomId), ROOM_MEMBERS_LOADED, ...userIds));
  }

  /** A member was added to an existing room. */
  async added(roomId: string, userId: string): Promise<void> {
    // Without the marker (a room not mirrored yet) the gateway still rebuilds the set on a join.
    await this.writeThrough(roomId, () => this.options.redis.sadd(this.key(roomId), userId));
  }

  /**
   * A member left or was removed: out of the set, so no new join is let in, then announced, so
   * the gateways take the user's live connections out of the room.
   */
  async removed(roomId: string, userId: string): Promise<void> {
    await this.writeThrough(roomId, () => this.options.redis.srem(this.key(roomId), userId));
    const channel = `${this.options.keyPrefix}${ROOM_MEMBER_REMOVED_CHANNEL}`;
    const notice = JSON.stringify({ roomId, userId } satisfies MemberRemoved);
    try {
      await (this.options.clusterMode
        ? this.options.redis.spublish(channel, notice)
        : this.options.redis.publish(channel, notice));
    } catch (err) {
      // The removal stands (database and set); only connections already in the room keep it
      // until they reconnect.
      this.options.logger.warn({ err: (err as Error).message, roomId }, 'member removal not announced');
    }
  }

  /** Re-creates a room's set from the primary. A room that does not exist gets a marker-only set. */
  async rebuild(roomId: string): Promise<number> {
    const { rows } = await this.options.writer.query<{ user_id: string }>(
      'SELECT user_id FROM room_members WHERE room_id = $1',
      [roomId],
    );
    const key = this.key(roomId);
    const write = this.options.redis.multi().sadd(key, ROOM_MEMBERS_LOADED, ...rows.map((row) => row.user_id));
    // No such room (or an emptied one): remember that for a while only, so made-up room ids
    // cannot pile up sets that never go away.
    if (rows.length === 0) write.expire(key, EMPTY_ROOM_TTL_SECONDS);
    await write.exec();
    return rows.length;
  }

  /**
   * Serves the gateway's rebuild requests until {@link stop}: a blocking pop on a connection of its
   * own (a blocked connection can run nothing else). Every API instance runs one; each request is
   * popped by exactly one of them.
   */
  startRebuilding(blocking: RedisClient): void {
    this.blocking = blocking;
    const requests = `${this.options.keyPrefix}${ROOM_MEMBERS_REBUILD_KEY}`;
    const loop = async (): Promise<void> => {
      while (this.blocking !== null) {
        try {
          const popped = await blocking.blpop(requests, 5);
          if (popped === null) continue;
          const roomId = popped[1];
          const members = await this.rebuild(roomId);
          this.options.logger.info({ roomId, members }, 'room members rebuilt');
        } catch (err) {
          if (this.blocking === null) return;
          this.options.logger.warn({ err: (err as Error).message }, 'room members rebuild failed');
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
    };
    this.consuming = loop();
  }

  /** Stops serving rebuild requests and closes the blocking connection. */
  async stop(): Promise<void> {
    const blocking = this.blocking;
    this.blocking = null;
    blocking?.disconnect();
    await this.consuming;
  }

  private async writeThrough(roomId: string, write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (err) {
      this.options.logger.warn({ err: (err as Error).message, roomId }, 'room members write-through failed');
      // Dropping the set makes the next join rebuild it from the database, which is right by then.
      await this.options.redis.del(this.key(roomId));
    }
  }
}
