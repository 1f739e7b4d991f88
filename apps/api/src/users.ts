import type { Pool } from 'pg';
import type { ApiContext } from './context';

/** A user as cached and as returned to that user. */
export interface User {
  readonly id: string;
  readonly email: string;
  readonly displayName: string;
  readonly createdAt: string;
}

interface UserRow {
  id: string;
  email: string;
  display_name: string;
  created_at: Date;
}

export const USER_COLUMNS = 'id, email, display_name, created_at';

export function toUser(row: UserRow): User {
  return { id: row.id, email: row.email, displayName: row.display_name, createdAt: row.created_at.toISOString() };
}

export const userCacheKey = (id: string): string => `user:{${id}}`;

/** User info through the two cache levels; the replica answers a miss. */
export async function getUser(ctx: ApiContext, id: string): Promise<User | undefined> {
  const { value } = await ctx.cache.get<User>(userCacheKey(id), () => loadUser(ctx.postgres.reader, id));
  return value;
}

export async function loadUser(pool: Pool, id: string): Promise<User | undefined> {
  const { rows } = await pool.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]);
  return rows[0] ? toUser(rows[0]) : undefined;
}

/** Others see no email. */
export function publicView(user: User): Omit<User, 'email'> {
  return { id: user.id, displayName: user.displayName, createdAt: user.createdAt };
}
