import type { Pool } from 'pg';
import type { ApiContext } from './context';

/** One side of a friendship: 'requested' (I asked), 'pending' (I was asked), 'accepted'. */
export interface Friend {
  readonly userId: string;
  readonly status: 'requested' | 'pending' | 'accepted';
  readonly since: string;
}

export const friendsCacheKey = (userId: string): string => `friends:{${userId}}`;

/** The friend list of `userId` through the two cache levels; the replica answers a miss. */
export async function getFriends(ctx: ApiContext, userId: string): Promise<{ friends: Friend[]; source: string }> {
  const { value, source } = await ctx.cache.get<Friend[]>(friendsCacheKey(userId), () =>
    loadFriends(ctx.postgres.reader, userId),
  );
  return { friends: value ?? [], source };
}

/** Reads the list with `idx_friends_user_status` (user_id, status) INCLUDE (friend_id). */
export async function loadFriends(pool: Pool, userId: string): Promise<Friend[]> {
  const { rows } = await pool.query<{ friend_id: string; status: Friend['status']; updated_at: Date }>(
    'SELECT friend_id, status, updated_at FROM friends WHERE user_id = $1 ORDER BY updated_at DESC, friend_id',
    [userId],
  );
  return rows.map((r) => ({ userId: r.friend_id, status: r.status, since: r.updated_at.toISOString() }));
}

/** After a write: read both lists from the primary (no replica lag) and write them through. */
export async function writeThroughFriends(ctx: ApiContext, ...userIds: string[]): Promise<void> {
  await Promise.all(
    userIds.map(async (id) => ctx.cache.set(friendsCacheKey(id), await loadFriends(ctx.postgres.writer, id))),
  );
}
