import { randomFillSync } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { LatencyRecorder, nowUs } from './latency';
import { MarkScanner } from './scanner';

/**
 * The client side of the benchmarks, run as separate processes (the orchestrator forks them) so
 * that neither side's per-process open-file limit caps the connection count.
 *
 * Connections are plain sockets that upgrade with a hand-written request, write masked text
 * frames and scan what arrives for markers (see `MarkScanner`), instead of full `ws` clients: on
 * a shared two-core machine the client's per-connection and per-frame work would otherwise take
 * the CPU the gateway is being measured on.
 */

/** What the orchestrator asks a client process to do. */
export interface ClientTask {
  readonly port: number;
  /**
   * Destination address (127.0.0.x; the gateway listens on all of them). The kernel looks for a
   * free source port per destination, and beyond some 14,000 connections to one address it scans
   * the whole ephemeral range on every connect, so the clients spread over several.
   */
  readonly host: string;
  readonly connections: number;
  /** Upgrades in flight at once. */
  readonly concurrency: number;
  readonly tokens: readonly string[];
  /** Room of connection i: rooms[i % rooms.length]; none when empty. */
  readonly rooms: readonly string[];
  /** Connections (by index) that send, and how many messages per second each. */
  readonly senders: number;
  readonly sendRatePerSecond: number;
  readonly sendSeconds: number;
  /** Seconds of sending at the same rate before the measured part, not counted. */
  readonly warmupSeconds: number;
}

/** Messages between the orchestrator and a client process. */
export type ClientReport =
  | { kind: 'connected'; connections: number; elapsedMs: number; failures: number; errors: Record<string, number> }
  | { kind: 'joined'; joined: number }
  | {
      kind: 'done';
      deliveries: number;
      sent: number;
      firstSendUs: number;
      lastDeliveryUs: number;
      latency: Array<[number, number]>;
    };

/**
 * `send` starts the senders; what was sent from `measureFromUs` on (the machine's monotonic clock,
 * shared by every process) is counted, what was sent before is warm-up.
 */
export type OrchestratorCommand = { kind: 'send'; measureFromUs: number } | { kind: 'report' } | { kind: 'exit' };

/** Where a delivery's send time is in an event: `"content":"t=<µs>"` (the senders write it so). */
const CONTENT_MARK = Buffer.from('"content":"t=');
const JOINED_MARK = Buffer.from('"joined"');
const HEADER_END = Buffer.from('\r\n\r\n');
/**
 * The gateway's pings are empty: `0x89 0x00`. A JSON text payload never holds a 0x00 byte (NUL is
 * escaped), so the pair marks a ping wherever it is, without decoding frames.
 */
const PING_OPCODE = 0x89;
/** A masked, empty pong (RFC 6455 §5.5.3); an all-zero mask is as valid as any other. */
const PONG = Buffer.from([0x8a, 0x80, 0, 0, 0, 0]);

/** Answers the gateway's pings on `socket`; `previous` carries a chunk's last byte to the next. */
function answerPings(socket: Socket, chunk: Buffer, previous: { last: number }): void {
  let at = chunk.indexOf(0);
  while (at >= 0) {
    if ((at === 0 ? previous.last : chunk[at - 1]) === PING_OPCODE) socket.write(PONG);
    at = chunk.indexOf(0, at + 1);
  }
  previous.last = chunk[chunk.length - 1];
}

/** A client-to-server text frame (RFC 6455 §5.2: FIN, opcode 1, masked), for payloads below 64 KiB. */
function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const headerLength = payload.length < 126 ? 6 : 8;
  const frame = Buffer.allocUnsafe(headerLength + payload.length);
  frame[0] = 0x81;
  if (headerLength === 6) frame[1] = 0x80 | payload.length;
  else {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(payload.length, 2);
  }
  const mask = headerLength - 4;
  randomFillSync(frame, mask, 4);
  for (let i = 0; i < payload.length; i++) frame[headerLength + i] = payload[i] ^ frame[mask + (i & 3)];
  return frame;
}

