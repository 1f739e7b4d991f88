import { z } from 'zod';

/**
 * Room membership as the gateway sees it: the API (which owns membership in PostgreSQL) mirrors
 * each room's members into a Redis set on the cache cluster, and the gateway, which has no
 * database access, checks `SISMEMBER` before it lets a connection join a room.
 *
 * A set always holds {@link ROOM_MEMBERS_LOADED}, so "no such key" means "not mirrored yet" (a
 * room from before the mirror existed, a flushed or replaced cluster) and never "empty room".
 * On such a miss the gateway pushes the room id onto {@link ROOM_MEMBERS_REBUILD_KEY}; an API
 * instance pops it, rebuilds the set from the database, and the gateway checks again.
 */

/** The set of a room's member user ids (the hash tag keeps it on one shard with the room's other keys). */
export function roomMembersKey(roomId: string): string {
  return `chat:members:{${roomId}}`;
}

/** The marker member every mirrored set holds; not a user id (user ids are UUIDs). */
export const ROOM_MEMBERS_LOADED = '*';

/** List of room ids whose set the gateway found missing; the API consumes it. */
export const ROOM_MEMBERS_REBUILD_KEY = 'chat:members:rebuild';

/** Set for a few seconds while a room's rebuild is requested, so concurrent joins request it once. */
export function roomMembersRebuildPendingKey(roomId: string): string {
  return `chat:members:rebuilding:{${roomId}}`;
}

/**
 * Channel on the cache cluster where the API announces a member removed from a room (JSON
 * {@link MemberRemoved}), so the gateway takes that user's live connections out of the room at
 * once instead of at their next reconnect. SPUBLISH in cluster mode: one shard carries it, which
 * the traffic (one message per removal) allows. Prefixed like the keys.
 */
export const ROOM_MEMBER_REMOVED_CHANNEL = 'chat:members:removed';

/** What {@link ROOM_MEMBER_REMOVED_CHANNEL} carries. */
export const memberRemovedSchema = z.object({ roomId: z.string(), userId: z.string() });

/** A removal notice. */
export type MemberRemoved = z.infer<typeof memberRemovedSchema>;
