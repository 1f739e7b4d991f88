import type { Pool, PoolClient } from 'pg';
import type { ApiContext } from './context';
import { badRequest, conflict, forbidden, notFound } from './http-errors';
import { withTransaction } from './transaction';

/**
 * Rooms and their membership. A room is visible only to its members: to anyone else it does not
 * exist (404), so room ids cannot be probed. Every committed membership change is mirrored to the
 * gateway's Redis set (`ctx.members`) before the call returns.
 */

/** The most members a room can be created with (the caller aside). */
export const MAX_INITIAL_MEMBERS = 100;

export type RoomRole = 'owner' | 'member';

export interface Room {
  readonly id: string;
  readonly name: string;
  readonly createdBy: string;
  readonly createdAt: string;
}

export interface RoomMember {
  readonly userId: string;
  readonly role: RoomRole;
  readonly joinedAt: string;
}

interface RoomRow {
  id: string;
  name: string;
  created_by: string;
  created_at: Date;
}

const ROOM_COLUMNS = 'r.id, r.name, r.created_by, r.created_at';

const toRoom = (r: RoomRow): Room => ({
  id: r.id,
  name: r.name,
  createdBy: r.created_by,
  createdAt: r.created_at.toISOString(),
});

/** PostgreSQL's foreign_key_violation: a member id names no user. */
const isMissingUser = (err: unknown): boolean => (err as { code?: string }).code === '23503';

/** The caller's role in a room, or undefined when not a member. */
export async function roleIn(db: Pool | PoolClient, roomId: string, userId: string): Promise<RoomRole | undefined> {
  const { rows } = await db.query<{ role: RoomRole }>(
    'SELECT role FROM room_members WHERE room_id = $1 AND user_id = $2',
    [roomId, userId],
  );
  return rows[0]?.role;
}

/** Throws the room's 404 unless `userId` is a member. */
export async function requireMember(db: Pool | PoolClient, roomId: string, userId: string): Promise<RoomRole> {
  const role = await roleIn(db, roomId, userId);
  if (!role) throw notFound('room');
  return role;
}

/** The ids of every room `userId` belongs to. */
export async function roomIdsOf(db: Pool, userId: string): Promise<string[]> {
  const { rows } = await db.query<{ room_id: string }>('SELECT room_id FROM room_members WHERE user_id = $1', [userId]);
  return rows.map((r) => r.room_id);
}

/** Creates a room owned by `ownerId` with `memberIds` as members, in one transaction. */
export async function createRoom(
  ctx: ApiContext,
  ownerId: string,
  name: string,
  memberIds: readonly string[],
): Promise<Room> {
  const members = [ownerId, ...memberIds.filter((id) => id !== ownerId)];
  let room: Room;
  try {
    room = await withTransaction(ctx.postgres.writer, async (client) => {
      const { rows } = await client.query<RoomRow>(
        'INSERT INTO chat_rooms AS r (name, created_by) VALUES ($1, $2) RETURNING r.id, r.name, r.created_by, r.created_at',
        [name, ownerId],
      );
      await client.query(
        `INSERT INTO room_members (room_id, user_id, role)
         SELECT $1, u, CASE WHEN u = $2 THEN 'owner' ELSE 'member' END FROM unnest($3::uuid[]) AS u`,
        [rows[0].id, ownerId, members],
      );
      return toRoom(rows[0]);
    });
  } catch (err) {
    if (isMissingUser(err)) throw badRequest('body.memberIds', 'names a user that does not exist');
    throw err;
  }
  await ctx.members.created(room.id, members);
  return room;
}

/** The rooms `userId` belongs to, newest first (replica). */
export async function roomsOf(ctx: ApiContext, userId: string): Promise<Room[]> {
  const { rows } = await ctx.postgres.reader.query<RoomRow>(
    `SELECT ${ROOM_COLUMNS} FROM room_members m JOIN chat_rooms r ON r.id = m.room_id
     WHERE m.user_id = $1 ORDER BY r.created_at DESC, r.id`,
    [userId],
  );
  return rows.map(toRoom);
}

/** One room as its member `userId` sees it (replica); 404 for anyone else. */
export async function roomFor(ctx: ApiContext, roomId: string, userId: string): Promise<Room> {
  const { rows } = await ctx.postgres.reader.query<RoomRow>(
    `SELECT ${ROOM_COLUMNS} FROM chat_rooms r
     JOIN room_members m ON m.room_id = r.id AND m.user_id = $2 WHERE r.id = $1`,
    [roomId, userId],
  );
  if (!rows[0]) throw notFound('room');
  return toRoom(rows[0]);
}

/** A room's members in joining order, for its member `callerId` (replica). */
export async function membersOf(ctx: ApiContext, roomId: string, callerId: string): Promise<RoomMember[]> {
  await requireMember(ctx.postgres.reader, roomId, callerId);
  const { rows } = await ctx.postgres.reader.query<{ user_id: string; role: RoomRole; joined_at: Date }>(
    'SELECT user_id, role, joined_at FROM room_members WHERE room_id = $1 ORDER BY joined_at, user_id',
    [roomId],
  );
  return rows.map((r) => ({ userId: r.user_id, role: r.role, joinedAt: r.joined_at.toISOString() }));
}

/** Any member may add a user; adding a member twice is a 409. */
export async function addMember(
  ctx: ApiContext,
  roomId: string,
  callerId: string,
  userId: string,
): Promise<RoomMember> {
  // The primary: a member added a moment ago must be able to add others at once.
  await requireMember(ctx.postgres.writer, roomId, callerId);
  let joinedAt: Date | undefined;
  try {
    const { rows } = await ctx.postgres.writer.query<{ joined_at: Date }>(
      'INSERT INTO room_members (room_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING joined_at',
      [roomId, userId],
    );
    joinedAt = rows[0]?.joined_at;
  } catch (err) {
    if (isMissingUser(err)) throw badRequest('body.userId', 'names a user that does not exist');
    throw err;
  }
  if (!joinedAt) throw conflict('already a member');
  await ctx.members.added(roomId, userId);
  return { userId, role: 'member', joinedAt: joinedAt.toISOString() };
}

/** A member leaves (`userId` is the caller), or the owner removes another member. */
export async function removeMember(ctx: ApiContext, roomId: string, callerId: string, userId: string): Promise<void> {
  const role = await requireMember(ctx.postgres.writer, roomId, callerId);
  if (userId !== callerId && role !== 'owner') throw forbidden('only the owner may remove other members');
  const result = await ctx.postgres.writer.query('DELETE FROM room_members WHERE room_id = $1 AND user_id = $2', [
    roomId,
    userId,
  ]);
  if (result.rowCount === 0) throw notFound('member');
  await ctx.members.removed(roomId, userId);
}
