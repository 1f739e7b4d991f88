import type { Socket } from 'node:net';
import {
  type ConnectionReport,
  type ConnectionTask,
  Failures,
  JOINED_MARK,
  joinFrame,
  maskedTextFrame,
  openAll,
  resetAndExit,
  upgrade,
  waitUntil,
} from './client-wire';
import { LatencyRecorder, nowUs } from './latency';
import { MarkScanner } from './scanner';

/**
 * The client side of the throughput benchmarks, run as separate processes (the orchestrator forks
 * them) so that neither side's per-process open-file limit caps the connection count.
 *
 * Connections write masked text frames and scan what arrives for markers (see `MarkScanner`),
 * instead of decoding frames: the client's per-frame work would otherwise take the CPU the
 * gateway is being measured on.
 */

/** What the orchestrator asks a client process to do. */
export interface ClientTask extends ConnectionTask {
  /** Connections (by index) that send, and how many messages per second each. */
  readonly senders: number;
  readonly sendRatePerSecond: number;
  readonly sendSeconds: number;
  /** Seconds of sending at the same rate before the measured part, not counted. */
  readonly warmupSeconds: number;
}

/** Messages between the orchestrator and a client process. */
export type ClientReport =
  | ConnectionReport
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

export async function runClient(task: ClientTask, report: (message: ClientReport) => void): Promise<void> {
  const sockets: Socket[] = [];
  const latency = new LatencyRecorder();
  let deliveries = 0;
  let joined = 0;
  let lastDeliveryUs = 0;
  const failures = new Failures();
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

  const open = async (i: number): Promise<void> => {
    // Senders write a frame at a time and must not wait for Nagle; the others only read.
    const upgraded = await upgrade(task, i, task.port, i < task.senders);
    if ('error' in upgraded) return failures.add(upgraded.error);
    const { socket, rest } = upgraded;
    sockets[i] = socket;
    // Without rooms only pings arrive after the 101 (the connection-rate run).
    if (task.rooms.length > 0) {
      listen(socket, rest);
      socket.write(joinFrame(task, i));
    } else {
      const previous = { last: -1 };
      socket.on('data', (chunk: Buffer) => answerPings(socket, chunk, previous));
    }
  };

  const started = Date.now();
  // Senders one at a time: the primary's round-robin then alternates them between the workers.
  await openAll(task, open, task.senders);
  const connections = sockets.filter(Boolean).length;
  const { count, byReason } = failures;
  report({ kind: 'connected', connections, elapsedMs: Date.now() - started, failures: count, errors: byReason });

  const expectedJoins = task.rooms.length > 0 ? connections : 0;
  await waitUntil(() => joined >= expectedJoins);
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
      resetAndExit(sockets);
    }
  });
}
