import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { AccessTokenError, verifyAccessToken } from '@co-talk/common/jwt';
import { type Logger } from '@co-talk/common/logger';
import { createMetricsRegistry, startProbeServer } from '@co-talk/common/metrics';
import { redisOptionsFromEnv } from '@co-talk/common/redis';
import { type MemberRemoved } from '@co-talk/common/room-members';
import type { Registry } from 'prom-client';
import { WebSocket, WebSocketServer } from 'ws';
import { BEARER_PROTOCOL, tokenOf } from './auth';
import { Coalescer } from './coalescer';
import type { GatewayEnv } from './config';
import { Connection } from './connection';
import { GatewayMetrics } from './gateway-metrics';
import { InProgressError, MessageStore } from './message-store';
import { parseClientFrame, serverEvent, type ClientFrame, type ErrorCode } from './protocol';
import { GatewayRedis } from './redis-clients';
import { MembershipUnknownError, RoomMembership } from './room-membership';
import { Rooms } from './rooms';

/** Close codes the gateway uses (RFC 6455 §7.4.1). */
export const CLOSE_GOING_AWAY = 1001;
export const CLOSE_POLICY_VIOLATION = 1008;

/** Frames above the protocol limit get an error frame; frames above this multiple are not read at all (ws closes with 1009). */
const HARD_FRAME_LIMIT_FACTOR = 4;

/** Options beyond the environment. */
export interface GatewayOptions {
  readonly logger: Logger;
  /**
   * Serve `/healthz`, `/readyz` and `/metrics` on GATEWAY_HTTP_PORT from this process. Off in a
   * cluster worker: the primary serves them for the whole pod.
   * @default true
   */
  readonly serveProbes?: boolean;
}

const connectionOf = Symbol('connection');
type TrackedSocket = WebSocket & { [connectionOf]: Connection };

/**
 * One gateway event loop: the door (upgrade, token), inbound frames, and drain. Rooms, membership,
 * storage and the outbound frames are the collaborators' (see the README's layout).
 */
export class Gateway {
  readonly registry: Registry;
  readonly metrics: GatewayMetrics;
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly redis: GatewayRedis;
  private readonly membership: RoomMembership;
  private readonly coalescer: Coalescer;
  private readonly rooms: Rooms;
  private readonly store: MessageStore;
  // Listeners shared by every socket (ws calls them with `this` = the socket): a closure per
  // connection would cost memory at a million connections.
  private readonly onSocketMessage: (this: WebSocket, data: Buffer, isBinary: boolean) => void;
  private readonly onSocketClose: (this: WebSocket) => void;
  private probeServer: Server | null = null;
  private draining: Promise<void> | null = null;
  private inFlight = 0;

