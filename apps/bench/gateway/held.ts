import type { Socket } from 'node:net';
import {
  type ConnectionReport,
  type ConnectionTask,
  EMPTY,
  Failures,
  JOINED_MARK,
  joinFrame,
  maskedFrame,
  openAll,
  resetAndExit,
  upgrade,
  waitUntil,
} from './client-wire';
import { LatencyRecorder, nowUs } from './latency';

/**
 * The client side of the capacity scenarios (`heartbeat`, `storm`), run as separate processes:
 * connections that stay open, answer the server's pings, send their own heartbeat pings, answer a
 * close, and (in the storm) reconnect to another gateway with the client backoff below.
 */

/** What the orchestrator asks a held-connection client process to do. */
export interface HeldTask extends ConnectionTask {
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
  | ConnectionReport
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

export async function runHeldClient(task: HeldTask, report: (message: HeldReport) => void): Promise<void> {
  const sockets: Array<Socket | undefined> = [];
  const failures = new Failures();
  let joined = 0;
  let pingsSent = 0;
  let pongsReceived = 0;
  let serverPings = 0;
  let closes = 0;
  let reconnected = 0;
  const reconnectFailures = new Failures();
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

  const adopt = (i: number, socket: Socket, rest: Buffer): void => {
    sockets[i] = socket;
    readFrames(i, socket, rest);
    if (task.rooms.length > 0) socket.write(joinFrame(task, i));
  };

  const scheduleReconnect = (i: number, closedUs: number, backoffMs: number): void => {
    setTimeout(() => {
      if (exiting) return;
      void upgrade(task, i, task.reconnectPort!).then((upgraded) => {
        if ('socket' in upgraded) {
          reconnected += 1;
          lastReconnectUs = nowUs();
          reconnectDelay.record(lastReconnectUs - closedUs);
          adopt(i, upgraded.socket, upgraded.rest);
        } else {
          reconnectFailures.add(upgraded.error);
          scheduleReconnect(i, closedUs, Math.min(task.backoffMaxMs, backoffMs * 2));
        }
      });
    }, Math.random() * backoffMs);
  };

  const started = Date.now();
  await openAll(task, async (i) => {
    const upgraded = await upgrade(task, i, task.port);
    if ('socket' in upgraded) adopt(i, upgraded.socket, upgraded.rest);
    else failures.add(upgraded.error);
  });
  const open = (): number => sockets.reduce((n, s) => n + (s ? 1 : 0), 0);
  const { count, byReason } = failures;
  report({
    kind: 'connected',
    connections: open(),
    elapsedMs: Date.now() - started,
    failures: count,
    errors: byReason,
  });
  await waitUntil(() => task.rooms.length === 0 || joined >= open());
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
        reconnectFailures: reconnectFailures.count,
        reconnectErrors: reconnectFailures.byReason,
        firstCloseUs,
        lastReconnectUs,
        reconnectDelay: reconnectDelay.toSparse(),
      });
    } else if (command.kind === 'exit') {
      exiting = true;
      clearInterval(heartbeat);
      resetAndExit(sockets);
    }
  });
}
