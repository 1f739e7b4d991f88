import { randomUUID } from 'node:crypto';
import { WebSocket } from 'ws';
import { generateTokenKeySets, signAccessToken, TokenSigningKeys } from '@co-talk/common/jwt';
import { createLogger } from '@co-talk/common/logger';
import { createRedis, type RedisClient } from '@co-talk/common/redis';
import { ROOM_MEMBERS_LOADED, roomMembersKey } from '@co-talk/common/room-members';
import { loadGatewayEnv, type GatewayEnv } from '../src/config';
import { Gateway } from '../src/gateway';

/** Shared by the gateway tests: real Redis on 127.0.0.1, a key prefix per test file, real sockets. */

/** The test key sets: tokens are signed with the private set, the gateway gets the public one. */
export const TOKEN_KEYS = generateTokenKeySets();
const SIGNING_KEYS = TokenSigningKeys.parse(TOKEN_KEYS.signingKeys);
export const ISSUER = 'co-talk-test';
export const REDIS_URL = 'redis://127.0.0.1:6379';

/** The prefixes this test file made: {@link TestClient.join} makes the user a member under each. */
const prefixes = new Set<string>();
let admin: RedisClient | null = null;

/** A key prefix no other test run uses; {@link cleanup} deletes everything under it. */
export function newPrefix(name: string): string {
  const prefix = `test:gw:${name}:${randomUUID().slice(0, 8)}:`;
  prefixes.add(prefix);
  return prefix;
}

/**
 * Makes users members of a room the way the API does (its mirrored set, marker included), under
 * every prefix of this test file (two gateways may use two).
 */
export async function addMembers(roomId: string, ...userIds: string[]): Promise<void> {
  admin ??= createRedis({ url: REDIS_URL });
  for (const prefix of prefixes)
    await admin.sadd(`${prefix}${roomMembersKey(roomId)}`, ROOM_MEMBERS_LOADED, ...userIds);
}

/** The `sub` of an access token (tests only: no verification). */
function userIdOf(accessToken: string): string {
  return (JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString()) as { sub: string }).sub;
}

/** A gateway environment for tests: ephemeral ports, the given prefix, overrides on top. */
export function testEnv(prefix: string, overrides: Partial<GatewayEnv> = {}): GatewayEnv {
  const env = loadGatewayEnv({
    JWT_PUBLIC_KEYS: TOKEN_KEYS.publicKeys,
    JWT_ISSUER: ISSUER,
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    GATEWAY_HOST: '127.0.0.1',
    GATEWAY_WORKERS: '1',
    LOG_LEVEL: 'silent',
  });
  return { ...env, GATEWAY_PORT: 0, GATEWAY_HTTP_PORT: 0, ...overrides };
}

export function startGateway(env: GatewayEnv): Promise<Gateway> {
  return Gateway.start(env, { logger: createLogger({ service: 'gateway', level: 'silent' }) });
}

export function token(userId: string = randomUUID(), ttlSeconds = 300): Promise<string> {
  return signAccessToken(SIGNING_KEYS, { userId, ttlSeconds, issuer: ISSUER });
}

/** Deletes every key under the prefix. */
export async function cleanup(prefix: string): Promise<void> {
  const redis = createRedis({ url: REDIS_URL });
  try {
    const keys: string[] = [];
    for await (const batch of (redis as import('ioredis').Redis).scanStream({ match: `${prefix}*`, count: 1000 }))
      keys.push(...(batch as string[]));
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
    admin?.disconnect();
    admin = null;
  }
}

/** A server event as the client sees it. */
export type ServerEvent = { type: string; [field: string]: unknown };

/** A WebSocket client that unpacks the gateway's coalesced frames into a queue of events. */
export class TestClient {
  readonly events: ServerEvent[] = [];
  private waiters: Array<() => void> = [];
  closeCode: number | null = null;
  closeReason = '';
  readonly closed: Promise<number>;

  private constructor(
    readonly socket: WebSocket,
    /** The token's user, or null for a connection without one. */
    readonly userId: string | null,
  ) {
    socket.on('message', (data) => {
      for (const event of JSON.parse(String(data)) as ServerEvent[]) this.events.push(event);
      this.wake();
    });
    this.closed = new Promise((resolve) =>
      socket.on('close', (code, reason) => {
        this.closeCode = code;
        this.closeReason = String(reason);
        this.wake();
        resolve(code);
      }),
    );
  }

  static connect(
    port: number,
    accessToken: string | null,
    how: 'header' | 'protocol' | 'query' = 'header',
  ): Promise<TestClient> {
    const query = how === 'query' && accessToken !== null ? `?access_token=${accessToken}` : '';
    const headers = how === 'header' && accessToken !== null ? { authorization: `Bearer ${accessToken}` } : undefined;
    const protocols = how === 'protocol' && accessToken !== null ? ['bearer', accessToken] : undefined;
    const socket = new WebSocket(`ws://127.0.0.1:${port}/${query}`, protocols, { headers });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new TestClient(socket, accessToken === null ? null : userIdOf(accessToken))));
      socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      socket.once('error', reject);
    });
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Resolves with the first queued event matching, removing it; fails after `timeoutMs`. */
  async next(match: (event: ServerEvent) => boolean, timeoutMs = 5000): Promise<ServerEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = this.events.findIndex(match);
      if (at >= 0) return this.events.splice(at, 1)[0];
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching event within ${timeoutMs} ms; have ${JSON.stringify(this.events)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      if (this.closeCode !== null && this.events.findIndex(match) < 0) {
        throw new Error(`closed with ${this.closeCode} ${this.closeReason} before a matching event`);
      }
    }
  }

  /** Becomes a member of the room (as the API would record it), joins it and waits for the confirmation. */
  async join(roomId: string): Promise<void> {
    if (this.userId !== null) await addMembers(roomId, this.userId);
    this.send({ type: 'join', roomId });
    await this.next((e) => e.type === 'joined' && e.roomId === roomId);
  }

  close(): void {
    this.socket.terminate();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/** How an upgrade attempt was refused: the HTTP status, or the socket error code (listener gone). */
export function refusedStatus(
  port: number,
  headers: Record<string, string> = {},
  query = '',
): Promise<number | string> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/${query}`, { headers });
  return new Promise((resolve, reject) => {
    socket.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('open', () => {
      socket.terminate();
      reject(new Error('upgrade was accepted'));
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}
