import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { type Logger } from '@co-talk/common/logger';
import { createMetricsRegistry, startProbeServer } from '@co-talk/common/metrics';
import { redisOptionsFromEnv } from '@co-talk/common/redis';
import { type MemberRemoved } from '@co-talk/common/room-members';
import { endServerSpan, startServerSpan, type TraceSpan } from '@co-talk/common/tracing';
import type { Registry } from 'prom-client';
import { WebSocket, WebSocketServer } from 'ws';
import { BEARER_PROTOCOL, tokenOf, verifyToken } from './auth';
import { Coalescer } from './coalescer';
import { ConnectionLimits, type LimitRefusal } from './connection-limits';
import type { GatewayEnv } from './config';
import { Connection } from './connection';
import { GatewayMetrics } from './gateway-metrics';
import { Heartbeat } from './heartbeat';
import { MessageStore } from './message-store';
import { refuseForeignOrigin } from './origin';
import { PendingUpgrades } from './pending-upgrades';
import { parseClientFrame, serverEvent, type ClientFrame, type ErrorCode } from './protocol';
import { GatewayRedis } from './redis-clients';
import { MembershipUnknownError, RoomMembership } from './room-membership';
import { Rooms } from './rooms';
import { SessionClock } from './session-clock';

/** Close codes the gateway uses (RFC 6455 §7.4.1). */
export const CLOSE_GOING_AWAY = 1001;
export const CLOSE_POLICY_VIOLATION = 1008;

/** How long an instance's connection counts outlive it when it crashes (`ConnectionLimits`). */
const LIMITS_LIVENESS_MS = 15_000;
/** How long a user's or address's count lives untouched; connections renew it (a crash leaves no count for longer). */
const LIMITS_COUNT_TTL_MS = 3_600_000;

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

