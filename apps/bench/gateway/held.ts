import { randomFillSync } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { LatencyRecorder, nowUs } from './latency';

/**
 * The client side of the capacity scenarios (`heartbeat`, `storm`), run as separate processes:
 * connections that stay open, answer the server's pings, send their own heartbeat pings, answer a
 * close, and (in the storm) reconnect to another gateway with the client backoff below.
 *
 * Like `client.ts`, plain sockets with hand-written frames, so that the clients spend as little of
 * the shared CPU as possible.
 */

/** What the orchestrator asks a held-connection client process to do. */
export interface HeldTask {
  readonly port: number;
  /** Destination address (127.0.0.x): one per client process keeps the kernel's port search short. */
  readonly host: string;
  readonly connections: number;
  readonly concurrency: number;
  readonly tokens: readonly string[];
  /** Room of connection i: rooms[i % rooms.length], joined after the upgrade and after a reconnect. */
  readonly rooms: readonly string[];
  /** Client heartbeat: a ping on every connection once per interval, spread evenly over it. */
  readonly heartbeatMs: number;
  /** Where a closed connection reconnects (the storm); none: a close is counted, not retried. */
  readonly reconnectPort?: number;
  /** Backoff of a reconnect: a random wait in [0, base), doubling after each failed attempt up to max. */
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
}

/** What a held-connection client reports. */
export type HeldReport =
  | { kind: 'connected'; connections: number; elapsedMs: number; failures: number; errors: Record<string, number> }
  | { kind: 'joined'; joined: number }
  | {
      kind: 'status';
      open: number;
      pingsSent: number;
      pongsReceived: number;
      serverPings: number;
      closes: number;
      reconnected: number;
      reconnectFailures: number;
      reconnectErrors: Record<string, number>;
      firstCloseUs: number;
      lastReconnectUs: number;
      /** Close → 101 of each reconnect, µs. */
      reconnectDelay: Array<[number, number]>;
    };

/** Orchestrator → client. */
export type HeldCommand = { kind: 'status' } | { kind: 'exit' };

const HEADER_END = Buffer.from('\r\n\r\n');
const JOINED_MARK = Buffer.from('"joined"');

/** A masked client frame (RFC 6455 §5.2) with a payload below 126 bytes. */
function maskedFrame(opcode: number, payload: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(6 + payload.length);
  frame[0] = 0x80 | opcode;
  frame[1] = 0x80 | payload.length;
  randomFillSync(frame, 2, 4);
  for (let i = 0; i < payload.length; i++) frame[6 + i] = payload[i] ^ frame[2 + (i & 3)];
  return frame;
}

const EMPTY = Buffer.alloc(0);

