import { roomChannel } from '@co-talk/common/chat-message';
import { type RedisClient } from '@co-talk/common/redis';
import type { Coalescer, RoomQueue } from './coalescer';
import type { Connection } from './connection';
import { serverEvent } from './protocol';

/** What the room registry reports, for metrics. */
export interface RoomHooks {
  /** A message reached `members` local members, `latencyMs` after the sender's gateway accepted it. */
  readonly onFanout: (members: number, latencyMs: number) => void;
}

/** `chat:room:{`: what every room channel starts with, up to the room id. */
const CHANNEL_HEAD = roomChannel('').slice(0, roomChannel('').indexOf('{') + 1);

/**
 * The rooms this instance has members in, and its Redis subscriptions: a room's channel is
 * subscribed while at least one local connection is in the room, so a message crosses the
 * network to an instance once, however many of its connections are in the room.
 *
 * Subscriptions live on one dedicated connection (a subscribed connection can run nothing else).
 * After a dropped connection ioredis reconnects and re-subscribes every channel by itself.
 */
/** A room with local members and its subscription, live once `subscribed` resolves. */
interface Room extends RoomQueue {
  readonly members: Set<Connection>;
  readonly subscribed: Promise<unknown>;
}

export class Rooms {
  private readonly rooms = new Map<string, Room>();

  constructor(
    private readonly subscriber: RedisClient,
    private readonly sharded: boolean,
    private readonly coalescer: Coalescer,
    private readonly hooks: RoomHooks,
  ) {
    subscriber.on(sharded ? 'smessage' : 'message', this.onMessage);
  }

  /** Local rooms with at least one member. */
  get size(): number {
    return this.rooms.size;
  }

  /**
   * Adds the connection to the room; resolves once the subscription is live, for the first local
   * member and for those who join while it is being set up, so nothing is missed after `joined`.
   */
  async join(connection: Connection, roomId: string): Promise<void> {
    let room = this.rooms.get(roomId);
    if (room === undefined) {
      const channel = roomChannel(roomId);
      // Commands on the subscriber run in order, so a join racing a last leave ends subscribed.
      room = {
        members: new Set(),
        pending: null,
        subscribed: this.sharded ? this.subscriber.ssubscribe(channel) : this.subscriber.subscribe(channel),
      };
      this.rooms.set(roomId, room);
    }
    room.members.add(connection);
    (connection.rooms ??= new Set()).add(roomId);
    await room.subscribed;
  }

  /** Removes the connection from the room; unsubscribes when it was the last local member. */
  leave(connection: Connection, roomId: string): void {
    connection.rooms?.delete(roomId);
    const room = this.rooms.get(roomId);
    if (room === undefined || !room.members.delete(connection) || room.members.size > 0) return;
    this.rooms.delete(roomId);
    const channel = roomChannel(roomId);
    const unsubscribed = this.sharded ? this.subscriber.sunsubscribe(channel) : this.subscriber.unsubscribe(channel);
    // A failure here leaves a harmless extra subscription until the connection is next reset.
    unsubscribed.catch(() => undefined);
  }

  /** Takes every local connection of `userId` out of the room; returns them. */
  removeUser(roomId: string, userId: string): Connection[] {
    const room = this.rooms.get(roomId);
    if (room === undefined) return [];
    const removed = [...room.members].filter((connection) => connection.userId === userId);
    for (const connection of removed) this.leave(connection, roomId);
    return removed;
  }

  /** Removes a closed connection from all its rooms. */
  leaveAll(connection: Connection): void {
    if (connection.rooms === null) return;
    for (const roomId of [...connection.rooms]) this.leave(connection, roomId);
    connection.rooms = null;
  }

  /** Delivers a message JSON to the local members of its room. */
  deliver(roomId: string, messageJson: string, createdAtMs: number): void {
    const room = this.rooms.get(roomId);
    if (room === undefined) return;
    this.coalescer.enqueueRoom(room, serverEvent.message(messageJson));
    this.hooks.onFanout(room.members.size, Date.now() - createdAtMs);
  }

  private readonly onMessage = (channel: string, messageJson: string): void => {
    if (!channel.startsWith(CHANNEL_HEAD)) return;
    const roomId = channel.slice(CHANNEL_HEAD.length, -1);
    if (!this.rooms.has(roomId)) return;
    this.deliver(roomId, messageJson, createdAtOf(messageJson));
  };
}

/**
 * Reads `createdAt` from a message the gateways published themselves (the field order is fixed by
 * `MessageStore`), without parsing the whole JSON once per message.
 */
function createdAtOf(messageJson: string): number {
  const at = messageJson.lastIndexOf('"createdAt":"');
  if (at < 0) return Date.now();
  const ms = Date.parse(messageJson.slice(at + 13, at + 13 + 24));
  return Number.isNaN(ms) ? Date.now() : ms;
}
