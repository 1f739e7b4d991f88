import { connect, type Socket } from 'node:net';
import { WebSocket } from 'ws';
import { LatencyRecorder, nowUs } from './latency';

/**
 * The client side of the benchmarks, run as separate processes (the orchestrator forks them) so
 * that neither side's per-process open-file limit caps the connection count.
 */

/** What the orchestrator asks a client process to do. */
export interface ClientTask {
  readonly port: number;
  /**
   * Source address for this process's connections (127.0.0.x), when one destination needs more
   * connections than the ephemeral port range holds. Binding before connect costs a port search
   * per connection, so the other scenarios leave it to connect().
   */
  readonly localAddress?: string;
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
  /**
   * Upgrade with a hand-written HTTP request on a plain socket and count the 101s, instead of a
   * full `ws` client: the connection-rate run then measures the gateway, not the client's
   * per-connection setup (which costs more CPU than the server's on this machine).
   */
  readonly rawUpgrade?: boolean;
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

export type OrchestratorCommand = { kind: 'send' } | { kind: 'report' } | { kind: 'exit' };

const CONTENT_MARK = '"content":"t=';

export async function runClient(task: ClientTask, report: (message: ClientReport) => void): Promise<void> {
  const sockets: WebSocket[] = [];
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
  const rawSockets: Socket[] = [];

  const onFrame = (data: Buffer): void => {
    const text = data.toString('latin1');
    const now = nowUs();
    let at = text.indexOf(CONTENT_MARK);
    if (at < 0) {
      if (text.includes('"joined"')) joined += text.split('"joined"').length - 1;
      return;
    }
    while (at >= 0) {
      const start = at + CONTENT_MARK.length;
      const sentUs = Number(text.slice(start, text.indexOf('"', start)));
      latency.record(now - sentUs);
      deliveries += 1;
      at = text.indexOf(CONTENT_MARK, start);
    }
    lastDeliveryUs = now;
  };

  const open = (i: number): Promise<void> =>
    new Promise((resolve) => {
      const socket = new WebSocket(`ws://127.0.0.1:${task.port}/`, {
        headers: { authorization: `Bearer ${task.tokens[i % task.tokens.length]}` },
        localAddress: task.localAddress,
        perMessageDeflate: false,
      });
      socket.once('open', () => {
        sockets[i] = socket;
        socket.on('message', onFrame);
        if (task.rooms.length > 0)
          socket.send(JSON.stringify({ type: 'join', roomId: task.rooms[i % task.rooms.length] }));
        resolve();
      });
      socket.once('error', (err: NodeJS.ErrnoException) => {
        fail(err.code ?? err.message);
        resolve();
      });
    });

  const openRaw = (i: number): Promise<void> =>
    new Promise((resolve) => {
      const socket = connect(task.port, '127.0.0.1');
      let response = '';
      socket.setNoDelay(true);
      socket.once('connect', () =>
        socket.write(
          `GET / HTTP/1.1\r\nHost: 127.0.0.1:${task.port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
            `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n` +
            `Authorization: Bearer ${task.tokens[i % task.tokens.length]}\r\n\r\n`,
        ),
      );
      const onData = (chunk: Buffer): void => {
        response += chunk.toString('latin1');
        if (!response.includes('\r\n\r\n')) return;
        socket.off('data', onData);
        if (response.startsWith('HTTP/1.1 101')) rawSockets.push(socket);
        else {
          fail(response.slice(0, 12));
          socket.destroy();
        }
        resolve();
      };
      socket.on('data', onData);
      socket.once('error', (err: NodeJS.ErrnoException) => {
        fail(err.code ?? err.message);
        resolve();
      });
    });

  const started = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(task.concurrency, task.connections) }, async () => {
      while (next < task.connections) await (task.rawUpgrade ? openRaw(next++) : open(next++));
    }),
  );
  const connections = task.rawUpgrade ? rawSockets.length : sockets.filter(Boolean).length;
  report({ kind: 'connected', connections, elapsedMs: Date.now() - started, failures, errors });

  const expectedJoins = task.rooms.length > 0 ? sockets.filter(Boolean).length : 0;
  const joinDeadline = Date.now() + 60_000;
  while (joined < expectedJoins && Date.now() < joinDeadline) await new Promise((r) => setTimeout(r, 50));
  report({ kind: 'joined', joined });

  let sent = 0;
  let firstSendUs = 0;
  const send = async (): Promise<void> => {
    if (task.senders === 0) return;
    // Open loop: a batch every 10 ms, whatever the replies do, so queueing shows in the latency.
    const perTick = (task.sendRatePerSecond * task.senders) / 100;
    const ticks = task.sendSeconds * 100;
    firstSendUs = nowUs();
    let carry = 0;
    for (let tick = 0; tick < ticks; tick++) {
      carry += perTick;
      while (carry >= 1) {
        const i = sent % task.senders;
        const socket = sockets[i];
        socket.send(
          `{"type":"send","roomId":"${task.rooms[i % task.rooms.length]}","clientMsgId":"${process.pid}-${sent}","content":"t=${nowUs()}"}`,
        );
        sent += 1;
        carry -= 1;
      }
      const due = firstSendUs + (tick + 1) * 10_000;
      await new Promise((r) => setTimeout(r, Math.max(0, (due - nowUs()) / 1000)));
    }
  };

  process.on('message', (command: OrchestratorCommand) => {
    if (command.kind === 'send') void send();
    else if (command.kind === 'report') {
      report({ kind: 'done', deliveries, sent, firstSendUs, lastDeliveryUs, latency: latency.toSparse() });
    } else if (command.kind === 'exit') {
      // RST rather than FIN: a client-side close would leave each port in TIME_WAIT for 60 s, and
      // 50,000 of those exhaust the ephemeral ports the next scenario needs.
      for (const socket of sockets) (socket as unknown as { _socket?: Socket })?._socket?.resetAndDestroy();
      for (const socket of rawSockets) socket.resetAndDestroy();
      setTimeout(() => process.exit(0), 100);
    }
  });
}
