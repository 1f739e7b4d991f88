import { badRequest } from './http-errors';

/**
 * History cursors: the last row's (created_at, id), opaque to clients (base64url JSON). A cursor is
 * client input like any other, so decoding checks it completely: a forged one is a 400 naming
 * `querystring.before`, never a database error.
 */

/** A position in a room's history, newest first. */
export interface HistoryCursor {
  /** created_at to the microsecond, UTC (`2026-11-25T10:00:00.123456Z`). */
  readonly createdAt: string;
  readonly id: string;
}

/** The exact form {@link encodeCursor} is given (PostgreSQL's to_char of created_at in UTC). */
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeCursor(createdAt: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');
}

export function decodeCursor(cursor: string): HistoryCursor {
  try {
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(decoded) && decoded.length === 2) {
      const [createdAt, id] = decoded as unknown[];
      if (typeof createdAt === 'string' && isTimestamp(createdAt) && typeof id === 'string' && UUID.test(id)) {
        return { createdAt, id };
      }
    }
  } catch {
    // fall through to the 400 below
  }
  throw badRequest('querystring.before', 'is not a cursor returned by this API');
}

/** A real UTC instant PostgreSQL accepts as timestamptz (Date.parse alone lets "2026-02-31" and year 0 through). */
function isTimestamp(value: string): boolean {
  const match = TIMESTAMP.exec(value);
  if (!match) return false;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  if (year < 1 || hour > 23 || minute > 59 || second > 59) return false;
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  date.setUTCFullYear(year);
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