export async function runClient(task: ClientTask, report: (message: ClientReport) => void): Promise<void> {
  const sockets: Socket[] = [];
  const latency = new LatencyRecorder();
  let deliveries = 0;
  let joined = 0;
  let lastDeliveryUs = 0;
  let failures = 0;
  const errors: Record<string, number> = {};
  const fail = (reason: string): void => {
    failures += 1;
    errors[reason] = (errors[reason] ?? 0) + 1;
  };
  let measureFromUs = Infinity;
  /** When the chunk being scanned arrived. */
  let arrivedUs = 0;
  const onSendTime = (sentUs: number): void => {
    if (sentUs < measureFromUs) return;
    latency.record(arrivedUs - sentUs);
    deliveries += 1;
    lastDeliveryUs = arrivedUs;
  };
  const onJoined = (): void => {
    joined += 1;
  };

  /** From the 101 on: scan for joins until the senders start, then for deliveries. */
  const listen = (socket: Socket, first: Buffer): void => {
    const joins = new MarkScanner(JOINED_MARK, false, onJoined);
    const sends = new MarkScanner(CONTENT_MARK, true, onSendTime);
    const previous = { last: -1 };
    const onData = (chunk: Buffer): void => {
      arrivedUs = nowUs();
      if (measureFromUs === Infinity) joins.scan(chunk);
      sends.scan(chunk);
      answerPings(socket, chunk, previous);
    };
    if (first.length > 0) onData(first);
    socket.on('data', onData);
  };

  const open = (i: number): Promise<void> =>
    new Promise((resolve) => {
      const socket = connect({ port: task.port, host: task.host });
      let response = Buffer.alloc(0);
      // Senders write a frame at a time and must not wait for Nagle; the others only read.
      if (i < task.senders) socket.setNoDelay(true);
      socket.once('connect', () =>
        socket.write(
          `GET / HTTP/1.1\r\nHost: ${task.host}:${task.port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
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
          fail(response.toString('latin1', 0, 12));
          socket.destroy();
          return resolve();
        }
        sockets[i] = socket;
        // Without rooms only pings arrive after the 101 (the connection-rate run).
        if (task.rooms.length > 0) {
          listen(socket, response.subarray(end + HEADER_END.length));
          socket.write(maskedTextFrame(`{"type":"join","roomId":"${task.rooms[i % task.rooms.length]}"}`));
        } else {
          const previous = { last: -1 };
          socket.on('data', (chunk: Buffer) => answerPings(socket, chunk, previous));
        }
        resolve();
      };
      socket.on('data', onResponse);
      socket.once('error', (err: NodeJS.ErrnoException) => {
        if (sockets[i] === socket) return; // after the upgrade: the scenario's counts show it
        fail(err.code ?? err.message);
        resolve();
      });
    });

  const started = Date.now();
  let next = 0;
  // Senders one at a time: the primary's round-robin then alternates them between the workers.
  while (next < task.senders) await open(next++);
  await Promise.all(
    Array.from({ length: Math.min(task.concurrency, task.connections) }, async () => {
      while (next < task.connections) await open(next++);
    }),
  );
  const connections = sockets.filter(Boolean).length;
  report({ kind: 'connected', connections, elapsedMs: Date.now() - started, failures, errors });

  const expectedJoins = task.rooms.length > 0 ? connections : 0;
  const joinDeadline = Date.now() + 60_000;
  while (joined < expectedJoins && Date.now() < joinDeadline) await new Promise((r) => setTimeout(r, 50));
  report({ kind: 'joined', joined });

  let sent = 0;
  let firstSendUs = 0;
  const send = async (): Promise<void> => {
    if (task.senders === 0) return;
    // Open loop: a batch every 10 ms, whatever the replies do, so queueing shows in the latency.
    // One frame per write, as separate clients would send them.
    const perTick = (task.sendRatePerSecond * task.senders) / 100;
    const ticks = (task.warmupSeconds + task.sendSeconds) * 100;
    const startUs = nowUs();
    let carry = 0;
    let index = 0;
    for (let tick = 0; tick < ticks; tick++) {
      carry += perTick;
      while (carry >= 1) {
        const i = index % task.senders;
        const sentUs = nowUs();
        sockets[i]?.write(
          maskedTextFrame(
            `{"type":"send","roomId":"${task.rooms[i % task.rooms.length]}","clientMsgId":"${process.pid}-${index}","content":"t=${sentUs}"}`,
          ),
        );
        index += 1;
        carry -= 1;
        if (sentUs >= measureFromUs) {
          if (sent === 0) firstSendUs = sentUs;
          sent += 1;
        }
      }
      const due = startUs + (tick + 1) * 10_000;
      await new Promise((r) => setTimeout(r, Math.max(0, (due - nowUs()) / 1000)));
    }
  };

  process.on('message', (command: OrchestratorCommand) => {
    if (command.kind === 'send') {
      measureFromUs = command.measureFromUs;
      void send();
    } else if (command.kind === 'report') {
      report({ kind: 'done', deliveries, sent, firstSendUs, lastDeliveryUs, latency: latency.toSparse() });
    } else if (command.kind === 'exit') {
      // RST rather than FIN: a client-side close would leave each port in TIME_WAIT for 60 s, and
      // 50,000 of those exhaust the ephemeral ports the next scenario needs.
      for (const socket of sockets) socket?.resetAndDestroy();
      setTimeout(() => process.exit(0), 100);
    }
  });
}