/** Who an admitted upgrade is for. */
interface Admitted {
  readonly userId: string;
  readonly expiresAt: number;
  readonly address: string;
}
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
  // connection would cost memory at the hundreds of thousands a server holds (`npm run capacity`).
  private readonly onSocketMessage: (this: WebSocket, data: Buffer, isBinary: boolean) => void;
  private readonly onSocketClose: (this: WebSocket) => void;
  private readonly onSocketPong: (this: WebSocket) => void;
  private readonly heartbeat: Heartbeat;
  private readonly limits: ConnectionLimits;
  private readonly sessions: SessionClock;
  private readonly pending: PendingUpgrades;
  private probeServer: Server | null = null;
  private draining: Promise<void> | null = null;
  private inFlight = 0;

  private constructor(
    private readonly env: GatewayEnv,
    private readonly logger: Logger,
  ) {
    ({ message: this.onSocketMessage, close: this.onSocketClose, pong: this.onSocketPong } = socketListeners(this));
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
      perUser: { perSecond: env.GATEWAY_USER_MESSAGES_PER_SECOND, burst: env.GATEWAY_USER_MESSAGES_BURST },
      perAddress: { perSecond: env.GATEWAY_ADDRESS_MESSAGES_PER_SECOND, burst: env.GATEWAY_ADDRESS_MESSAGES_BURST },
    });
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: env.GATEWAY_MAX_FRAME_BYTES * HARD_FRAME_LIMIT_FACTOR,
      // Compression would cost ~300 KB of zlib state per busy connection: out of the memory budget.
      perMessageDeflate: false,
      handleProtocols: (protocols) => (protocols.has(BEARER_PROTOCOL) ? BEARER_PROTOCOL : false),
    });
    this.limits = new ConnectionLimits(this.redis.streams, {
      keyPrefix: env.REDIS_KEY_PREFIX,
      perUser: env.GATEWAY_USER_CONNECTIONS_MAX,
      perAddress: env.GATEWAY_ADDRESS_CONNECTIONS_MAX,
      // A crashed instance's connections stop counting as soon as its clients could be back.
      livenessMs: LIMITS_LIVENESS_MS,
      countTtlMs: LIMITS_COUNT_TTL_MS,
    });
    this.heartbeat = new Heartbeat(
      this.wss.clients,
      (socket) => (socket as TrackedSocket)[connectionOf],
      env.GATEWAY_HEARTBEAT_INTERVAL_MS,
      env.GATEWAY_HEARTBEAT_MISSED_LIMIT,
      () => this.metrics.heartbeatTimeouts.inc(),
      (connection, now) => {
        connection.renewedAt = this.limits.renew(connection.userId, connection.address, connection.renewedAt, now);
      },
    );
    this.sessions = new SessionClock(env.GATEWAY_TOKEN_WARNING_SECONDS, {
      warn: (connection) => this.coalescer.enqueue(connection, serverEvent.tokenExpiring(connection.expiresAt)),
      expire: (connection) => this.closeSocket(connection, CLOSE_POLICY_VIOLATION, 'token expired'),
    });
    const upgradeTimeout = env.GATEWAY_UPGRADE_TIMEOUT_MS;
    this.server = createServer(
      {
        // A request whose headers are not complete in time is dropped: half-open upgrades and
        // trickled headers do not hold sockets. Node checks every `connectionsCheckingInterval`.
        headersTimeout: upgradeTimeout,
        requestTimeout: upgradeTimeout,
        connectionsCheckingInterval: Math.min(1000, Math.ceil(upgradeTimeout / 4)),
      },
      (_req, res) => {
        res.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' });
        res.end('this port speaks WebSocket only\n');
      },
    );
    // headersTimeout covers a request that has begun; a socket that sends nothing at all is
    // dropped by the pending-upgrade sweep.
    this.pending = new PendingUpgrades(upgradeTimeout);
    this.server.on('connection', (socket: Socket) => this.pending.add(socket));
    this.server.on('upgrade', this.onUpgrade);
    this.heartbeat.start();
    this.sessions.start();
    this.pending.start();
  }

  /** Starts a gateway and resolves once it listens. */
  static async start(env: GatewayEnv, options: GatewayOptions): Promise<Gateway> {
    const gateway = new Gateway(env, options.logger);
    await gateway.limits.start();
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
    this.heartbeat.stop();
    this.sessions.stop();
    this.limits.stop();
    this.pending.stop();
    this.wss.close();
    await Promise.all([this.redis.quit(), this.membership.quit()]);
    if (this.probeServer !== null) {
      const probes = this.probeServer;
      await new Promise<void>((resolve) => probes.close(() => resolve()));
    }
  }

  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    this.pending.remove(socket);
    socket.on('error', destroy);
    // Ends at 101 when accepted below; a refused upgrade ends it when the socket closes.
    const span = startServerSpan('websocket upgrade', request.headers, { 'http.request.method': 'GET' });
    const endRefused = span.isRecording() ? endSpanOnClose(socket, span) : null;
    this.admit(request, socket).then(
      (admitted) => {
        if (admitted === null) return;
        this.wss.handleUpgrade(request, socket, head, (ws) => {
          socket.off('error', destroy);
          if (endRefused !== null) socket.off('close', endRefused);
          endServerSpan(span, 101);
          this.metrics.upgrades.inc({ result: 'accepted' });
          const { userId, expiresAt, address } = admitted;
          this.onConnection(
            ws as TrackedSocket,
            new Connection(ws, userId, expiresAt, this.env.GATEWAY_RATE_BURST, address),
          );
        });
      },
      (err: unknown) => {
        this.logger.error({ err }, 'upgrade failed');
        socket.destroy();
      },
    );
  };

  /**
   * The door: origin, token, then the connection limits. Answers a refusal itself and returns
   * null; an admitted connection is counted in the limits until it closes. Holds the request only
   * while deciding: nothing of it outlives the upgrade.
   */
  private async admit(request: IncomingMessage, socket: Duplex): Promise<Admitted | null> {
    if (this.draining !== null)
      return this.refuse(socket, 503, 'draining', 'server is draining; retry another instance');
    if (refuseForeignOrigin(request, socket, this.env.ALLOWED_ORIGINS)) {
      this.metrics.upgrades.inc({ result: 'bad_origin' });
      return null;
    }
    const token = tokenOf(request);
    if (token === null) return this.refuse(socket, 401, 'no_token', 'access token required');
    const check = verifyToken(this.env, token, this.logger);
    if (!check.ok) return this.refuse(socket, 401, 'bad_token', check.reason);
    const verified = check.token;
    const address = addressOf(request);
    let refusal: LimitRefusal | null;
    try {
      refusal = await this.limits.acquire(verified.userId, address);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'connection limits unavailable');
      return this.refuse(socket, 503, 'unavailable', 'connection limits unavailable; retry');
    }
    if (refusal !== null) {
      const max =
        refusal === 'user'
          ? `${this.env.GATEWAY_USER_CONNECTIONS_MAX} connections per user`
          : `${this.env.GATEWAY_ADDRESS_CONNECTIONS_MAX} connections per address`;
      return this.refuse(socket, 429, `too_many_connections_${refusal}`, `more than ${max}`);
    }
    if (this.draining !== null || socket.destroyed) {
      this.limits.release(verified.userId, address);
      return this.refuse(socket, 503, 'draining', 'server is draining');
    }
    return { userId: verified.userId, expiresAt: verified.expiresAt, address };
  }

  private refuse(socket: Duplex, status: 401 | 429 | 503, result: string, reason: string): null {
    this.metrics.upgrades.inc({ result });
    const text = { 401: 'Unauthorized', 429: 'Too Many Requests', 503: 'Service Unavailable' }[status];
    socket.end(
      `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
        `Content-Length: ${Buffer.byteLength(reason) + 1}\r\n\r\n${reason}\n`,
    );
    return null;
  }

  private onConnection(socket: TrackedSocket, connection: Connection): void {
    socket[connectionOf] = connection;
    this.metrics.connections.inc();
    socket.on('message', this.onSocketMessage);
    socket.on('close', this.onSocketClose);
    socket.on('pong', this.onSocketPong);
    socket.on('error', ignore);
    this.sessions.schedule(connection);
  }

  /**
   * Closes the connection once every frame accepted from it has its answer: a client never loses
   * the ack of a message that was stored. Frames arriving meanwhile are not processed.
   */
  private closeSocket(connection: Connection, code: number, reason: string): void {
    if (connection.pending > 0 && connection.socket.readyState === WebSocket.OPEN) {
      connection.closing ??= { code, reason };
      return;
    }
    this.metrics.closes.inc({ code: String(code) });
    // Events queued this turn (the answers and the error that explains the close) go out first.
    this.coalescer.flushConnection(connection);
    connection.socket.close(code, reason);
  }

  /** A frame accepted for processing got its answer; a close waiting for it may go ahead. */
  private settled(connection: Connection): void {
    connection.pending -= 1;
    if (connection.pending === 0 && connection.closing !== null) {
      this.closeSocket(connection, connection.closing.code, connection.closing.reason);
    }
  }

  private sendError(connection: Connection, code: ErrorCode, message: string, ref?: string): void {
    this.metrics.errors.inc({ code });
    this.coalescer.enqueue(connection, serverEvent.error(code, message, ref));
  }

  /** A socket closed: leave its rooms. */
  handleClose(connection: Connection): void {
    this.metrics.connections.dec();
    this.limits.release(connection.userId, connection.address);
    this.rooms.leaveAll(connection);
    this.metrics.rooms.set(this.rooms.size);
  }

  /** Handles one inbound frame. */
  handleFrame(connection: Connection, data: Buffer, isBinary: boolean): void {
    if (connection.closing !== null) return;
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
    if (!parsed.ok) return this.sendError(connection, parsed.code, parsed.message, parsed.ref);
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
        connection.pending += 1;
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
          )
          .finally(() => this.settled(connection));
        return;
      }
      case 'auth':
        this.reauthenticate(connection, frame.token);
        return;
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
        this.send(connection, frame);
        return;
      }
    }
  }
  /** A fresh token for the same user extends the session; anything else leaves it as it was. */
  private reauthenticate(connection: Connection, token: string): void {
    const check = verifyToken(this.env, token, this.logger);
    if (!check.ok) return this.sendError(connection, 'auth_failed', `${check.reason}; the session is unchanged`);
    if (check.token.userId !== connection.userId) {
      return this.sendError(connection, 'auth_failed', 'the token is for another user; the session is unchanged');
    }
    connection.expiresAt = check.token.expiresAt;
    this.sessions.schedule(connection);
    this.coalescer.enqueue(connection, serverEvent.authenticated(check.token.expiresAt));
  }

  /** Offers a message for storage; answers with its ack or an error, whatever happens. */
  private send(connection: Connection, frame: Extract<ClientFrame, { type: 'send' }>): void {
    this.inFlight += 1;
    connection.pending += 1;
    this.store
      .accept({
        senderId: connection.userId,
        address: connection.address,
        roomId: frame.roomId,
        clientMsgId: frame.clientMsgId,
        content: frame.content,
      })
      .then(
        (accepted) => {
          if (accepted.kind === 'limited') {
            connection.strikes += 1;
            const limit =
              accepted.by === 'user'
                ? `${this.env.GATEWAY_USER_MESSAGES_PER_SECOND} messages per second per user`
                : `${this.env.GATEWAY_ADDRESS_MESSAGES_PER_SECOND} messages per second per address`;
            this.sendError(
              connection,
              'rate_limited',
              `more than ${limit}; not stored, resend after ${accepted.retryAfterMs} ms`,
              frame.clientMsgId,
            );
            if (connection.strikes >= this.env.GATEWAY_RATE_STRIKES) {
              this.closeSocket(connection, CLOSE_POLICY_VIOLATION, 'rate limit exceeded');
            }
            return;
          }
          if (accepted.kind === 'stored') this.metrics.messagesIn.inc();
          if (accepted.json !== null && !accepted.published) {
            // The room channel is down: at least this instance's members get it now.
            this.metrics.errors.inc({ code: 'publish_failed' });
            this.rooms.deliver(frame.roomId, accepted.json, Date.parse(accepted.createdAt));
          }
          this.coalescer.enqueue(
            connection,
            serverEvent.ack(frame.clientMsgId, accepted.id, accepted.createdAt, accepted.kind === 'duplicate'),
          );
        },
        (err: unknown) => {
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
        this.settled(connection);
      });
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
    pong(this: WebSocket): void {
      Heartbeat.alive((this as TrackedSocket)[connectionOf]);
    },
  };
}

/** The peer's address (IPv4-mapped IPv6 addresses as plain IPv4), for the per-address limits. */
function addressOf(request: IncomingMessage): string {
  const address = request.socket.remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/** Ends a refused upgrade's span when its socket closes; a listener of its own so that it captures nothing else. */
function endSpanOnClose(socket: Duplex, span: TraceSpan): () => void {
  const end = (): void => endServerSpan(span, undefined, { 'websocket.upgrade.result': 'refused' });
  socket.once('close', end);
  return end;
}

/** Socket errors end in a 'close' event, which does the cleanup. */
function ignore(): void {}

function destroy(this: Duplex): void {
  this.destroy();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