  private constructor(
    private readonly env: GatewayEnv,
    private readonly logger: Logger,
  ) {
    ({ message: this.onSocketMessage, close: this.onSocketClose } = socketListeners(this));
    this.registry = createMetricsRegistry('gateway');
    this.metrics = new GatewayMetrics(this.registry);
    // Names show in CLIENT LIST; the key prefix tells apart gateways sharing one Redis (tests, dev).
    const name = env.REDIS_KEY_PREFIX === '' ? 'gateway' : `gateway-${env.REDIS_KEY_PREFIX.replace(/:/g, '-')}`;
    this.redis = new GatewayRedis(env, name, logger);
    this.membership = new RoomMembership({
      cache: redisOptionsFromEnv(env, 'cache'),
      keyPrefix: env.REDIS_KEY_PREFIX,
      connectionName: name,
      logger,
      onRemoved: (notice) => this.onMemberRemoved(notice),
    });
    this.coalescer = new Coalescer(
      env.GATEWAY_MAX_BUFFERED_BYTES,
      {
        onFrame: () => this.metrics.framesOut.inc(),
        onSlowConsumer: () => this.metrics.closes.inc({ code: '1013' }),
      },
      env.GATEWAY_FLUSH_INTERVAL_MS,
    );
    this.rooms = new Rooms(this.redis.subscriber, this.redis.sharded, this.coalescer, {
      onFanout: (members, latencyMs) => {
        this.metrics.messagesOut.inc(members);
        this.metrics.fanoutLatency.observe(latencyMs / 1000);
      },
    });
    this.store = new MessageStore(this.redis.streams, this.redis.publisher, {
      keyPrefix: env.REDIS_KEY_PREFIX,
      idempotencyTtlSeconds: env.GATEWAY_IDEMPOTENCY_TTL_SECONDS,
      streamMaxLen: env.GATEWAY_STREAM_MAXLEN,
      sharded: this.redis.sharded,
    });
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: env.GATEWAY_MAX_FRAME_BYTES * HARD_FRAME_LIMIT_FACTOR,
      // Compression would cost ~300 KB of zlib state per busy connection: out of the memory budget.
      perMessageDeflate: false,
      handleProtocols: (protocols) => (protocols.has(BEARER_PROTOCOL) ? BEARER_PROTOCOL : false),
    });
    this.server = createServer((_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' });
      res.end('this port speaks WebSocket only\n');
    });
    this.server.on('upgrade', this.onUpgrade);
  }

  /** Starts a gateway and resolves once it listens. */
  static async start(env: GatewayEnv, options: GatewayOptions): Promise<Gateway> {
    const gateway = new Gateway(env, options.logger);
    await new Promise<void>((resolve, reject) => {
      gateway.server.once('error', reject);
      gateway.server.listen(env.GATEWAY_PORT, env.GATEWAY_HOST, () => resolve());
    });
    if (options.serveProbes ?? true) {
      gateway.probeServer = await startProbeServer(
        env.GATEWAY_HTTP_PORT,
        { registry: gateway.registry, ready: async () => gateway.isReady() },
        env.GATEWAY_HOST,
      );
    }
    return gateway;
  }

  /** The WebSocket port (useful when started on port 0). */
  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  }

  /** The probe port, when this process serves probes. */
  get probePort(): number | null {
    const address = this.probeServer?.address();
    return typeof address === 'object' && address !== null ? address.port : null;
  }

  /** Open connections. */
  get connectionCount(): number {
    return this.wss.clients.size;
  }

  /** Ready to take connections: not draining and every Redis connection up. */
  isReady(): boolean {
    return this.draining === null && this.redis.isReady() && this.membership.isReady();
  }

  /**
   * Graceful drain: stop accepting, tell every client to reconnect elsewhere, close them with
   * 1001 spread over the first half of the drain window (so they do not all reconnect at once),
   * wait for messages being stored, then disconnect from Redis. Acks go out only after XADD, so a
   * message whose ack a client saw is in the stream; one it did not see it resends, harmlessly.
   */
  drain(): Promise<void> {
    this.draining ??= this.runDrain();
    return this.draining;
  }

  private async runDrain(): Promise<void> {
    const drainMs = this.env.GATEWAY_DRAIN_SECONDS * 1000;
    const deadline = Date.now() + drainMs;
    this.logger.info({ connections: this.wss.clients.size, drainSeconds: this.env.GATEWAY_DRAIN_SECONDS }, 'draining');
    const listenerClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const sockets = [...this.wss.clients] as TrackedSocket[];
    const reconnect = serverEvent.reconnect('server draining; reconnect to another instance');
    for (const socket of sockets) this.coalescer.enqueue(socket[connectionOf], reconnect);
    this.coalescer.flush();
    const tickMs = 100;
    const ticks = Math.max(1, Math.floor(drainMs / 2 / tickMs));
    const perTick = Math.ceil(sockets.length / ticks);
    for (let i = 0; i < sockets.length; i += perTick) {
      for (const socket of sockets.slice(i, i + perTick)) {
        if (socket.readyState === WebSocket.OPEN)
          this.closeSocket(socket[connectionOf], CLOSE_GOING_AWAY, 'server draining');
      }
      if (i + perTick < sockets.length) await sleep(tickMs);
    }
    while (this.inFlight > 0 && Date.now() < deadline - 500) await sleep(10);
    if (this.inFlight > 0) this.logger.warn({ inFlight: this.inFlight }, 'drain deadline: messages still in flight');
    for (const socket of this.wss.clients) socket.terminate();
    // Upgrades still being verified see draining and are refused; idle keep-alive sockets go too.
    this.server.closeAllConnections();
    await listenerClosed;
    await this.shutdownClients();
    this.logger.info('drained');
  }

  /** Immediate stop without drain (tests, fatal errors). */
  async close(): Promise<void> {
    this.draining ??= Promise.resolve();
    for (const socket of this.wss.clients) socket.terminate();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.shutdownClients();
  }

  private async shutdownClients(): Promise<void> {
    this.wss.close();
    await Promise.all([this.redis.quit(), this.membership.quit()]);
    if (this.probeServer !== null) {
      const probes = this.probeServer;
      await new Promise<void>((resolve) => probes.close(() => resolve()));
    }
  }

  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', destroy);
    if (this.draining !== null)
      return this.refuse(socket, 503, 'draining', 'server is draining; retry another instance');
    const token = tokenOf(request);
    if (token === null) return this.refuse(socket, 401, 'no_token', 'access token required');
    verifyAccessToken(this.env.JWT_SECRET, token, { issuer: this.env.JWT_ISSUER }).then(
      (verified) => {
        if (this.draining !== null) return this.refuse(socket, 503, 'draining', 'server is draining');
        if (socket.destroyed) return;
        this.wss.handleUpgrade(request, socket, head, (ws) => {
          socket.off('error', destroy);
          this.metrics.upgrades.inc({ result: 'accepted' });
          this.onConnection(
            ws as TrackedSocket,
            new Connection(ws, verified.userId, verified.expiresAt, this.env.GATEWAY_RATE_BURST),
          );
        });
      },
      (err: unknown) => {
        if (!(err instanceof AccessTokenError)) this.logger.error({ err }, 'token verification failed');
        this.refuse(socket, 401, 'bad_token', err instanceof AccessTokenError ? err.message : 'token rejected');
      },
    );
  };

  private refuse(socket: Duplex, status: 401 | 503, result: string, reason: string): void {
    this.metrics.upgrades.inc({ result });
    const text = status === 401 ? 'Unauthorized' : 'Service Unavailable';
    socket.end(
      `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
        `Content-Length: ${Buffer.byteLength(reason) + 1}\r\n\r\n${reason}\n`,
    );
  }

  private onConnection(socket: TrackedSocket, connection: Connection): void {
    socket[connectionOf] = connection;
    this.metrics.connections.inc();
    socket.on('message', this.onSocketMessage);
    socket.on('close', this.onSocketClose);
    socket.on('error', ignore);
  }

  private closeSocket(connection: Connection, code: number, reason: string): void {
    this.metrics.closes.inc({ code: String(code) });
    // Events queued this turn (the error frames that explain the close) go out first.
    this.coalescer.flushConnection(connection);
    connection.socket.close(code, reason);
  }

  private sendError(connection: Connection, code: ErrorCode, message: string, ref?: string): void {
    this.metrics.errors.inc({ code });
    this.coalescer.enqueue(connection, serverEvent.error(code, message, ref));
  }

  /** A socket closed: leave its rooms. */
  handleClose(connection: Connection): void {
    this.metrics.connections.dec();
    this.rooms.leaveAll(connection);
    this.metrics.rooms.set(this.rooms.size);
  }

  /** Handles one inbound frame. */
  handleFrame(connection: Connection, data: Buffer, isBinary: boolean): void {
    const now = Date.now();
    if (!connection.takeToken(this.env.GATEWAY_RATE_PER_SECOND, this.env.GATEWAY_RATE_BURST, now)) {
      if (connection.strikes >= this.env.GATEWAY_RATE_STRIKES) {
        this.closeSocket(connection, CLOSE_POLICY_VIOLATION, 'rate limit exceeded');
      } else {
        this.sendError(connection, 'rate_limited', `more than ${this.env.GATEWAY_RATE_PER_SECOND} frames per second`);
      }
      return;
    }
    if (now / 1000 >= connection.expiresAt) {
      this.closeSocket(connection, CLOSE_POLICY_VIOLATION, 'token expired');
      return;
    }
    if (isBinary) return this.sendError(connection, 'binary_not_supported', 'frames must be JSON text');
    if (data.length > this.env.GATEWAY_MAX_FRAME_BYTES) {
      return this.sendError(
        connection,
        'frame_too_large',
        `frame is ${data.length} bytes; the limit is ${this.env.GATEWAY_MAX_FRAME_BYTES}`,
      );
    }
    const parsed = parseClientFrame(data.toString('utf8'));
    if (!parsed.ok) return this.sendError(connection, parsed.code, parsed.message);
    this.dispatch(connection, parsed.frame);
  }

  /** The API removed a member: take that user's live connections out of the room. */
  private onMemberRemoved(notice: MemberRemoved): void {
    for (const connection of this.rooms.removeUser(notice.roomId, notice.userId)) {
      this.coalescer.enqueue(connection, serverEvent.left(notice.roomId, 'removed'));
    }
    this.metrics.rooms.set(this.rooms.size);
  }

  private dispatch(connection: Connection, frame: ClientFrame): void {
    switch (frame.type) {
      case 'join': {
        if (connection.rooms?.has(frame.roomId)) {
          this.coalescer.enqueue(connection, serverEvent.joined(frame.roomId));
          return;
        }
        if ((connection.rooms?.size ?? 0) >= this.env.GATEWAY_MAX_ROOMS_PER_CONNECTION) {
          return this.sendError(
            connection,
            'too_many_rooms',
            `a connection may be in at most ${this.env.GATEWAY_MAX_ROOMS_PER_CONNECTION} rooms`,
            frame.roomId,
          );
        }
        this.membership
          .isMember(frame.roomId, connection.userId)
          .then((member) => {
            if (!member) {
              this.sendError(connection, 'not_a_member', `not a member of room ${frame.roomId}`, frame.roomId);
              return false;
            }
            return this.rooms.join(connection, frame.roomId).then(() => true);
          })
          .then(
            (joined) => {
              if (!joined) return;
              this.metrics.rooms.set(this.rooms.size);
              if (connection.socket.readyState !== WebSocket.OPEN) this.rooms.leave(connection, frame.roomId);
              else this.coalescer.enqueue(connection, serverEvent.joined(frame.roomId));
            },
            (err: unknown) => {
              this.rooms.leave(connection, frame.roomId);
              if (err instanceof MembershipUnknownError) this.metrics.errors.inc({ code: 'membership_unknown' });
              else this.logger.warn({ err: (err as Error).message }, 'join failed');
              this.sendError(connection, 'unavailable', 'could not join the room; retry', frame.roomId);
            },
          );
        return;
      }
      case 'leave':
        this.rooms.leave(connection, frame.roomId);
        this.metrics.rooms.set(this.rooms.size);
        this.coalescer.enqueue(connection, serverEvent.left(frame.roomId));
        return;
      case 'send': {
        if (!connection.rooms?.has(frame.roomId)) {
          return this.sendError(
            connection,
            'not_joined',
            `join room ${frame.roomId} before sending to it`,
            frame.clientMsgId,
          );
        }
        this.inFlight += 1;
        this.store
          .accept(connection.userId, frame.roomId, frame.clientMsgId, frame.content)
          .then(
            (accepted) => {
              if (!accepted.duplicate) this.metrics.messagesIn.inc();
              if (accepted.json !== null && !accepted.published) {
                // The room channel is down: at least this instance's members get it now.
                this.metrics.errors.inc({ code: 'publish_failed' });
                this.rooms.deliver(frame.roomId, accepted.json, Date.parse(accepted.createdAt));
              }
              this.coalescer.enqueue(
                connection,
                serverEvent.ack(frame.clientMsgId, accepted.id, accepted.createdAt, accepted.duplicate),
              );
            },
            (err: unknown) => {
              if (err instanceof InProgressError) {
                return this.sendError(connection, 'in_progress', err.message, frame.clientMsgId);
              }
              this.logger.warn({ err: (err as Error).message }, 'message not stored');
              this.sendError(
                connection,
                'unavailable',
                'message not stored; resend it with the same clientMsgId',
                frame.clientMsgId,
              );
            },
          )
          .finally(() => {
            this.inFlight -= 1;
          });
        return;
      }
    }
  }
}

/** Listeners shared by every socket of a gateway; ws calls them with `this` = the socket. */
function socketListeners(gateway: Gateway) {
  return {
    message(this: WebSocket, data: Buffer, isBinary: boolean): void {
      gateway.handleFrame((this as TrackedSocket)[connectionOf], data, isBinary);
    },
    close(this: WebSocket): void {
      gateway.handleClose((this as TrackedSocket)[connectionOf]);
    },
  };
}

/** Socket errors end in a 'close' event, which does the cleanup. */
function ignore(): void {}

function destroy(this: Duplex): void {
  this.destroy();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