export async function runHeldClient(task: HeldTask, report: (message: HeldReport) => void): Promise<void> {
  const sockets: Array<Socket | undefined> = [];
  let failures = 0;
  const errors: Record<string, number> = {};
  let joined = 0;
  let pingsSent = 0;
  let pongsReceived = 0;
  let serverPings = 0;
  let closes = 0;
  let reconnected = 0;
  let reconnectFailures = 0;
  const reconnectErrors: Record<string, number> = {};
  let firstCloseUs = 0;
  let lastReconnectUs = 0;
  const reconnectDelay = new LatencyRecorder();
  let exiting = false;

  /** Reads server frames (unmasked): pings are answered, pongs counted, a close is answered. */
  const readFrames = (i: number, socket: Socket, first: Buffer): void => {
    let pending = first;
    let sawJoin = false;
    const onData = (chunk: Buffer): void => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      for (;;) {
        if (pending.length < 2) return;
        const opcode = pending[0] & 0x0f;
        let length = pending[1] & 0x7f;
        let offset = 2;
        if (length === 126) {
          if (pending.length < 4) return;
          length = pending.readUInt16BE(2);
          offset = 4;
        } else if (length === 127) {
          if (pending.length < 10) return;
          length = Number(pending.readBigUInt64BE(2));
          offset = 10;
        }
        if (pending.length < offset + length) return;
        const payload = pending.subarray(offset, offset + length);
        pending = pending.length === offset + length ? EMPTY : pending.subarray(offset + length);
        if (opcode === 0x9) {
          serverPings += 1;
          socket.write(maskedFrame(0xa, payload));
        } else if (opcode === 0xa) {
          pongsReceived += 1;
        } else if (opcode === 0x8) {
          // Echo the close and end our side; the server then closes the TCP connection.
          socket.write(maskedFrame(0x8, payload.subarray(0, 2)));
          socket.end();
        } else if (!sawJoin && payload.includes(JOINED_MARK)) {
          sawJoin = true;
          joined += 1;
        }
      }
    };
    if (first.length > 0) {
      pending = EMPTY;
      onData(first);
    }
    socket.on('data', onData);
    socket.once('close', () => {
      if (sockets[i] !== socket) return;
      sockets[i] = undefined;
      if (exiting) return;
      closes += 1;
      if (firstCloseUs === 0) firstCloseUs = nowUs();
      if (task.reconnectPort !== undefined) scheduleReconnect(i, nowUs(), task.backoffBaseMs);
    });
  };

  /** One upgrade; resolves with the socket on a 101, or the reason it failed. */
  const upgrade = (i: number, port: number): Promise<{ socket?: Socket; rest?: Buffer; error?: string }> =>
    new Promise((resolve) => {
      const socket = connect({ port, host: task.host });
      let response = EMPTY;
      let settled = false;
      const settle = (result: { socket?: Socket; rest?: Buffer; error?: string }): void => {
        if (settled) return;
        settled = true;
        resolve(result);
      };
      socket.once('connect', () =>
        socket.write(
          `GET / HTTP/1.1\r\nHost: ${task.host}:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
            `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n` +
            `Authorization: Bearer ${task.tokens[i % task.tokens.length]}\r\n\r\n`,
        ),
      );
      const onResponse = (chunk: Buffer): void => {
        response = Buffer.concat([response, chunk]);
        const end = response.indexOf(HEADER_END);
        if (end < 0) return;
        socket.off('data', onResponse);
        if (response.toString('latin1', 0, 12) !== 'HTTP/1.1 101') {
          socket.destroy();
          return settle({ error: response.toString('latin1', 0, 12) });
        }
        settle({ socket, rest: response.subarray(end + HEADER_END.length) });
      };
      socket.on('data', onResponse);
      socket.once('error', (err: NodeJS.ErrnoException) => settle({ error: err.code ?? err.message }));
      socket.once('close', () => settle({ error: 'closed before 101' }));
    });

  const adopt = (i: number, socket: Socket, rest: Buffer): void => {
    sockets[i] = socket;
    socket.on('error', () => undefined); // a reset shows as the close that follows
    readFrames(i, socket, rest);
    if (task.rooms.length > 0) {
      socket.write(maskedFrameText(`{"type":"join","roomId":"${task.rooms[i % task.rooms.length]}"}`));
    }
  };

  const scheduleReconnect = (i: number, closedUs: number, backoffMs: number): void => {
    setTimeout(() => {
      if (exiting) return;
      void upgrade(i, task.reconnectPort!).then(({ socket, rest, error }) => {
        if (socket) {
          reconnected += 1;
          lastReconnectUs = nowUs();
          reconnectDelay.record(lastReconnectUs - closedUs);
          adopt(i, socket, rest!);
        } else {
          reconnectFailures += 1;
          reconnectErrors[error!] = (reconnectErrors[error!] ?? 0) + 1;
          scheduleReconnect(i, closedUs, Math.min(task.backoffMaxMs, backoffMs * 2));
        }
      });
    }, Math.random() * backoffMs);
  };

  const started = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(task.concurrency, task.connections) }, async () => {
      while (next < task.connections) {
        const i = next++;
        const { socket, rest, error } = await upgrade(i, task.port);
        if (socket) adopt(i, socket, rest!);
        else {
          failures += 1;
          errors[error!] = (errors[error!] ?? 0) + 1;
        }
      }
    }),
  );
  const open = (): number => sockets.reduce((n, s) => n + (s ? 1 : 0), 0);
  report({ kind: 'connected', connections: open(), elapsedMs: Date.now() - started, failures, errors });
  const joinDeadline = Date.now() + 60_000;
  while (task.rooms.length > 0 && joined < open() && Date.now() < joinDeadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  report({ kind: 'joined', joined });

  // Heartbeats: every 100 ms the connections whose index falls in this tick's slice ping.
  const slices = Math.max(1, Math.round(task.heartbeatMs / 100));
  const ping = maskedFrame(0x9, EMPTY);
  let tick = 0;
  const heartbeat = setInterval(() => {
    const slice = tick++ % slices;
    for (let i = slice; i < sockets.length; i += slices) {
      const socket = sockets[i];
      if (socket && socket.writable) {
        socket.write(ping);
        pingsSent += 1;
      }
    }
  }, 100);

  process.on('message', (command: HeldCommand) => {
    if (command.kind === 'status') {
      report({
        kind: 'status',
        open: open(),
        pingsSent,
        pongsReceived,
        serverPings,
        closes,
        reconnected,
        reconnectFailures,
        reconnectErrors,
        firstCloseUs,
        lastReconnectUs,
        reconnectDelay: reconnectDelay.toSparse(),
      });
    } else if (command.kind === 'exit') {
      exiting = true;
      clearInterval(heartbeat);
      // RST rather than FIN: no TIME_WAIT left on the client ports for the next scenario.
      for (const socket of sockets) socket?.resetAndDestroy();
      setTimeout(() => process.exit(0), 100);
    }
  });
}

function maskedFrameText(text: string): Buffer {
  return maskedFrame(0x1, Buffer.from(text));
}
